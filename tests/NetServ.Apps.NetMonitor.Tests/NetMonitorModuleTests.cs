using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Apps.NetMonitor.Tests;

[TestFixture]
public sealed class NetMonitorModuleTests
{
    private static readonly Ipv4Address A = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address B = Ipv4Address.Parse("198.19.0.2");
    private static readonly Ipv4Address C = Ipv4Address.Parse("198.18.0.9");

    private Socket _visualizer = null!;
    private NetMonitorModule _module = null!;

    private int VisualizerPort => ((IPEndPoint)_visualizer.LocalEndPoint!).Port;

    [SetUp]
    public void SetUp()
    {
        _visualizer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 2000 };
        _visualizer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _module = new NetMonitorModule();
    }

    [TearDown]
    public void TearDown()
    {
        _module.Dispose();
        _visualizer.Dispose();
        Context?.Dispose();
    }

    [Test]
    public async Task Process_PacketsOfSeveralFlows_CountsEachSourceDestinationAndTtl()
    {
        await StartAsync(string.Empty);

        Send(A, B, ttl: 64, count: 3);
        Send(A, B, ttl: 63, count: 1);
        Send(C, B, ttl: 64, count: 2);

        var status = _module.GetStatus();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status["totalPackets"]!.GetValue<long>(), Is.EqualTo(6));
            Assert.That(Flows(status), Is.EqualTo(new[]
            {
                ("198.18.0.1", "198.19.0.2", 63, 1L),
                ("198.18.0.1", "198.19.0.2", 64, 3L),
                ("198.18.0.9", "198.19.0.2", 64, 2L),
            }));
        }
    }

    [Test]
    public async Task Process_AnyPacket_IsAcceptedUnchanged()
    {
        await StartAsync(string.Empty);
        var bytes = Udp(A, B, 64);
        var copy = bytes.ToArray();
        var packet = new Packet(bytes);

        var verdict = _module.Process(ref packet);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
            Assert.That(packet.IsModified, Is.False);
            Assert.That(bytes, Is.EqualTo(copy));
        }
    }

    [Test]
    public async Task Process_NotIpv4_IsAcceptedAndNotCounted()
    {
        await StartAsync(string.Empty);
        var bytes = Udp(A, B, 64);
        bytes[0] = 0x60;
        var packet = new Packet(bytes);

        var verdict = _module.Process(ref packet);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
            Assert.That(_module.GetStatus()["totalPackets"]!.GetValue<long>(), Is.Zero);
            Assert.That(_module.GetStatus()["flows"]!.AsArray(), Is.Empty);
        }
    }

    [Test]
    public async Task GetStatus_WithVisualizer_NamesItAndCountsReports()
    {
        await StartWithVisualizerAsync();
        var before = _module.GetStatus();

        Context.Time.Advance(TimeSpan.FromSeconds(1));
        Receive();
        var after = _module.GetStatus();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before["visualizer"]!.GetValue<string>(), Is.EqualTo($"127.0.0.1:{VisualizerPort}"));
            Assert.That(before["reportsSent"]!.GetValue<long>(), Is.Zero);
            Assert.That(after["reportsSent"]!.GetValue<long>(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task GetStatus_WithoutVisualizer_HasNone()
    {
        await StartAsync("report_interval_ms=100");

        Context.Time.Advance(TimeSpan.FromSeconds(5));
        var status = _module.GetStatus();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status["visualizer"], Is.Null);
            Assert.That(status["reportsSent"]!.GetValue<long>(), Is.Zero);
        }
    }

    [Test]
    public async Task Report_IntervalElapsed_SendsTheTableInTheDocumentedFormat()
    {
        await StartWithVisualizerAsync();
        Send(A, B, ttl: 64, count: 5);
        Send(C, B, ttl: 10, count: 1);

        Context.Time.Advance(TimeSpan.FromMilliseconds(1000));
        var report = Parse(Receive());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Module, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(report.User, Is.EqualTo("alice"));
            Assert.That(report.Sequence, Is.EqualTo(1));
            Assert.That(report.UnixMs, Is.EqualTo(Context.Time.GetUtcNow().ToUnixTimeMilliseconds()));
            Assert.That(report.Flows, Is.EquivalentTo(new[] { ("198.18.0.1", "198.19.0.2", 64, 5L), ("198.18.0.9", "198.19.0.2", 10, 1L) }));
        }
    }

    [Test]
    public async Task Report_BeforeTheIntervalElapses_IsNotSent()
    {
        await StartWithVisualizerAsync("report_interval_ms=500");

        Context.Time.Advance(TimeSpan.FromMilliseconds(499));

        Assert.That(_module.GetStatus()["reportsSent"]!.GetValue<long>(), Is.Zero);
    }

    [Test]
    public async Task Report_EveryInterval_CarriesTheGrowingCountsAndSequence()
    {
        await StartWithVisualizerAsync("report_interval_ms=250");
        Send(A, B, ttl: 64, count: 2);
        Context.Time.Advance(TimeSpan.FromMilliseconds(250));
        var first = Parse(Receive());

        Send(A, B, ttl: 64, count: 3);
        Context.Time.Advance(TimeSpan.FromMilliseconds(250));
        var second = Parse(Receive());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Sequence, Is.EqualTo(1));
            Assert.That(first.Flows, Is.EqualTo(new[] { ("198.18.0.1", "198.19.0.2", 64, 2L) }));
            Assert.That(second.Sequence, Is.EqualTo(2));
            Assert.That(second.Flows, Is.EqualTo(new[] { ("198.18.0.1", "198.19.0.2", 64, 5L) }));
            Assert.That(second.UnixMs - first.UnixMs, Is.EqualTo(250));
        }
    }

    [Test]
    public async Task Report_NoPacketsYet_IsJustTheHeader()
    {
        await StartWithVisualizerAsync();

        Context.Time.Advance(TimeSpan.FromSeconds(1));
        var text = Receive();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.StartWith("netmonitor NetServ.Apps.NetMonitor_1.0.0 alice 1 "));
            Assert.That(Parse(text).Flows, Is.Empty);
        }
    }

    [Test]
    public async Task Report_TableLargerThanADatagram_IsSplitWithTheHeaderOnEach()
    {
        await StartWithVisualizerAsync();
        for (var i = 0; i < 200; i++)
        {
            Send(new Ipv4Address(A.Value + (uint)i), B, ttl: 64, count: 1);
        }

        Context.Time.Advance(TimeSpan.FromSeconds(1));
        var datagrams = new List<string>();
        var flows = 0;
        while (flows < 200)
        {
            var text = Receive();
            datagrams.Add(text);
            flows += Parse(text).Flows.Count;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(datagrams, Has.Count.GreaterThan(1));
            Assert.That(datagrams.Select(d => Encoding.ASCII.GetByteCount(d)), Has.All.LessThanOrEqualTo(1400));
            Assert.That(datagrams.Select(d => Parse(d).Sequence), Has.All.EqualTo(1), "one report, several datagrams");
            Assert.That(flows, Is.EqualTo(200));
            Assert.That(_module.GetStatus()["reportsSent"]!.GetValue<long>(), Is.EqualTo(datagrams.Count));
        }
    }

    [Test]
    public async Task StopAsync_SendsAFinalReport()
    {
        await StartWithVisualizerAsync();
        Send(A, B, ttl: 1, count: 7);

        await _module.StopAsync(CancellationToken.None);
        var report = Parse(Receive());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Sequence, Is.EqualTo(1));
            Assert.That(report.Flows, Is.EqualTo(new[] { ("198.18.0.1", "198.19.0.2", 1, 7L) }));
        }
    }

    [Test]
    public async Task StopAsync_StopsThePeriodicReports()
    {
        await StartWithVisualizerAsync();
        await _module.StopAsync(CancellationToken.None);
        var sent = _module.GetStatus()["reportsSent"]!.GetValue<long>();

        Context.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.That(_module.GetStatus()["reportsSent"]!.GetValue<long>(), Is.EqualTo(sent));
    }

    [Test]
    public async Task StopAsync_WithoutVisualizer_DoesNotThrow()
    {
        await StartAsync(string.Empty);

        Assert.DoesNotThrowAsync(() => _module.StopAsync(CancellationToken.None));
    }

    [Test]
    public async Task Report_Ipv6Visualizer_IsSent()
    {
        using var visualizer = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 2000 };
        visualizer.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await StartAsync($"visualizer_ip=::1,visualizer_port={((IPEndPoint)visualizer.LocalEndPoint!).Port}");
        Send(A, B, ttl: 64, count: 1);

        Context.Time.Advance(TimeSpan.FromSeconds(1));
        var buffer = new byte[2048];
        var received = visualizer.Receive(buffer);

        Assert.That(Parse(Encoding.ASCII.GetString(buffer, 0, received)).Flows, Has.Count.EqualTo(1));
    }

    [TestCase("visualizer_ip=not-an-address", "visualizer_ip")]
    [TestCase("visualizer_ip=1.2.3.4.5", "visualizer_ip")]
    [TestCase("visualizer_ip=127.0.0.1,visualizer_port=0", "visualizer_port")]
    [TestCase("visualizer_ip=127.0.0.1,visualizer_port=65536", "visualizer_port")]
    [TestCase("visualizer_ip=127.0.0.1,visualizer_port=-1", "visualizer_port")]
    [TestCase("report_interval_ms=0", "report_interval_ms")]
    [TestCase("report_interval_ms=-100", "report_interval_ms")]
    public void StartAsync_BadProperty_ThrowsNamingIt(string properties, string name)
    {
        var e = Assert.ThrowsAsync<ArgumentException>(() => StartAsync(properties));

        Assert.That(e!.Message, Does.Contain(name));
    }

    [TestCase("report_interval_ms=soon", "report_interval_ms")]
    [TestCase("visualizer_ip=127.0.0.1,visualizer_port=http", "visualizer_port")]
    public void StartAsync_NonNumericProperty_ThrowsNamingIt(string properties, string name)
    {
        var e = Assert.ThrowsAsync<FormatException>(() => StartAsync(properties));

        Assert.That(e!.Message, Does.Contain(name));
    }

    [Test]
    public async Task Process_KnownFlow_AllocatesNothing()
    {
        await StartAsync(string.Empty);
        var bytes = Udp(A, B, 64);
        for (var i = 0; i < 1000; i++)
        {
            ProcessOnce(bytes);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            ProcessOnce(bytes);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(allocated, Is.Zero);
            Assert.That(_module.GetStatus()["totalPackets"]!.GetValue<long>(), Is.EqualTo(11_000));
        }
    }

    private TestModuleContext Context { get; set; } = null!;

    private Task StartWithVisualizerAsync(string extra = "") =>
        StartAsync($"visualizer_ip=127.0.0.1,visualizer_port={VisualizerPort}" + (extra.Length > 0 ? "," + extra : string.Empty));

    private Task StartAsync(string properties)
    {
        Assert.That(ModuleProperties.TryParse(properties, out var parsed, out var error), Is.True, error);
        Context = new TestModuleContext(parsed!)
        {
            ModuleName = "NetServ.Apps.NetMonitor_1.0.0",
            Filter = new PacketFilter(FilterProtocol.Udp, null, [Ipv4Prefix.Parse("198.19.0.0/16")]),
        };
        return _module.StartAsync(Context, CancellationToken.None);
    }

    private void ProcessOnce(byte[] bytes)
    {
        var packet = new Packet(bytes);
        _module.Process(ref packet);
    }

    private void Send(Ipv4Address source, Ipv4Address destination, byte ttl, int count)
    {
        var bytes = Udp(source, destination, ttl);
        for (var i = 0; i < count; i++)
        {
            ProcessOnce(bytes);
        }
    }

    private static byte[] Udp(Ipv4Address source, Ipv4Address destination, byte ttl)
    {
        var buffer = new byte[64];
        Assert.That(PacketWriter.TryWriteUdp(buffer, source, destination, 40000, 5060, "INVITE"u8, out var written, ttl), Is.True);
        return buffer[..written];
    }

    private string Receive()
    {
        var buffer = new byte[65536];
        var received = _visualizer.Receive(buffer);
        return Encoding.ASCII.GetString(buffer, 0, received);
    }

    /// <summary>The flows of a status as a PROBE response carries them: as JSON text.</summary>
    private static (string Source, string Destination, int Ttl, long Packets)[] Flows(JsonObject status) =>
        JsonNode.Parse(status.ToJsonString())!["flows"]!.AsArray()
            .Select(f => (f!["source"]!.GetValue<string>(), f["destination"]!.GetValue<string>(), f["ttl"]!.GetValue<int>(), f["packets"]!.GetValue<long>()))
            .ToArray();

    /// <summary>Reads a report datagram as README.md describes it: a header line, then one line per flow.</summary>
    private static Report Parse(string datagram)
    {
        var lines = datagram.Split('\n');
        Assert.That(lines[^1], Is.Empty, "every line ends with a newline");
        var header = lines[0].Split(' ');
        Assert.That(header, Has.Length.EqualTo(5));
        Assert.That(header[0], Is.EqualTo("netmonitor"));
        var flows = lines[1..^1].Select(line =>
        {
            var fields = line.Split(' ');
            Assert.That(fields, Has.Length.EqualTo(4), line);
            return (fields[0], fields[1], int.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture));
        }).ToList();
        return new Report(header[1], header[2], long.Parse(header[3], CultureInfo.InvariantCulture), long.Parse(header[4], CultureInfo.InvariantCulture), flows);
    }

    private sealed record Report(string Module, string User, long Sequence, long UnixMs, List<(string Source, string Destination, int Ttl, long Packets)> Flows);
}
