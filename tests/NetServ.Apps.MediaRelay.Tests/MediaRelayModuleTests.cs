using System.Net;
using System.Net.Sockets;
using System.Text;
using NetServ.Sdk;

namespace NetServ.Apps.MediaRelay.Tests;

/// <summary>The module on loopback sockets: control requests, relaying both ways, timeouts and removal.</summary>
public sealed class MediaRelayModuleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 0);

    private int _base;
    private TestModuleContext _context = null!;
    private MediaRelayModule _module = null!;

    [SetUp]
    public async Task StartAsync()
    {
        // A port block of its own per test, so parallel runs on the machine rarely collide.
        _base = 40000 + (Random.Shared.Next(0, 450) * 20);
        var allowed = Enumerable.Range(_base, 10).ToHashSet();
        _context = NewContext($"control-port={_base + 9},port-min={_base},port-max={_base + 7},session-timeout=10", allowed);
        _module = new MediaRelayModule();
        await _module.StartAsync(_context, CancellationToken.None);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _module.StopAsync(CancellationToken.None);
        _context.Dispose();
    }

    [Test]
    public async Task Allocate_OverTheControlPort_AnswersWithTheTwoRtpPorts()
    {
        var answer = await ControlAsync("ALLOCATE call-1");
        var session = _module.Sessions.Snapshot().Single();
        Assert.That(answer, Is.EqualTo($"OK call-1 {session.A.RtpPort} {session.B.RtpPort}\n"));
    }

    [Test]
    public async Task Control_MalformedRequest_AnswersErrorAndCounts()
    {
        var answer = await ControlAsync("HELLO");
        Assert.Multiple(() =>
        {
            Assert.That(answer, Does.StartWith("ERR"));
            Assert.That((long)_module.GetStatus()["controlMalformed"]!, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task HandleControl_SourceOutsideController_IsIgnored()
    {
        var module = new MediaRelayModule();
        var allowed = Enumerable.Range(_base + 10, 10).ToHashSet();
        await module.StartAsync(NewContext($"controller=198.18.0.1/32,control-port={_base + 19},port-min={_base + 10},port-max={_base + 17}", allowed), CancellationToken.None);
        try
        {
            Assert.That(module.HandleControl("ALLOCATE x"u8, new IPEndPoint(IPAddress.Loopback, 1)), Is.Null);
        }
        finally
        {
            await module.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public void HandleControl_RandomDatagrams_AnswersWithoutThrowing()
    {
        var random = new Random(11);
        var source = new IPEndPoint(IPAddress.Loopback, 1);
        for (var i = 0; i < 5000; i++)
        {
            var datagram = new byte[random.Next(0, 300)];
            random.NextBytes(datagram);
            if (i % 2 == 0 && datagram.Length > 9)
            {
                "RELEASE "u8.CopyTo(datagram);
            }

            Assert.That(_module.HandleControl(datagram, source), Is.Not.Null);
        }
    }

    [Test]
    public async Task Relay_StreamsBothWays_ArriveCompleteAndIntact()
    {
        var (portA, portB) = Ports(await ControlAsync("ALLOCATE call-1"));
        using var uaA = Bound();
        using var uaB = Bound();
        var toA = new IPEndPoint(IPAddress.Loopback, portA);
        var toB = new IPEndPoint(IPAddress.Loopback, portB);

        // Each side's first packet latches it: A's is dropped (B unknown yet), B's reaches A.
        uaA.SendTo(RtpPackets.Rtp(0, [0xaa]), toA);
        await WaitUntilAsync(() => _module.Sessions.Snapshot().Single().A.Peer(MediaChannel.Rtp) is not null);
        uaB.SendTo(RtpPackets.Rtp(0, Encoding.ASCII.GetBytes("latch B")), toB);
        Assert.That(Receive(uaA, 1), Is.EqualTo(new[] { "latch B" }));

        const int Count = 50;
        for (ushort i = 1; i <= Count; i++)
        {
            uaA.SendTo(RtpPackets.Rtp(i, Encoding.ASCII.GetBytes($"from A #{i}")), toA);
            uaB.SendTo(RtpPackets.Rtp(i, Encoding.ASCII.GetBytes($"from B #{i}")), toB);
        }

        var atB = Receive(uaB, Count);
        var atA = Receive(uaA, Count);
        Assert.Multiple(() =>
        {
            Assert.That(atB, Is.EqualTo(Enumerable.Range(1, Count).Select(i => $"from A #{i}")));
            Assert.That(atA, Is.EqualTo(Enumerable.Range(1, Count).Select(i => $"from B #{i}")));
            Assert.That(_module.Sessions.Totals.PacketsAToB, Is.EqualTo(Count));
            Assert.That(_module.Sessions.Totals.PacketsBToA, Is.EqualTo(Count + 1));
            Assert.That(_module.Sessions.Totals.Dropped, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Relay_RtpArrivesFromTheFarSidesPort()
    {
        var (portA, portB) = Ports(await ControlAsync("ALLOCATE call-1"));
        using var uaA = Bound();
        using var uaB = Bound();
        uaB.SendTo(RtpPackets.Rtp(0, []), new IPEndPoint(IPAddress.Loopback, portB));
        await WaitUntilAsync(() => _module.Sessions.Snapshot().Single().B.Peer(MediaChannel.Rtp) is not null);
        uaA.SendTo(RtpPackets.Rtp(1, [1]), new IPEndPoint(IPAddress.Loopback, portA));

        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        uaB.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        uaB.ReceiveFrom(new byte[64], ref from);
        Assert.That(((IPEndPoint)from).Port, Is.EqualTo(portB), "symmetric: B hears the relay on the port it sends to");
    }

    [Test]
    public async Task Relay_MalformedDatagram_IsCountedAndRelayKeepsWorking()
    {
        var (portA, portB) = Ports(await ControlAsync("ALLOCATE call-1"));
        using var uaA = Bound();
        using var uaB = Bound();
        var toA = new IPEndPoint(IPAddress.Loopback, portA);
        uaA.SendTo(new byte[] { 0x00, 0x01, 0x02 }, toA);
        uaA.SendTo(new byte[1500], toA);
        uaB.SendTo(RtpPackets.Rtp(0, []), new IPEndPoint(IPAddress.Loopback, portB));
        await WaitUntilAsync(() => _module.Sessions.Snapshot().Single().B.Peer(MediaChannel.Rtp) is not null);
        uaA.SendTo(RtpPackets.Rtp(1, [7]), toA);

        Assert.Multiple(() =>
        {
            Assert.That(Receive(uaB, 1), Has.Count.EqualTo(1));
            Assert.That(_module.Sessions.Totals.Malformed, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task SessionTimeout_IdleSession_IsClosedAndItsPortsUnbound()
    {
        var (portA, _) = Ports(await ControlAsync("ALLOCATE call-1"));
        _context.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Multiple(() =>
        {
            Assert.That(_module.Sessions.Active, Is.Zero);
            Assert.That((long)_module.GetStatus()["sessionsClosed"]!, Is.EqualTo(1));
            Assert.That(CanBind(portA), Is.True);
        });
    }

    [Test]
    public async Task Release_KnownCall_ClosesItsSockets()
    {
        var (portA, portB) = Ports(await ControlAsync("ALLOCATE call-1"));
        var answer = await ControlAsync("RELEASE call-1");
        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo("OK call-1\n"));
            Assert.That(CanBind(portA) && CanBind(portA + 1) && CanBind(portB) && CanBind(portB + 1), Is.True);
        });
    }

    [Test]
    public async Task Allocate_RangeExhausted_AnswersError()
    {
        await ControlAsync("ALLOCATE call-1");
        await ControlAsync("ALLOCATE call-2");
        Assert.That(await ControlAsync("ALLOCATE call-3"), Is.EqualTo("ERR no free ports\n"));
    }

    [Test]
    public async Task Stop_WithOpenSessions_ClosesEverySocket()
    {
        var (portA, portB) = Ports(await ControlAsync("ALLOCATE call-1"));
        await _module.StopAsync(CancellationToken.None);
        Assert.That(CanBind(portA) && CanBind(portB + 1) && CanBind(_base + 9), Is.True);
        _module = new MediaRelayModule();
        await _module.StartAsync(_context, CancellationToken.None);
    }

    [Test]
    public async Task GetStatus_AfterAllocation_ListsTheSession()
    {
        await ControlAsync("ALLOCATE call-1");
        var status = _module.GetStatus();
        Assert.Multiple(() =>
        {
            Assert.That((int)status["sessionsActive"]!, Is.EqualTo(1));
            Assert.That((string?)status["sessions"]![0]!["callId"], Is.EqualTo("call-1"));
        });
    }

    [TestCase("port-min=30010,port-max=30000")]
    [TestCase("session-timeout=0")]
    [TestCase("control-port=30002,port-min=30000,port-max=30010")]
    [TestCase("controller=not-a-prefix")]
    [TestCase("port-max=banana")]
    public void FromProperties_BadValue_ThrowsFormatException(string properties)
    {
        Assert.That(ModuleProperties.TryParse(properties, out var parsed, out _), Is.True);
        Assert.Throws<FormatException>(() => MediaRelayOptions.FromProperties(parsed!));
    }

    private static TestModuleContext NewContext(string properties, HashSet<int> allowed)
    {
        Assert.That(ModuleProperties.TryParse(properties, out var parsed, out var error), Is.True, error);
        return new TestModuleContext(parsed!)
        {
            ModuleName = "NetServ.Apps.MediaRelay_1.0.0",
            AllowedPorts = allowed,
            BuildingBlocks = new TestBuildingBlocks(new LoopbackServerSockets(allowed)),
        };
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(Client);
        return socket;
    }

    private static bool CanBind(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int A, int B) Ports(string answer)
    {
        var fields = answer.Trim().Split(' ');
        Assert.That(fields[0], Is.EqualTo("OK"), answer);
        return (int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static List<string> Receive(Socket socket, int count) => RtpPackets.ReceivePayloads(socket, count, Wait);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
    }

    private async Task<string> ControlAsync(string request)
    {
        using var socket = Bound();
        await socket.SendToAsync(Encoding.ASCII.GetBytes(request), new IPEndPoint(IPAddress.Loopback, _base + 9));
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(Wait);
        var length = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }
}
