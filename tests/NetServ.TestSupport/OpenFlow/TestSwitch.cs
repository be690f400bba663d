using NetServ.Testbed.OpenFlow;

namespace NetServ.TestSupport.OpenFlow;

/// <summary>Starts a real <see cref="OvsSwitch"/> for a test, skipping the test (with the reason) when Open vSwitch cannot run here.</summary>
public static class TestSwitch
{
    /// <summary>The switch, or the test skipped when this is not root or Open vSwitch is missing.</summary>
    public static OvsSwitch Start()
    {
        RequiresRoot.Check(OvsSwitch.Tools);
        if (OvsSwitch.Missing() is { } missing)
        {
            Assert.Ignore(missing);
        }

        return OvsSwitch.Start();
    }
}
