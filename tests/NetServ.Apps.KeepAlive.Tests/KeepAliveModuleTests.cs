using System.Text;
using System.Text.Json.Nodes;
using NetServ.Sdk;
using NetServ.TestSupport.Sip;
using static NetServ.Sdk.Testing.TestPackets;
using static NetServ.TestSupport.Sip.SipTestPackets;

namespace NetServ.Apps.KeepAlive.Tests;

[TestFixture]
public sealed class KeepAliveModuleTests
{
    private const string KeepAliveNotify =
        "NOTIFY sip:198.19.0.1:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-1;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "f: <sip:alice@198.18.0.1>;tag=a1\r\n" +
        "To: <sip:alice@198.19.0.1>\r\n" +
        "Call-ID: ka-1@198.18.0.1\r\n" +
        "CSeq: 3 NOTIFY\r\n" +
        "event: keep-alive\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    private KeepAliveModule _module = null!;
    private TestModuleContext _context = null!;

    [SetUp]
    public void SetUp() => _module = new KeepAliveModule();

    [TearDown]
    public void TearDown() => _context?.Dispose();

    [Test]
    public async Task Process_KeepAliveNotify_RepliesFromTheServerToTheUaAndDropsTheRequest()
    {
        await StartAsync(string.Empty);
        var bytes = Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify);
        var original = bytes.ToArray();

