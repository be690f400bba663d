using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Contracts.Tests.Control;

/// <summary>The control protocol between netservd and a container, over a connected Unix stream socket.</summary>
[TestFixture]
public sealed class ControlChannelTests
{
    [Test]
    public async Task ReceiveAsync_InstallRequest_ArrivesWithEveryField()
    {
        var (nodeSocket, containerSocket) = ConnectedPair();
        await using var node = new ControlChannel(nodeSocket);
        await using var container = new ControlChannel(containerSocket);
        var sent = new InstallModuleMessage
        {
            Id = 7,
            Module = "NetServ.Apps.NetMonitor_1.0.0",
            Directory = "/var/lib/netserv/users/alice/modules/NetServ.Apps.NetMonitor_1.0.0",
            AssemblyFile = "NetServ.Apps.NetMonitor.dll",
            EntryType = "NetServ.Apps.NetMonitor.NetMonitorModule",
            DataDirectory = "/var/lib/netserv/users/alice/data/NetServ.Apps.NetMonitor_1.0.0",
            Properties = new Dictionary<string, string> { ["interval"] = "5" },
            Filter = new FilterSpec { Protocol = FilterProtocol.Udp, Port = 5060, Destinations = [Ipv4Prefix.Parse("198.18.0.0/15")] },
            AllowedPorts = [8080],
        };

        await node.SendAsync(sent, CancellationToken.None);
        var received = await container.ReceiveAsync(CancellationToken.None);

        Assert.That(received, Is.TypeOf<InstallModuleMessage>());
        var install = (InstallModuleMessage)received!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(install.Id, Is.EqualTo(7));
            Assert.That(install.Module, Is.EqualTo(sent.Module));
            Assert.That(install.Directory, Is.EqualTo(sent.Directory));
            Assert.That(install.AssemblyFile, Is.EqualTo(sent.AssemblyFile));
            Assert.That(install.EntryType, Is.EqualTo(sent.EntryType));
            Assert.That(install.DataDirectory, Is.EqualTo(sent.DataDirectory));
            Assert.That(install.Properties, Is.EqualTo(sent.Properties));
            Assert.That(install.Filter?.Protocol, Is.EqualTo(FilterProtocol.Udp));
            Assert.That(install.Filter?.Port, Is.EqualTo(5060));
            Assert.That(install.Filter?.Destinations, Is.EqualTo(new[] { Ipv4Prefix.Parse("198.18.0.0/15") }));
            Assert.That(install.AllowedPorts, Is.EqualTo(new[] { 8080 }));
        }
    }

    [Test]
    public async Task ReceiveAsync_FiltersSet_ArrivesWithItsVersionAndTypedFilters()
    {
        var (nodeSocket, containerSocket) = ConnectedPair();
        await using var node = new ControlChannel(nodeSocket);
        await using var container = new ControlChannel(containerSocket);
        var filter = new FilterSpec { Protocol = FilterProtocol.Udp, Port = 5060, Destinations = [Ipv4Prefix.Parse("198.19.0.0/24")] };

        await node.SendAsync(
            new FiltersMessage { Id = 3, Version = 12, Filters = [new InstalledFilterSpec { User = "alice", Module = "NetServ.Apps.KeepAlive_1.0.0", Filter = filter }] },
            CancellationToken.None);
        var received = (FiltersMessage)(await container.ReceiveAsync(CancellationToken.None))!;

        var only = received.Filters.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.Version, Is.EqualTo(12));
            Assert.That(only.User, Is.EqualTo("alice"));
            Assert.That(only.Module, Is.EqualTo("NetServ.Apps.KeepAlive_1.0.0"));
            Assert.That(only.Filter.ToFilter(), Is.EqualTo(new PacketFilter(FilterProtocol.Udp, 5060, [Ipv4Prefix.Parse("198.19.0.0/24")])));
        }
    }

    [Test]
    public async Task SendAsync_Reply_IsABigEndianLengthThenCamelCaseJsonNamingItsType()
    {
        var (nodeSocket, containerSocket) = ConnectedPair();
        await using var container = new ControlChannel(containerSocket);
        await using var node = new NetworkStream(nodeSocket, ownsSocket: true);

        await container.SendAsync(new ReplyMessage { Id = 3, Ok = true, Data = new JsonObject { ["modules"] = 2 } }, CancellationToken.None);
        var header = new byte[4];
        await node.ReadExactlyAsync(header);
        var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await node.ReadExactlyAsync(payload);
        var json = JsonNode.Parse(payload)?.AsObject() ?? throw new AssertionException("the frame holds no JSON object");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)json["type"], Is.EqualTo("reply"), "the discriminator netservd and the container agree on");
            Assert.That((long?)json["id"], Is.EqualTo(3));
            Assert.That((bool?)json["ok"], Is.True);
            Assert.That((int?)json["data"]?["modules"], Is.EqualTo(2));
            Assert.That(json, Does.Not.ContainKey("error"), "null fields are left out");
        }
    }

    [Test]
    public async Task StatusReply_FromTheContainer_ReadsBackAsItsReport_InTheStatusContractsNames()
    {
        var (nodeSocket, containerSocket) = ConnectedPair();
        await using var node = new ControlChannel(nodeSocket);
        await using var container = new ControlChannel(containerSocket);
        var started = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var report = new ContainerReport
        {
            User = "alice",
            Pid = 99,
            Queue = 100,
            Modules =
            [
                new ModuleLiveStatus { Name = "NetServ.Apps.NetMonitor_1.0.0", Started = started, PacketProcessor = true, Filter = "udp/5060 to 198.19.0.0/24", Counters = new ModuleCounters { Packets = 7, LastError = "x" } },
                new ModuleLiveStatus { Name = "NetServ.Apps.KeepAlive_1.0.0", Started = started, Status = new JsonObject { ["sessions"] = 3 } },
            ],
            LoadedModuleContexts = 2,
            UnloadingModuleContexts = ["NetServ.Apps.Old_1.0.0"],
            Packets = new PacketCounters { Received = 5, Accepted = 4, Dropped = 1, Batches = 2 },
            Memory = new ContainerMemory { GcHeapBytes = 1, PssBytes = -1 },
            AspNetCoreLoaded = true,
        };

        await container.SendAsync(ReplyMessage.ForStatus(4, report), CancellationToken.None);
        var reply = (ReplyMessage?)await node.ReceiveAsync(CancellationToken.None) ?? throw new AssertionException("no reply");
        var read = reply.ReadContainerReport() ?? throw new AssertionException("the reply holds no report");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((reply.Id, reply.Ok), Is.EqualTo((4L, true)));
            Assert.That((read.User, read.Pid, read.Queue, read.LoadedModuleContexts, read.AspNetCoreLoaded), Is.EqualTo(("alice", 99, 100, 2, true)));
            Assert.That(read.Modules[0] with { Status = null }, Is.EqualTo(report.Modules[0] with { Status = null }));
            Assert.That(read.Modules[1].Status?["sessions"]?.GetValue<int>(), Is.EqualTo(3));
            Assert.That(read.UnloadingModuleContexts, Is.EqualTo(report.UnloadingModuleContexts));
            Assert.That((read.Packets, read.Memory), Is.EqualTo((report.Packets, report.Memory)));
            Assert.That((string?)reply.Data?["modules"]?[0]?["started"], Is.EqualTo("2026-03-01T12:00:00.0000000+00:00"), "times as status writes them");
            Assert.That((long?)reply.Data?["modules"]?[0]?["counters"]?["packets"], Is.EqualTo(7), "camelCase, as netservd's status reads them");
        }
    }

    [Test]
    public void ReadContainerReport_OfAFailedReply_IsNull()
    {
        var failed = new ReplyMessage { Id = 4, Ok = false, Error = "busy", Data = new JsonObject { ["user"] = "alice" } };

        Assert.That(failed.ReadContainerReport(), Is.Null);
    }

    [Test]
    public async Task SendAsync_FromManyTasksAtOnce_EveryFrameArrivesWhole()
    {
        const int count = 50;
        var (nodeSocket, containerSocket) = ConnectedPair();
        await using var node = new ControlChannel(nodeSocket);
        await using var container = new ControlChannel(containerSocket);

        // Frames of different lengths, so that an interleaved write would show as a broken frame.
        var sending = Task.WhenAll(Enumerable.Range(1, count).Select(i => container.SendAsync(
            new ModuleFailedMessage { Module = $"module-{i}", Reason = ModuleFailureReasons.Hung, Detail = new string('x', i * 100) },
            CancellationToken.None)));
        var modules = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var message = await node.ReceiveAsync(CancellationToken.None);
            modules.Add(message is ModuleFailedMessage failed ? failed.Module : $"unexpected {message}");
        }

        await sending;

        Assert.That(modules, Is.EquivalentTo(Enumerable.Range(1, count).Select(i => $"module-{i}")));
    }

    [Test]
    public async Task ReceiveAsync_PeerClosedBetweenFrames_ReturnsNull()
    {
        var (nodeSocket, containerSocket) = ConnectedPair();
        var node = new ControlChannel(nodeSocket);
        await using var container = new ControlChannel(containerSocket);
        await node.SendAsync(new ShutdownMessage { Id = 1 }, CancellationToken.None);
        await node.DisposeAsync();

        var first = await container.ReceiveAsync(CancellationToken.None);
        var second = await container.ReceiveAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.TypeOf<ShutdownMessage>());
            Assert.That(second, Is.Null);
        }
    }

    [Test]
    public async Task ReceiveAsync_FrameLengthZero_ThrowsInvalidData()
    {
        var (nodeSocket, containerSocket) = ConnectedPair();
        using var node = nodeSocket;
        await using var container = new ControlChannel(containerSocket);
        node.Send(new byte[4]);

        var error = await ReceiveFailureAsync(container);

        Assert.That(error, Is.TypeOf<InvalidDataException>().With.Message.Contains("out of range"));
    }

    [Test]
    public async Task ReceiveAsync_FrameThatIsNotJson_ThrowsInvalidData()
    {
        var (nodeSocket, containerSocket) = ConnectedPair();
        using var node = nodeSocket;
        await using var container = new ControlChannel(containerSocket);
        var payload = "not a control message"u8.ToArray();
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        node.Send(frame);

        var error = await ReceiveFailureAsync(container);

        Assert.That(error, Is.TypeOf<InvalidDataException>().With.Message.Contains("not a control message"));
    }

    /// <summary>What the next receive throws, or null when it returns.</summary>
    private static async Task<Exception?> ReceiveFailureAsync(ControlChannel channel)
    {
        try
        {
            await channel.ReceiveAsync(CancellationToken.None);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e;
        }
    }

    /// <summary>Two connected ends of a Unix stream socket, as netservd's listener and a container have.</summary>
    [Test]
    public void InstallModule_Filter_TravelsAsTheSetupSpellsItAndIsReadBackTyped()
    {
        var message = new InstallModuleMessage
        {
            Id = 1,
            Module = "m_1.0.0",
            Directory = "/d",
            AssemblyFile = "m.dll",
            EntryType = "M",
            DataDirectory = "/data",
            Filter = new FilterSpec { Protocol = FilterProtocol.Tcp, Port = 80, Destinations = [Ipv4Prefix.Parse("198.19.0.0/24"), Ipv4Prefix.Parse("198.20.1.7/32")] },
        };

        var json = JsonSerializer.Serialize<ControlMessage>(message, ControlJsonContext.Default.ControlMessage);
        var read = (InstallModuleMessage)JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlMessage)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(json, Does.Contain("""
                "filter":{"protocol":"tcp","port":80,"destinations":["198.19.0.0/24","198.20.1.7/32"]}
                """));
            Assert.That(read.Filter!.Protocol, Is.EqualTo(FilterProtocol.Tcp));
            Assert.That(read.Filter.Destinations, Is.EqualTo(message.Filter.Destinations));
        }
    }

    [TestCase("""{"protocol":"sctp","destinations":[]}""", "filter protocol 'sctp'")]
    [TestCase("""{"protocol":"udp","destinations":["198.19.0.0/33"]}""", "'198.19.0.0/33' is not an IPv4 prefix")]
    public void InstallModule_FilterTheNodeCouldNotHaveWritten_IsRefusedNamingTheValue(string filter, string expected)
    {
        var json = $$"""{"type":"install","id":1,"module":"m_1.0.0","directory":"/d","assemblyFile":"m.dll","entryType":"M","dataDirectory":"/data","filter":{{filter}}}""";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlMessage));

        Assert.That(error!.Message, Does.Contain(expected));
    }

    private static (Socket First, Socket Second) ConnectedPair()
    {
        var path = Path.Combine(Path.GetTempPath(), $"netserv-control-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            listener.Listen(1);
            var first = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            first.Connect(new UnixDomainSocketEndPoint(path));
            return (first, listener.Accept());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
