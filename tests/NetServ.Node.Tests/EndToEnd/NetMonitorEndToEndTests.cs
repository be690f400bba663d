using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Status;
using NetServ.Signaling.Nslp;
using NetServ.TestSupport.Traffic;
using NetServ.Traffic;

namespace NetServ.Node.Tests.EndToEnd;

[TestFixture]
[NonParallelizable]
public sealed class NetMonitorEndToEndTests
{
    private const string Module = "NetServ.Apps.NetMonitor_1.0.0";

    [Test]
    public async Task NetMonitor_InstalledThroughAdminApi_CountsEveryPacketAndForwardsThemUnchanged()
    {
        RequiresRoot.Check();
        await using var path = await RouterPath.StartAsync();
        using var visualizer = UdpReceiver.Start(path.Path.Sender.Namespace, new IPEndPoint(IPAddress.Parse("198.18.0.1"), 5678));
        var setup = path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { Properties = "visualizer_ip=198.18.0.1,visualizer_port=5678,report_interval_ms=200" };
        await path.InstallAsync(setup);
        Assert.That(await path.RulesAsync(), Has.Count.EqualTo(1).And.Some.Contain("--queue-num 100"));

        const int N = 1000;
        var received = path.SendAndReceive("monitor", N);

        Assert.That(received, Is.EqualTo(UdpSender.Numbered("monitor", N).Select(p => Encoding.ASCII.GetString(p))), "every packet arrives, unchanged and in order");
        var status = await path.Node.StatusAsync();
        var module = (RouterPathStatus.Module(status, "alice", Module).Live?.Status as JsonObject)!;
        var flows = module["flows"]!.AsArray().OfType<JsonObject>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(module["totalPackets"]!.GetValue<long>(), Is.EqualTo(N));
            Assert.That(flows, Has.Length.EqualTo(1));
            Assert.That(flows[0]["source"]!.GetValue<string>(), Is.EqualTo("198.18.0.1"));
            Assert.That(flows[0]["destination"]!.GetValue<string>(), Is.EqualTo("198.19.0.1"));
            Assert.That(flows[0]["ttl"]!.GetValue<int>(), Is.EqualTo(63), "the FORWARD hook sees the packet after the router decremented its TTL");
            Assert.That(flows[0]["packets"]!.GetValue<long>(), Is.EqualTo(N));
        });

        // The visualizer hears the same table.
        visualizer.WaitFor(int.MaxValue, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(3));
        var lastReport = Encoding.ASCII.GetString(visualizer.Payloads[^1]);
        Assert.That(lastReport, Does.StartWith($"netmonitor {Module} alice ").And.Contain($"198.18.0.1 198.19.0.1 63 {N}"));

        var removed = await path.Node.RemoveAsync(Module, "alice");
        Assert.That(removed.StatusCode, Is.EqualTo(NslpStatus.Ok), removed.Headers[NslpHeaderNames.Error]);
        Assert.That(await path.RulesAsync(), Is.Empty, "the module's rules go with it");
        var after = await path.Node.StatusAsync(collect: true);
        var alice = after.ContainerOf("alice");
        Assert.Multiple(() =>
        {
            Assert.That(alice.Modules, Is.Empty);
            Assert.That(alice.LoadedModuleContexts, Is.Zero, "the module's load context is gone");
            Assert.That(alice.UnloadingModuleContexts, Is.Empty, "and has been collected");
        });
    }
}

internal static class RouterPathStatus
{
    public static ModuleStatus Module(NodeStatus status, string user, string module) =>
        status.ContainerOf(user).Modules.FirstOrDefault(m => m.Name == module)
        ?? throw new AssertionException($"{module} is not installed for {user}: {JsonSerializer.Serialize(status, StatusJsonContext.Default.NodeStatus)}");
}
