using NetServ.Testbed.OpenFlow;

namespace NetServ.TestSupport.OpenFlow;

/// <summary>Starts a real <see cref="OvsSwitch"/> for a test, skipping the test (with the reason) when Open vSwitch cannot run here.</summary>
public static class TestSwitch
{
    /// <summary>The switch, or the test skipped when this is not root or Open vSwitch is missing.</summary>
    public static OvsSwitch Start()
    {
        Require(OvsSwitch.Tools);
        return OvsSwitch.Start();
    }

    /// <summary>Skips the test unless a testbed can realise a switch node here (<see cref="OvsSwitch.StartIn"/>): root, Open vSwitch, ethtool and nft.</summary>
    public static void RequireForTestbed() => Require([.. OvsSwitch.Tools, .. OvsSwitch.TestbedTools]);

    private static void Require(string[] tools)
    {
        RequiresRoot.Check(tools);
        if (OvsSwitch.Missing() is { } missing)
        {
            Assert.Ignore(missing);
        }
    }
}
