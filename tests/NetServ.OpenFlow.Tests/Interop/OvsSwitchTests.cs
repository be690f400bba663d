using NetServ.Testbed.Linux;
using NetServ.Testbed.OpenFlow;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.OpenFlow.Tests.Interop;

/// <summary>The Open vSwitch fixture itself: that it runs its own switch and leaves nothing behind.</summary>
[NonParallelizable]
public sealed class OvsSwitchTests
{
    [Test]
    public void Dispose_AfterStart_StopsItsTwoProcessesAndRemovesNamespacesAndFolder()
    {
        var ovs = TestSwitch.Start();
        var host = ovs.AddHost("h", "198.18.0.1/24");
        var (database, vswitchd) = ovs.ProcessIds;
        var namespaces = new[] { ovs.Namespace.Name, host.Namespace.Name };
        var directory = ovs.Directory;
        Assert.That(File.ReadAllText(Path.Combine(directory, "ovs-vswitchd.pid")).Trim(), Is.EqualTo(vswitchd.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(NetworkNamespace.List(), Is.SupersetOf(namespaces));

        ovs.Dispose();

        Assert.That(Directory.Exists($"/proc/{database}"), Is.False, "ovsdb-server still runs");
        Assert.That(Directory.Exists($"/proc/{vswitchd}"), Is.False, "ovs-vswitchd still runs");
        Assert.That(NetworkNamespace.List(), Has.None.AnyOf(namespaces));
        Assert.That(Directory.Exists(directory), Is.False);
    }

    [Test]
    public void Start_Bridge_UsesTheUserspaceDatapathInSecureModeWithOpenFlow13Only()
    {
        using var ovs = TestSwitch.Start();
        Assert.That(ovs.VsCtl("get", "bridge", OvsSwitch.Bridge, "datapath_type").Trim(), Is.EqualTo("netdev"));
        Assert.That(ovs.VsCtl("get", "bridge", OvsSwitch.Bridge, "fail_mode").Trim(), Is.EqualTo("secure"));
        Assert.That(ovs.VsCtl("get", "bridge", OvsSwitch.Bridge, "protocols").Trim(), Is.EqualTo("[OpenFlow13]"));
        Assert.That(File.Exists(ovs.ManagementSocket), Is.True);
    }
}
