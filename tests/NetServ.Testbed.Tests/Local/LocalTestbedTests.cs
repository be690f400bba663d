using System.Net;
using NetServ.RSpec;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Local;
using NetServ.Traffic;
using NetServ.TestSupport.Testbeds;
using NetServ.TestSupport.Traffic;

namespace NetServ.Testbed.Tests.Local;

/// <summary>Realising requests on this machine, as root: namespaces, veth pairs, routes, services, and what is left after.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LocalTestbedTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public async Task Realise_EvaluationRequest_ForwardsUdpBothWaysThroughTheRouter()
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.Evaluation);
        var sender = testbed["sender"];
        var receiver = testbed["receiver"];
        using var atReceiver = UdpReceiver.Start(receiver.Namespace, new IPEndPoint(receiver.Address.ToIPAddress(), 40000));
        using var atSender = UdpReceiver.Start(sender.Namespace, new IPEndPoint(sender.Address.ToIPAddress(), 40001));

        UdpSender.Send(sender.Namespace, new IPEndPoint(receiver.Address.ToIPAddress(), 40000), UdpSender.Numbered("down", 20), 1000);
        atReceiver.WaitFor(20, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        UdpSender.Send(receiver.Namespace, new IPEndPoint(sender.Address.ToIPAddress(), 40001), UdpSender.Numbered("up", 20), 1000);
        atSender.WaitFor(20, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(atReceiver.Count, Is.EqualTo(20));
            Assert.That(atReceiver.Senders.Select(s => s.Address.ToString()).Distinct(), Is.EqualTo(new[] { "198.18.0.1" }));
            Assert.That(atSender.Count, Is.EqualTo(20));
            Assert.That(atSender.Senders.Select(s => s.Address.ToString()).Distinct(), Is.EqualTo(new[] { "198.19.0.1" }));
            Assert.That(testbed["router"].Namespace.GetSysctl("net.ipv4.ip_forward"), Is.EqualTo("1"));
            Assert.That(sender.Namespace.GetSysctl("net.ipv4.ip_forward"), Is.EqualTo("0"), "an end host does not forward");
            Assert.That(testbed["router"].ServiceResults, Has.Count.EqualTo(1));
            Assert.That(testbed["router"].ServiceResults[0].TimedOut, Is.False);
        }
    }

    [Test]
    public async Task Realise_WithoutExecuteServices_RunsThemOnlyWhenAsked()
    {
        var request = TestRequests.WithExecutes(TestRequests.Evaluation, "receiver", new ExecuteService("sh", "echo ran in $(ip -4 -o address show dev eth0 | awk '{print $4}')"));
        using var testbed = await LocalTestbed.RealiseAsync(request, new LocalTestbedOptions { RunExecuteServices = false });
        var receiver = testbed["receiver"];
        var before = receiver.ServiceResults.Count;

        var result = await testbed.RunServiceAsync(receiver, receiver.Definition.Executes[0]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.Zero, "realising ran nothing");
            Assert.That(result.Succeeded, Is.True, result.StandardError);
            Assert.That(result.StandardOutput.Trim(), Is.EqualTo("ran in 198.19.0.1/24"), "inside the node's namespace");
            Assert.That(receiver.ServiceResults, Is.EqualTo(new[] { result }));
        }
    }

    [Test]
    public async Task RunServiceAsync_ThroughITestbed_RunsInTheTemporaryFolderAndRefusesAnotherTestbedsNode()
    {
        var request = TestRequests.WithExecutes(TestRequests.Evaluation, "receiver", new ExecuteService("/bin/sh", "pwd"));
        await using var testbed = await LocalTestbed.RealiseAsync(request, new LocalTestbedOptions { RunExecuteServices = false });
        ITestbed generic = testbed;
        var receiver = generic.Nodes.Single(n => n.ClientId == "receiver");

        var result = await generic.RunServiceAsync(receiver, receiver.Definition.Executes[0]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Succeeded, Is.True, result.StandardError);
            Assert.That(result.StandardOutput.Trim(), Is.EqualTo(Path.TrimEndingDirectorySeparator(Path.GetTempPath())));
            Assert.That(receiver.ServiceResults, Is.EqualTo(new[] { result }));
            Assert.ThrowsAsync<ArgumentException>(() => generic.RunServiceAsync(new FakeTestbedNode("receiver"), receiver.Definition.Executes[0]));
        }
    }

    [Test]
    public async Task Session_OfANode_RunsInItsNamespaceUntilTheNamespaceIsGone()
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.Evaluation, new LocalTestbedOptions { RunExecuteServices = false });
        var session = testbed["router"].Session;

        var inside = await session.RunAsync("ip", ["-4", "-o", "address", "show", "dev", "eth1"], TimeSpan.FromSeconds(10));
        testbed.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(inside.StandardOutput, Does.Contain("198.19.0.2/24"));
            Assert.ThrowsAsync<NodeUnreachableException>(() => session.RunAsync("true", [], TimeSpan.FromSeconds(10)));
        }
    }

    [Test]
    public async Task Session_ForwardPort_IsTheNodesOwnPortConnectedFromInsideItsNamespace()
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.Evaluation, new LocalTestbedOptions { RunExecuteServices = false });
        var receiver = testbed["receiver"];
        await using var server = PackageServer.Start(Path.GetTempPath(), receiver.Address.ToIPAddress(), 0, receiver.Namespace);

        await using var forward = await receiver.Session.ForwardPortAsync(server.EndPoint);
        using var socket = await forward.ConnectAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(forward.EndPoint, Is.EqualTo(server.EndPoint), "nothing is forwarded to a namespace");
            Assert.That(socket.Connected, Is.True);
        }
    }

    [Test]
    public async Task Realise_EvaluationRequest_ExposesNamespacesAndAddressesByClientId()
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.Evaluation);
        var router = testbed["router"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(testbed.Nodes.Select(n => n.Namespace.Name), Is.EqualTo(new[] { "sender", "router", "receiver" }.Select(n => $"ns-{testbed.Id}-{n}")));
            Assert.That(NamespacesOf(testbed.Id), Is.EquivalentTo(testbed.Nodes.Select(n => n.Namespace.Name)));
            Assert.That(testbed.AddressOf("receiver:if0").ToString(), Is.EqualTo("198.19.0.1"));
            Assert.That(router.Interfaces.Select(i => (i.ClientId, i.Device, i.Address.ToString(), i.PrefixLength)), Is.EqualTo(new[]
            {
                ("router:if0", "eth0", "198.18.0.2", 24),
                ("router:if1", "eth1", "198.19.0.2", 24),
            }));
            Assert.That(router.Namespace.ExecChecked("ip", "-4", "-o", "address", "show", "dev", "eth1").StandardOutput, Does.Contain("198.19.0.2/24"));
            Assert.That(testbed["sender"].Namespace.ExecChecked("ip", "route", "show", "198.19.0.0/24").StandardOutput, Does.Contain("via 198.18.0.2"));
            Assert.That(testbed.TryGetNode("nobody", out _), Is.False);
        }
    }

    [Test]
    public async Task Realise_SignalingPathRequest_RoutesAcrossEveryHop()
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.SignalingPath);
        var provider = testbed["provider"];
        var user = testbed["user"];
        using var atUser = UdpReceiver.Start(user.Namespace, new IPEndPoint(IPAddress.Any, 40000));
        using var atProvider = UdpReceiver.Start(provider.Namespace, new IPEndPoint(IPAddress.Any, 40001));

        UdpSender.Send(provider.Namespace, new IPEndPoint(user.Address.ToIPAddress(), 40000), UdpSender.Numbered("down", 5), 1000);
        UdpSender.Send(user.Namespace, new IPEndPoint(provider.Address.ToIPAddress(), 40001), UdpSender.Numbered("up", 5), 1000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(atUser.WaitFor(5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)), Is.EqualTo(5));
            Assert.That(atProvider.WaitFor(5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)), Is.EqualTo(5));
            Assert.That(user.Address.ToString(), Is.EqualTo("198.18.4.2"));
            Assert.That(testbed["plain"].Namespace.GetSysctl("net.ipv4.ip_forward"), Is.EqualTo("1"));
            Assert.That(testbed.Nodes.Where(n => n.ServiceResults.Count > 0).Select(n => n.ClientId), Is.EqualTo(new[] { "a", "b" }));
        }
    }

    [Test]
    public async Task Realise_ExecuteService_RunsInsideTheNodesNamespaceWithItsOutputKept()
    {
        var request = TestRequests.WithExecutes(
            TestRequests.Evaluation, "router", new ExecuteService("sh", "ip -4 -o address show; echo to-stderr >&2; exit 3"));

        using var testbed = await LocalTestbed.RealiseAsync(request);

        var result = testbed["router"].ServiceResults.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.StandardOutput, Does.Contain("198.18.0.2/24").And.Contain("198.19.0.2/24"));
            Assert.That(result.StandardOutput, Does.Not.Contain("198.18.0.1/"), "the router's namespace, not the sender's");
            Assert.That(result.StandardError, Is.EqualTo("to-stderr\n"));
            Assert.That(result.ExitCode, Is.EqualTo(3));
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.NodeClientId, Is.EqualTo("router"));
        }
    }

    [Test]
    public async Task Realise_ExecuteServicePastTheTimeout_IsKilledAndRecorded()
    {
        var marker = Marker();
        var request = TestRequests.WithExecutes(
            TestRequests.Evaluation, "router", new ExecuteService("sh", $"echo before; sleep {marker}"), new ExecuteService("bash", "echo next"));

        using var testbed = await LocalTestbed.RealiseAsync(request, new LocalTestbedOptions { ExecuteTimeout = TimeSpan.FromSeconds(1) });

        var results = testbed["router"].ServiceResults;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results[0].TimedOut, Is.True);
            Assert.That(results[0].ExitCode, Is.Null);
            Assert.That(results[0].StandardOutput, Is.EqualTo("before\n"));
            Assert.That(results[0].Duration, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(results[1].StandardOutput, Is.EqualTo("next\n"));
            Assert.That(results[1].Succeeded, Is.True);
            Assert.That(ProcessesWith(marker), Is.Empty, "the timed-out command is killed");
        }
    }

    [Test]
    public async Task Dispose_RemovesEveryNamespaceAndWhatServicesLeftRunning()
    {
        var marker = Marker();
        var request = TestRequests.WithExecutes(TestRequests.Evaluation, "router", new ExecuteService("sh", $"sleep {marker} >/dev/null 2>&1 &"));
        var testbed = await LocalTestbed.RealiseAsync(request);
        Assert.That(ProcessesWith(marker), Is.Not.Empty, "the service's background process runs in the router's namespace");

        testbed.Dispose();

        Assert.That(NamespacesOf(testbed.Id), Is.Empty);
        Assert.That(ProcessesWith(marker), Is.Empty);
    }

    [Test]
    public void Realise_FailureHalfWay_LeavesNothingBehind()
    {
        var id = LocalNetwork.NewId();
        var options = new LocalTestbedOptions
        {
            NetworkId = id,
            BeforeStep = step =>
            {
                if (step == "create link router-receiver")
                {
                    Assert.That(NamespacesOf(id), Has.Count.EqualTo(3), "every node's namespace exists by now");
                    throw new InvalidOperationException("injected failure");
                }
            },
        };

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => LocalTestbed.RealiseAsync(TestRequests.Evaluation, options));

        Assert.That(error!.Message, Is.EqualTo("injected failure"));
        Assert.That(NamespacesOf(id), Is.Empty);
    }

    [Test]
    public void Realise_AddressOutsideTheRangeOnTheThirdNode_IsRefusedAndLeavesNothingBehind()
    {
        var id = LocalNetwork.NewId();
        var request = TestRequests.WithAddress(TestRequests.Evaluation, "receiver:if0", "10.0.0.1", 24);

        var error = Assert.ThrowsAsync<LocalTestbedException>(() => LocalTestbed.RealiseAsync(request, new LocalTestbedOptions { NetworkId = id }));

        Assert.That(error!.Message, Does.Contain("'receiver:if0'").And.Contain("10.0.0.1 is outside 198.18.0.0/15"));
        Assert.That(NamespacesOf(id), Is.Empty);
    }

    [Test]
    public void Realise_CancelledDuringAServiceOnTheThirdNode_LeavesNothingBehind()
    {
        var id = LocalNetwork.NewId();
        var marker = Marker();
        var request = TestRequests.WithExecutes(TestRequests.Evaluation, "receiver", new ExecuteService("sh", $"sleep {marker}"));
        var reachedTheService = false;
        var options = new LocalTestbedOptions { NetworkId = id, BeforeStep = step => reachedTheService |= step == "execute on receiver" };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        Assert.CatchAsync<OperationCanceledException>(() => LocalTestbed.RealiseAsync(request, options, cancellationToken: cancellation.Token));

        Assert.That(reachedTheService, Is.True, "the cancellation should come while the service runs");
        Assert.That(NamespacesOf(id), Is.Empty);
        Assert.That(ProcessesWith(marker), Is.Empty);
    }

    /// <summary>The namespaces on this machine of the testbed tagged <paramref name="id"/>.</summary>
    private static IReadOnlyList<string> NamespacesOf(string id) => NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{id}-");

    /// <summary>A sleep duration no other process has on its command line: 299.&lt;random&gt; seconds.</summary>
    private static string Marker() => $"299.{Random.Shared.Next(100_000, 999_999)}";

    /// <summary>The processes whose command line contains <paramref name="marker"/>.</summary>
    private static List<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
