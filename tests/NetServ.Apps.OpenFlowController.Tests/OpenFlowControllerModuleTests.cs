using System.Net;
using NetServ.Sdk.Testing;
using NetServ.Testbed.OpenFlow;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.Apps.OpenFlowController.Tests;

/// <summary>The module as a NetServ container runs it: its properties, its status, and a real switch connecting to it.</summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class OpenFlowControllerModuleTests
{
    [Test]
    public void StartAsync_WithoutNetservPort_FailsSayingWhatIsMissing()
    {
        using var module = new OpenFlowControllerModule();
        using var context = new TestModuleContext(TestModuleContext.ParseProperties("listen_port=0"));
        var thrown = Assert.ThrowsAsync<ArgumentException>(() => module.StartAsync(context, CancellationToken.None));
        Assert.That(thrown!.Message, Does.Contain("netserv_port"));
    }

    [Test]
    public void StartAsync_ListenIpNotAnAddress_Fails()
    {
        using var module = new OpenFlowControllerModule();
        using var context = new TestModuleContext(TestModuleContext.ParseProperties("listen_ip=switch,netserv_port=3"));
        Assert.ThrowsAsync<ArgumentException>(() => module.StartAsync(context, CancellationToken.None));
    }

    [Test]
    public void StartAsync_MoreNetservNodesNotPortAtMac_FailsSayingWhichNode()
    {
        using var module = new OpenFlowControllerModule();
        using var context = new TestModuleContext(TestModuleContext.ParseProperties("listen_port=0,netserv_port=3,more_netserv_nodes=4@02:00:00:00:00:04;node2"));
        var thrown = Assert.ThrowsAsync<ArgumentException>(() => module.StartAsync(context, CancellationToken.None));
        Assert.That(thrown!.Message, Does.Contain("'node2'"));
    }

    [Test]
    public async Task StartAsync_RealSwitchConnects_InstallsTheSignalingFlowCountsTheSwitchAndReportsNodeLiveness(CancellationToken cancellationToken)
    {
        using var ovs = TestSwitch.Start();
        ovs.AddHost("sender", "198.18.0.1/24");
        ovs.AddHost("node", "198.18.0.3/24");
        using var module = new OpenFlowControllerModule();
        using var context = new TestModuleContext(TestModuleContext.ParseProperties("listen_port=0,netserv_port=2"));
        ModuleOnSwitch.Start(ovs, module, context, cancellationToken);
        try
        {

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!ovs.DumpFlows().Any(f => f.Contains("udp,tp_dst=270 actions=output:2", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }

            Assert.That(ovs.DumpFlows(), Has.Some.Contains("udp,tp_dst=270 actions=output:2"));
            Assert.That(module.GetStatus()["switches"]!.GetValue<long>(), Is.EqualTo(1));

            // The node's liveness, as the switch reports its port: up, then down once the node's link goes.
            bool? Live() => module.GetStatus()["nodes"]![0]!["live"]?.GetValue<bool>();
            Assert.That(module.GetStatus()["nodes"]![0]!["port"]!.GetValue<uint>(), Is.EqualTo(2));
            deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Live() != true && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }

            Assert.That(Live(), Is.True);
            ovs.Hosts[1].Namespace.ExecChecked("ip", "link", "set", "eth0", "down");
            deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Live() != false && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }

            Assert.That(Live(), Is.False);
        }
        finally
        {
            await module.StopAsync(cancellationToken);
        }
    }
}
