using System.Text.Json.Nodes;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;
using NetServ.Node.Containers;
using NetServ.Node.Control;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Control;

/// <summary>What the node says about itself: status, capabilities, policies, one module.</summary>
[TestFixture]
public sealed class StatusReportTests
{
    [Test]
    public async Task StatusAsync_ListsEachContainerWithItsModulesInInstallOrderAndWhatTheContainerSaysOfThem()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.InstalledAsync(ControlRig.Setup("alice", ControlRig.NetMonitor, filterDestinations: "198.19.4.0/24"));
        await rig.InstalledAsync(ControlRig.Setup("alice", ControlRig.KeepAlive));
        rig.Containers.Answer = (user, message) => message is StatusRequestMessage
            ? new ReplyMessage { Ok = true, Data = LiveStatus(user == "alice" ? ControlRig.NetMonitor : null, packets: 42) }
            : new ReplyMessage { Ok = true };

        var status = await rig.Status.StatusAsync(onlyUser: null, collectGarbage: false, CancellationToken.None);

        var containers = status.Containers;
        var alice = containers[0];
        var modules = alice.Modules;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.Time, Is.EqualTo(ControlRig.Start));
            Assert.That(status.Node, Is.EqualTo("node-a"));
            Assert.That(containers.Select(c => c.User), Is.EqualTo(new[] { "alice", "bob" }));
            Assert.That(alice.State, Is.EqualTo(Contracts.Status.ContainerState.Ready), "the container host's own description");
            Assert.That(alice.Packets?.Received, Is.EqualTo(42));
            Assert.That(modules.Select(m => m.Name), Is.EqualTo(new[] { ControlRig.NetMonitor, ControlRig.KeepAlive }));
            Assert.That(modules[0].Live?.Counters?.Packets, Is.EqualTo(7));
            Assert.That(modules[1].Live, Is.Null, "the container said nothing of this module");
            Assert.That(modules[0].ExpiresInSeconds, Is.EqualTo(3600));
            Assert.That(containers[1].Modules, Is.Empty);
            Assert.That(status.Forwarding.Chain, Is.EqualTo("NETSERV"));
            Assert.That(status.Forwarding.Rules, Has.Exactly(1).Contains("module=NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(status.RecentFailures, Is.Empty);
        }

        Assert.That(rig.Containers.RequestsOf<StatusRequestMessage>().Select(r => r.CollectGarbage), Is.All.False);
    }

    [Test]
    public async Task StatusAsync_OneUser_ShowsOnlyThatUsersContainer()
    {
        await using var rig = await ControlRig.StartAsync();

        var status = await rig.Status.StatusAsync(onlyUser: "bob", collectGarbage: true, CancellationToken.None);

        Assert.That(status.Containers.Select(c => c.User), Is.EqualTo(new[] { "bob" }));
        Assert.That(rig.Containers.RequestsOf<StatusRequestMessage>().Single().CollectGarbage, Is.True);
    }

    [Test]
    public async Task StatusAsync_ContainerThatDoesNotAnswer_ShowsItsModulesWithoutTheirLiveStatus()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.InstalledAsync(ControlRig.Setup("alice"));
        rig.Containers.Answer = (user, _) => throw new ContainerUnavailableException($"the container of {user} is restarting");

        var status = await rig.Status.StatusAsync(onlyUser: "alice", collectGarbage: false, CancellationToken.None);

        var alice = status.Containers[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(alice.Modules[0].Name, Is.EqualTo(ControlRig.NetMonitor));
            Assert.That(alice.Modules[0].Live, Is.Null);
            Assert.That(alice.Packets, Is.Null, "no counters without an answer");
        }
    }

    [Test]
    public async Task StatusAsync_RecentFailures_NewestFirst()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Failures.Record("alice", ControlRig.NetMonitor, "hung", "Process did not return within 1000 ms");
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        rig.Failures.Record("bob", ControlRig.KeepAlive, "crashed", null);

        var status = await rig.Status.StatusAsync(onlyUser: null, collectGarbage: false, CancellationToken.None);

        var failures = status.RecentFailures;
        Assert.That(failures.Select(f => f.Reason), Is.EqualTo(new[] { "crashed", "hung" }));
        Assert.That(failures[1].Time, Is.EqualTo(ControlRig.Start));
    }

    [Test]
    public async Task StatusAsync_OneUser_ListsOnlyThatUsersRemovalsNewestFirst()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Removals.Record("alice", ControlRig.NetMonitor, ModuleRemovalReason.Removed, null);
        rig.Removals.Record("bob", ControlRig.KeepAlive, ModuleRemovalReason.TtlExpired, null);
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        rig.Removals.Record("alice", ControlRig.KeepAlive, ModuleRemovalReason.ReinstallFailed, "no such building block");

        var status = await rig.Status.StatusAsync(onlyUser: "alice", collectGarbage: false, CancellationToken.None);

        Assert.That(status.RecentRemovals.Select(r => (r.Module, r.Reason, r.Time)), Is.EqualTo(new[]
        {
            (ControlRig.KeepAlive, ModuleRemovalReason.ReinstallFailed, ControlRig.Start.AddSeconds(5)),
            (ControlRig.NetMonitor, ModuleRemovalReason.Removed, ControlRig.Start),
        }));
    }

    [Test]
    public async Task StatusAsync_SignalingCounters_AreTheNodes()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Signaling.RepeatAnswered();

        var status = await rig.Status.StatusAsync(onlyUser: "alice", collectGarbage: false, CancellationToken.None);

        Assert.That(status.Signaling.RepeatsAnswered, Is.EqualTo(1));
    }

    [Test]
    public async Task ProbeAsync_ModuleNotInstalled_IsNotFoundOnThisNode()
    {
        await using var rig = await ControlRig.StartAsync();

        var report = await rig.Status.ProbeAsync(new ProbeRequest { Kind = ProbeKind.Module, Target = ControlRig.NetMonitor }, collectGarbage: false, CancellationToken.None);

        Assert.That(report.IsRefused(out var refusal, out _), Is.True);
        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.NotFound, "NetServ.Apps.NetMonitor_1.0.0 is not installed on node-a")));
    }

    [Test]
    public async Task ProbeAsync_Module_DescribesItWithTheTimeItHasLeftAndNamesTheNode()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.InstalledAsync(ControlRig.Setup("bob", ttl: TimeSpan.FromSeconds(600)));
        rig.Time.Advance(TimeSpan.FromSeconds(100));

        var body = await BodyAsync(rig, new ProbeRequest { Kind = ProbeKind.Module, Target = ControlRig.NetMonitor });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body["name"]?.GetValue<string>(), Is.EqualTo(ControlRig.NetMonitor));
            Assert.That(body["user"]?.GetValue<string>(), Is.EqualTo("bob"));
            Assert.That(body["expiresInSeconds"]?.GetValue<int>(), Is.EqualTo(500));
            Assert.That(body["node"]?.GetValue<string>(), Is.EqualTo("node-a"));
        }
    }

    [Test]
    public async Task ProbeAsync_Capabilities_OfferTheContainersBuildingBlocksAndTheNodesLimits()
    {
        await using var rig = await ControlRig.StartAsync(o => o.MaxTtlSeconds = 7200);
        rig.Containers["bob"].Hello = rig.Containers["bob"].Hello! with { BuildingBlocks = ["sip", "HTTP-server"] };

        var body = await BodyAsync(rig, new ProbeRequest { Kind = ProbeKind.Capabilities, Target = "*" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body["buildingBlocks"]?.AsArray().Select(b => b?.GetValue<string>()), Is.EqualTo(new[] { "http-server", "sip" }));
            Assert.That(body["version"]?.GetValue<string>(), Is.EqualTo(NslpMessage.CurrentVersion));
            Assert.That(body["maxTtlSeconds"]?.GetValue<int>(), Is.EqualTo(7200));
            Assert.That(body["node"]?.GetValue<string>(), Is.EqualTo("node-a"));
        }
    }

    [Test]
    public async Task ProbeAsync_PoliciesOfOneUser_ShowThatUsersPrefixesAndPorts()
    {
        await using var rig = await ControlRig.StartAsync();

        var body = await BodyAsync(rig, new ProbeRequest { Kind = ProbeKind.Policies, Target = "*", User = "alice" });

        var users = body["users"]!.AsArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(users, Has.Count.EqualTo(1));
            Assert.That(users[0]?["allowedPrefixes"]?.AsArray().Select(p => p?.GetValue<string>()), Is.EqualTo(new[] { "198.19.0.0/16" }));
            Assert.That(users[0]?["allowedPorts"]?.AsArray().Select(p => p!.GetValue<int>()), Is.EqualTo(new[] { 8080, 8443 }));
            Assert.That(body["reverseRoutability"]?["enabled"]?.GetValue<bool>(), Is.False);
        }
    }

    private static JsonObject LiveStatus(string? module, int packets)
    {
        var modules = new JsonArray();
        if (module is not null)
        {
            modules.Add(new JsonObject { ["name"] = module, ["counters"] = new JsonObject { ["packets"] = 7 } });
        }

        return new JsonObject { ["user"] = "alice", ["modules"] = modules, ["packets"] = new JsonObject { ["received"] = packets }, ["memory"] = new JsonObject { ["pssBytes"] = 1_000_000 } };
    }

    private static async Task<JsonObject> BodyAsync(ControlRig rig, ProbeRequest probe)
    {
        var report = await rig.Status.ProbeAsync(probe, collectGarbage: false, CancellationToken.None);
        if (report.IsRefused(out var refusal, out var body))
        {
            throw new AssertionException($"refused: {refusal}");
        }

        return body;
    }
}
