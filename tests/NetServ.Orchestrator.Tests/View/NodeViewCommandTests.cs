using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NetServ.Contracts.Status;
using NetServ.Orchestrator.View;

namespace NetServ.Orchestrator.Tests.View;

[TestFixture]
public sealed class NodeViewCommandTests
{
    [Test]
    public async Task Run_ViewPortInUse_ExitTwoBeforeAnythingIsCreated()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["run", Path.Combine(Testbed.Nodes.BuildOutputs.RepositoryRoot, "rspecs", "evaluation.rspec.xml"), "--view", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], output, error);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain($"--view {port}: cannot serve the node view on 127.0.0.1:{port}"));
            Assert.That(output.ToString(), Does.Not.Contain("reserve"), "no phase started");
        });
    }

    [Test]
    public void Describe_NetMonitorStatus_ModulesWithCountsAndFlows()
    {
        var status = new NodeStatus
        {
            Node = "router",
            Time = DateTimeOffset.UnixEpoch,
            Forwarding = new ForwardingStatus { Chain = "NETSERV" },
            RecentFailures = [],
            Containers =
            [
                new ContainerStatus
                {
                    User = "demo",
                    State = ContainerState.Ready,
                    Modules =
                    [
                        new ModuleStatus
                        {
                            Name = "NetServ.Apps.NetMonitor_1.0.0",
                            User = "demo",
                            Filter = "udp/5060 to 198.19.0.0/24",
                            Live = new ModuleLiveStatus
                            {
                                Name = "NetServ.Apps.NetMonitor_1.0.0",
                                Counters = new ModuleCounters { Packets = 12, Dropped = 1 },
                                Status = JsonNode.Parse("""{ "flows": [ { "source": "198.18.0.1", "destination": "198.19.0.1", "ttl": 63, "packets": 12 } ] }"""),
                            },
                        },
                    ],
                },
            ],
        };

        var view = NodeViewModel.Describe(status, null);

        var module = view["modules"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(module["packets"]!.GetValue<long>(), Is.EqualTo(12));
            Assert.That(module["dropped"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(module["filter"]!.GetValue<string>(), Is.EqualTo("udp/5060 to 198.19.0.0/24"));
            Assert.That(module["flows"]!.AsArray().Single()!["packets"]!.GetValue<long>(), Is.EqualTo(12));
            Assert.That(view["containers"]!.AsArray().Single()!["state"]!.GetValue<string>(), Is.EqualTo("ready"));
        });
    }

    [Test]
    public void Describe_NodeThatDoesNotAnswer_ShowsWhy() =>
        Assert.That(NodeViewModel.Describe(null, "connection refused")["error"]!.GetValue<string>(), Is.EqualTo("connection refused"));
}
