using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Status;
using NetServ.Networking;

namespace NetServ.Contracts.Tests.Status;

/// <summary>The node's status on the wire: the names and forms the CLI, the testbed and users' scripts read.</summary>
[TestFixture]
public sealed class StatusWireFormatTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // A status as netservd wrote it before it was typed: one ready container with a module its
    // container reported on, and one stopped container that did not answer.
    private const string Sample = """
        {
          "time": "2026-03-01T12:00:00.0000000+00:00",
          "containers": [
            {
              "state": "ready", "pid": 4242, "uid": 61001, "queue": 100, "restarts": 1,
              "startedAt": "2026-03-01T11:00:00.0000000+00:00", "lastExit": "killed by signal 9",
              "buildingBlocks": ["sip", "http-server"], "noModuleLayer": false,
              "cgroup": "/sys/fs/cgroup/netserv/router-1/alice", "memoryLimitMb": 256, "cpuLimit": 1.5,
              "user": "alice",
              "modules": [{
                "name": "NetServ.Apps.NetMonitor_1.0.0", "user": "alice", "url": "http://198.18.0.1/netmonitor.nsm",
                "digest": "ab12", "entryType": "NetServ.Apps.NetMonitor.NetMonitorModule",
                "filter": "udp/5060 to 198.19.0.0/24", "rules": 2, "properties": "interval=5", "dependencies": "",
                "origin": "admin", "installedAt": "2026-03-01T11:30:00.0000000+00:00",
                "expiresAt": "2026-03-01T12:30:00.0000000+00:00", "expiresInSeconds": 1800,
                "live": {
                  "name": "NetServ.Apps.NetMonitor_1.0.0", "started": "2026-03-01T11:30:01.5000000+00:00",
                  "packetProcessor": true, "filter": "udp/5060 to 198.19.0.0/24",
                  "counters": { "packets": 10, "dropped": 1, "modified": 0, "errors": 2, "lastError": "boom" },
                  "status": { "totalPackets": 10, "flows": [] }
                }
              }],
              "packets": { "received": 10, "accepted": 9, "dropped": 1, "modified": 0, "batches": 4 },
              "memory": { "gcHeapBytes": 1, "gcCommittedBytes": 2, "gcHeapLimitBytes": 3, "workingSetBytes": 4, "pssBytes": 52428800 },
              "loadedModuleContexts": 1, "unloadingModuleContexts": ["NetServ.Apps.KeepAlive_1.0.0"], "aspNetCoreLoaded": false
            },
            {
              "state": "stopped", "pid": null, "uid": 61002, "queue": 101, "restarts": 0, "startedAt": null, "lastExit": null,
              "buildingBlocks": null, "noModuleLayer": null, "cgroup": "cgroups unavailable", "memoryLimitMb": 128, "cpuLimit": 1,
              "user": "bob", "modules": []
            }
          ],
          "forwarding": { "chain": "NETSERV", "rules": ["-A NETSERV -d 198.19.0.0/24 -p udp -m udp --dport 5060 -j NFQUEUE --queue-num 100"] },
          "recentFailures": [{ "time": "2026-03-01T11:59:00.0000000+00:00", "user": "bob", "module": "M_1.0.0", "reason": "hung", "detail": null }],
          "recentRemovals": [
            { "time": "2026-03-01T11:58:00.0000000+00:00", "user": "alice", "module": "NetServ.Apps.KeepAlive_1.0.0", "reason": "ttl-expired", "detail": null },
            { "time": "2026-03-01T11:57:00.0000000+00:00", "user": "bob", "module": "M_0.9.0", "reason": "evicted", "detail": "the container died 3 times within a minute" }
          ],
          "provenOwnership": [{ "time": "2026-03-01T11:56:00.0000000+00:00", "user": "carol", "prefix": "198.19.0.1/32", "url": "http://198.19.0.1:8081/.well-known/netserv-password" }],
          "signaling": { "repeatsAnswered": 2, "repeatsInProgress": 1, "dropped": { "malformed": 6, "unknownAssociation": 1, "wrongEncapsulation": 0, "refusedConfirm": 3 } },
          "node": "router-1"
        }
        """;

    // What a node wrote before status had removals, proofs of ownership and signaling counters.
    private const string WithoutEvents = """
        { "time": "2026-03-01T12:00:00.0000000+00:00", "containers": [], "forwarding": { "chain": "NETSERV", "rules": [] }, "recentFailures": [], "node": "router-1" }
        """;

    [Test]
    public void Deserialize_StatusAsTheNodeWritesIt_ReadsEveryPart()
    {
        var status = JsonSerializer.Deserialize(Sample, StatusJsonContext.Default.NodeStatus)!;

        var alice = status.ContainerOf("alice");
        var bob = status.ContainerOf("bob");
        var module = alice.Modules.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.Node, Is.EqualTo("router-1"));
            Assert.That(status.Time, Is.EqualTo(Noon));
            Assert.That(alice.State, Is.EqualTo(ContainerState.Ready));
            Assert.That((alice.Pid, alice.Uid, alice.Queue, alice.Restarts), Is.EqualTo((4242, 61001, 100, 1)));
            Assert.That(alice.StartedAt, Is.EqualTo(Noon.AddHours(-1)));
            Assert.That(alice.BuildingBlocks, Is.EqualTo(new[] { "sip", "http-server" }));
            Assert.That(alice.CpuLimit, Is.EqualTo(1.5));
            Assert.That(alice.Packets, Is.EqualTo(new PacketCounters { Received = 10, Accepted = 9, Dropped = 1, Modified = 0, Batches = 4 }));
            Assert.That(alice.Memory?.PssBytes, Is.EqualTo(52428800));
            Assert.That(alice.UnloadingModuleContexts, Is.EqualTo(new[] { "NetServ.Apps.KeepAlive_1.0.0" }));
            Assert.That(module.Filter, Is.EqualTo("udp/5060 to 198.19.0.0/24"));
            Assert.That(module.ExpiresAt, Is.EqualTo(Noon.AddMinutes(30)));
            Assert.That(module.Live?.Counters, Is.EqualTo(new ModuleCounters { Packets = 10, Dropped = 1, Errors = 2, LastError = "boom" }));
            Assert.That(module.Live?.Status?["totalPackets"]?.GetValue<long>(), Is.EqualTo(10), "a module's own status stays free-form");
            Assert.That(bob.State, Is.EqualTo(ContainerState.Stopped));
            Assert.That(bob.Pid, Is.Null);
            Assert.That(bob.Packets, Is.Null, "a container that did not answer has no counters");
            Assert.That(status.Forwarding.Rules, Has.Count.EqualTo(1));
            Assert.That(status.RecentFailures.Single(), Is.EqualTo(new ModuleFailure { Time = Noon.AddMinutes(-1), User = "bob", Module = "M_1.0.0", Reason = "hung" }));
        }
    }

    [Test]
    public void Deserialize_Status_ReadsRemovalsProofsAndSignalingCountersTyped()
    {
        var status = JsonSerializer.Deserialize(Sample, StatusJsonContext.Default.NodeStatus)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.RecentRemovals, Is.EqualTo(new[]
            {
                new ModuleRemoval { Time = Noon.AddMinutes(-2), User = "alice", Module = "NetServ.Apps.KeepAlive_1.0.0", Reason = ModuleRemovalReason.TtlExpired },
                new ModuleRemoval { Time = Noon.AddMinutes(-3), User = "bob", Module = "M_0.9.0", Reason = ModuleRemovalReason.Evicted, Detail = "the container died 3 times within a minute" },
            }));
            Assert.That(status.ProvenOwnership.Single(), Is.EqualTo(new OwnershipProof
            {
                Time = Noon.AddMinutes(-4),
                User = "carol",
                Prefix = Ipv4Prefix.Parse("198.19.0.1/32"),
                Url = new Uri("http://198.19.0.1:8081/.well-known/netserv-password"),
            }));
            Assert.That(status.Signaling, Is.EqualTo(new SignalingCounters
            {
                RepeatsAnswered = 2,
                RepeatsInProgress = 1,
                Dropped = new DroppedMessages { Malformed = 6, UnknownAssociation = 1, RefusedConfirm = 3 },
            }));
        }
    }

    [Test]
    public void Deserialize_StatusOfANodeWithoutEvents_HasNoRemovalsNoProofsAndZeroCounters()
    {
        var status = JsonSerializer.Deserialize(WithoutEvents, StatusJsonContext.Default.NodeStatus)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.RecentRemovals, Is.Empty);
            Assert.That(status.ProvenOwnership, Is.Empty);
            Assert.That(status.Signaling, Is.EqualTo(new SignalingCounters()));
        }
    }

    [TestCase(ModuleRemovalReason.Removed, "removed")]
    [TestCase(ModuleRemovalReason.TtlExpired, "ttl-expired")]
    [TestCase(ModuleRemovalReason.Evicted, "evicted")]
    [TestCase(ModuleRemovalReason.ReinstallFailed, "reinstall-failed")]
    public void Serialize_RemovalReason_WritesItsWireName(ModuleRemovalReason reason, string name)
    {
        var removal = new ModuleRemoval { Time = Noon, User = "alice", Module = "M_1.0.0", Reason = reason };

        var written = JsonSerializer.SerializeToNode(new NodeStatus
        {
            Time = Noon,
            Containers = [],
            Forwarding = new ForwardingStatus { Chain = "NETSERV" },
            RecentFailures = [],
            RecentRemovals = [removal],
            Node = "n",
        }, StatusJsonContext.Default.NodeStatus)!;

        Assert.That(written["recentRemovals"]![0]!["reason"]!.GetValue<string>(), Is.EqualTo(name));
    }

    [Test]
    public void Serialize_Status_WritesTheSampleBack()
    {
        var status = JsonSerializer.Deserialize(Sample, StatusJsonContext.Default.NodeStatus)!;

        var written = JsonSerializer.SerializeToNode(status, StatusJsonContext.Default.NodeStatus);

        Assert.That(JsonNode.DeepEquals(written, JsonNode.Parse(Sample)), Is.True, written!.ToJsonString());
    }

    [Test]
    public void Serialize_ContainerWithoutAnswer_WritesNullsItKnowsAndLeavesOutWhatOnlyTheContainerTells()
    {
        var container = new ContainerStatus { State = ContainerState.Restarting, Queue = 7, User = "carol", StartedAt = new DateTimeOffset(2026, 3, 1, 12, 0, 0, 500, TimeSpan.Zero) };

        var json = JsonSerializer.Serialize(new NodeStatus
        {
            Time = Noon,
            Containers = [container],
            Forwarding = new ForwardingStatus { Chain = "NETSERV" },
            RecentFailures = [],
            Node = "n",
        }, StatusJsonContext.Default.NodeStatus);

        // The serializer's default encoder escapes '+', as netservd's status always did.
        Assert.That(json, Is.EqualTo(
            """{"time":"2026-03-01T12:00:00.0000000\u002B00:00","containers":[{"state":"restarting","pid":null,"uid":0,"queue":7,"restarts":0,"startedAt":"2026-03-01T12:00:00.5000000\u002B00:00","lastExit":null,"buildingBlocks":null,"noModuleLayer":null,"cgroup":null,"memoryLimitMb":0,"cpuLimit":0,"user":"carol","modules":[]}],"forwarding":{"chain":"NETSERV","rules":[]},"recentFailures":[],"recentRemovals":[],"provenOwnership":[],"signaling":{"repeatsAnswered":0,"repeatsInProgress":0,"dropped":{"malformed":0,"unknownAssociation":0,"wrongEncapsulation":0,"refusedConfirm":0}},"node":"n"}"""));
    }

    [Test]
    public void Deserialize_ContainerReport_ReadsWhatTheContainerAnswersToAStatusRequest()
    {
        const string reply = """
            {
              "modules": [{ "name": "NetServ.Apps.KeepAlive_1.0.0", "started": "2026-03-01T12:00:00.0000000+00:00", "packetProcessor": false, "filter": null, "status": { "sessions": 3 } }],
              "loadedModuleContexts": 1, "unloadingModuleContexts": [],
              "user": "alice", "pid": 99, "queue": 100, "noModuleLayer": true,
              "packets": { "received": 5, "accepted": 5, "dropped": 0, "modified": 0, "batches": 1 },
              "memory": { "gcHeapBytes": 1, "gcCommittedBytes": 2, "gcHeapLimitBytes": 3, "workingSetBytes": 4, "pssBytes": -1 },
              "aspNetCoreLoaded": true
            }
            """;

        var report = JsonNode.Parse(reply).Deserialize(StatusJsonContext.Default.ContainerReport)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((report.User, report.Pid, report.Queue, report.NoModuleLayer, report.AspNetCoreLoaded), Is.EqualTo(("alice", 99, 100, true, true)));
            Assert.That(report.Modules.Single().Counters, Is.Null, "a module outside the packet path has no counters");
            Assert.That(report.Modules.Single().Status?["sessions"]?.GetValue<int>(), Is.EqualTo(3));
            Assert.That(report.Packets.Batches, Is.EqualTo(1));
            Assert.That(report.Memory.PssBytes, Is.EqualTo(-1));
        }
    }

    [Test]
    public void ContainerOf_UserWithoutContainer_SaysWhichNode()
    {
        var status = JsonSerializer.Deserialize(Sample, StatusJsonContext.Default.NodeStatus)!;

        Assert.That(() => status.ContainerOf("mallory"), Throws.InvalidOperationException.With.Message.EqualTo("no container of mallory in the status of router-1"));
    }
}