        var verdict = Process(bytes);

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Drop));
        Assert.That(_context.Sender.Sent, Has.Count.EqualTo(1));
        Assert.That(bytes, Is.EqualTo(original), "the request is left as it was");
        SipModuleReplies.AssertFromServerToUa(_context.Sender.Sent[0], KeepAliveNotify, "SIP/2.0 200 OK", "\r\nCSeq: 3 NOTIFY\r\nContent-Length: 0\r\n\r\n");
    }

    [Test]
    public async Task Process_CrlfPing_RepliesWithACrlfPongAndDropsThePing()
    {
        await StartAsync(string.Empty);

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, "\r\n\r\n"));

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Drop));
        var reply = new Packet(_context.Sender.Sent.Single());
        Assert.That(Encoding.ASCII.GetString(reply.Payload), Is.EqualTo("\r\n"));
        Assert.That((reply.Source, reply.Destination), Is.EqualTo((ServerAddress, UaAddress)));
    }

    [Test]
    public async Task Process_SameKeepAliveTwice_CarriesTheSameToTag()
    {
        // RFC 3261 section 8.2.7: a stateless UAS tags a retransmitted request as it tagged the first.
        await StartAsync(string.Empty);

        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify));
        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify));

        var tags = _context.Sender.Sent.Select(p => ToLine(p)).ToArray();
        Assert.That(tags[1], Is.EqualTo(tags[0]));
    }

    [Test]
    public async Task Process_KeepAlivesOfTwoCallIds_CarryDifferentToTags()
    {
        // RFC 3261 section 19.3: a tag per dialog, not one for every response of the module.
        await StartAsync(string.Empty);

        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify));
        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify.Replace("ka-1@", "ka-2@", StringComparison.Ordinal)));

        var tags = _context.Sender.Sent.Select(p => ToLine(p)).ToArray();
        Assert.That(tags[1], Is.Not.EqualTo(tags[0]));
    }

    [Test]
    public async Task Process_KeepAliveFromBehindANatWithRport_ReplyGoesToTheSourcePort()
    {
        // RFC 3581 section 4: the NAT's port, which the user agent asked for with rport.
        await StartAsync(string.Empty);

        Process(Udp(UaAddress, ServerAddress, 9988, ServerPort, KeepAliveNotify));

        var reply = new Packet(_context.Sender.Sent.Single());
        Assert.That((reply.Destination, reply.DestinationPort), Is.EqualTo((UaAddress, 9988)));
        Assert.That(Encoding.ASCII.GetString(reply.Payload), Does.Contain(";received=198.18.0.1;rport=9988\r\n"));
    }

    [Test]
    public async Task Process_KeepAliveWithoutRport_ReplyGoesToTheSentByPort()
    {
        // RFC 3261 section 18.2.2: without rport the response goes to the port in sent-by, not the source port.
        await StartAsync(string.Empty);

        Process(Udp(UaAddress, ServerAddress, 9988, ServerPort, KeepAliveNotify.Replace(";rport", string.Empty, StringComparison.Ordinal)));

        var reply = new Packet(_context.Sender.Sent.Single());
        Assert.That((reply.Destination, reply.DestinationPort), Is.EqualTo((UaAddress, 40000)));
    }

    [Test]
    public async Task Process_KeepAliveWhoseMaddrIsAName_PassesSoTheServerAnswers()
    {
        await StartAsync(string.Empty);

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify.Replace(";rport", ";maddr=sip.example.com", StringComparison.Ordinal)));

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
        Assert.That(_context.Sender.Sent, Is.Empty);
        Assert.That(Counter("replyFailures"), Is.EqualTo(1));
    }

    [TestCase("OPTIONS sip:198.19.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9\r\nEvent: keep-alive\r\n\r\n", TestName = "Process_Options_PassesUntouched")]
    [TestCase("INVITE sip:bob@198.19.0.1 SIP/2.0\r\n\r\n", TestName = "Process_Invite_PassesUntouched")]
    [TestCase("NOTIFY sip:198.19.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9\r\nEvent: presence\r\n\r\n", TestName = "Process_NotifyOfAnotherEvent_PassesUntouched")]
    [TestCase("SIP/2.0 200 OK\r\n\r\n", TestName = "Process_Response_PassesUntouched")]
    [TestCase("hello, not SIP", TestName = "Process_NotSip_PassesUntouched")]
    [TestCase("", TestName = "Process_EmptyPayload_PassesUntouched")]
    public async Task Process_NotAKeepAlive(string payload)
    {
        await StartAsync(string.Empty);
        var bytes = Udp(UaAddress, ServerAddress, UaPort, ServerPort, payload);
        var original = bytes.ToArray();
        var packet = new Packet(bytes);

        var verdict = _module.Process(ref packet);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
            Assert.That(packet.IsModified, Is.False);
            Assert.That(bytes, Is.EqualTo(original));
            Assert.That(_context.Sender.Sent, Is.Empty);
            Assert.That(Counter("passed"), Is.EqualTo(1));
            Assert.That(Counter("matched"), Is.Zero);
        }
    }

    [TestCase(KeepAliveNotify, 40, TestName = "Process_TruncatedKeepAlive_IsCountedMalformedAndPasses")]
    [TestCase("NOTIFY sip:x SIP/2.0\r\nEvent: keep-alive\r\n\r\n", 0, TestName = "Process_KeepAliveWithoutDialogHeaders_IsCountedMalformedAndPasses")]
    public async Task Process_Malformed(string payload, int cut)
    {
        await StartAsync(string.Empty);

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, payload[..(payload.Length - cut)]));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
            Assert.That(_context.Sender.Sent, Is.Empty);
            Assert.That(Counter("malformed"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Process_NotUdp_PassesAndIsCounted()
    {
        await StartAsync(string.Empty);
        var bytes = Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify);
        bytes[9] = IpProtocol.Tcp;

        Assert.That(Process(bytes), Is.EqualTo(PacketVerdict.Accept));
        Assert.That(Counter("passed"), Is.EqualTo(1));
    }

    [Test]
    public async Task Process_RandomPayloads_NeverThrow()
    {
        await StartAsync(string.Empty);
        var random = new Random(6);
        for (var i = 0; i < 2_000; i++)
        {
            var payload = new byte[random.Next(0, 400)];
            random.NextBytes(payload);
            if (i % 2 == 0 && payload.Length > 7)
            {
                "NOTIFY "u8.CopyTo(payload);
            }

            var bytes = new byte[28 + payload.Length];
            Assert.That(PacketWriter.TryWriteUdp(bytes, UaAddress, ServerAddress, UaPort, ServerPort, payload, out _), Is.True);
            Assert.DoesNotThrow(() => Process(bytes));
        }
    }

    [Test]
    public async Task Process_SenderRefuses_AcceptsTheRequestSoTheServerAnswers()
    {
        await StartAsync(string.Empty);
        _context.Sender.Refuse = true;

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify));

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
        Assert.That(Counter("replyFailures"), Is.EqualTo(1));
        Assert.That(Counter("replied"), Is.Zero);
    }

    [Test]
    public async Task Process_SwappingDisabled_BuildsTheReplyButSendsNothingAndPassesTheRequest()
    {
        await StartAsync("swap-addresses=false");
        var bytes = Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify);
        var original = bytes.ToArray();

        var verdict = Process(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
            Assert.That(bytes, Is.EqualTo(original));
            Assert.That(_context.Sender.Sent, Is.Empty);
            Assert.That(Counter("matched"), Is.EqualTo(1));
            Assert.That(Counter("built"), Is.EqualTo(1), "the reply is built all the same: the benchmark measures that work");
            Assert.That(Counter("replied"), Is.Zero);
            Assert.That(_module.GetStatus()["swapAddresses"]!.GetValue<bool>(), Is.False);
        }
    }

    [Test]
    public async Task GetStatus_AfterAMix_CountsEachKind()
    {
        await StartAsync(string.Empty);
        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify));
        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, "\r\n\r\n"));
        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, "OPTIONS sip:x SIP/2.0\r\n\r\n"));
        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify[..50]));

        var status = JsonNode.Parse(_module.GetStatus().ToJsonString())!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status["swapAddresses"]!.GetValue<bool>(), Is.True);
            Assert.That(status["matched"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(status["built"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(status["replied"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(status["passed"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(status["malformed"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(status["replyFailures"]!.GetValue<long>(), Is.Zero);
        }
    }

    [Test]
    public void StartAsync_SwapAddressesNotABoolean_ThrowsNamingIt()
    {
        var e = Assert.ThrowsAsync<FormatException>(() => StartAsync("swap-addresses=maybe"));

        Assert.That(e!.Message, Does.Contain("swap-addresses"));
    }

    [TestCase("", TestName = "Process_ManyKeepAlivesAndOthers_AllocatesNothing")]
    [TestCase("swap-addresses=false", TestName = "Process_ManyKeepAlivesWithSwappingDisabled_AllocatesNothing")]
    public async Task Process_AllocatesNothing(string properties)
    {
        await StartAsync(properties);
        _context.Sender.Keep = false;
        byte[][] packets =
        [
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify),
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, "\r\n\r\n"),
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, "INVITE sip:bob@198.19.0.1 SIP/2.0\r\n\r\n"),
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, KeepAliveNotify[..60]),
        ];
        for (var i = 0; i < 1_000; i++)
        {
            Process(packets[i % packets.Length]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20_000; i++)
        {
            Process(packets[i % packets.Length]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);
        Assert.That(Counter("matched"), Is.EqualTo(10_500));
    }

    private Task StartAsync(string properties)
    {
        Assert.That(ModuleProperties.TryParse(properties, out var parsed, out var error), Is.True, error);
        _context = SipModuleContext.Create(parsed!, "NetServ.Apps.KeepAlive_1.0.0");
        return _module.StartAsync(_context, CancellationToken.None);
    }

    private PacketVerdict Process(byte[] bytes)
    {
        var packet = new Packet(bytes);
        return _module.Process(ref packet);
    }

    private long Counter(string name) => _module.GetStatus()[name]!.GetValue<long>();

    private static string ToLine(byte[] packet) =>
        Encoding.ASCII.GetString(new Packet(packet).Payload).Split("\r\n").Single(l => l.StartsWith("To:", StringComparison.Ordinal));
}
