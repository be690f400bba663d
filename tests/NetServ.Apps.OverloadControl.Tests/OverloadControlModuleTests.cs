using System.Text;
using Microsoft.Extensions.Time.Testing;
using NetServ.Sdk;
using NetServ.TestSupport.Sip;
using static NetServ.Sdk.Testing.TestPackets;
using static NetServ.TestSupport.Sip.SipTestPackets;

namespace NetServ.Apps.OverloadControl.Tests;

[TestFixture]
public sealed class OverloadControlModuleTests
{
    private const string Message =
        "MESSAGE sip:bob@198.19.0.1:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-1;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "f: <sip:alice@198.18.0.1>;tag=a1\r\n" +
        "To: <sip:bob@198.19.0.1>\r\n" +
        "Call-ID: m-1@198.18.0.1\r\n" +
        "CSeq: 1 MESSAGE\r\n" +
        "Content-Type: text/plain\r\n" +
        "Content-Length: 5\r\n" +
        "\r\n" +
        "hello";

    private OverloadControlModule _module = null!;
    private TestModuleContext _context = null!;

    private FakeTimeProvider Time => (FakeTimeProvider)_context.TimeProvider;

    [SetUp]
    public void SetUp() => _module = new OverloadControlModule();

    [TearDown]
    public void TearDown() => _context?.Dispose();

    [Test]
    public async Task Process_WithoutFeedback_PassesEveryRequest()
    {
        await StartAsync(string.Empty);

        var verdicts = Enumerable.Range(0, 100).Select(_ => Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message))).ToArray();

        Assert.That(verdicts, Is.All.EqualTo(PacketVerdict.Accept));
        Assert.That(_context.Sender.Sent, Is.Empty);
        Assert.That(_module.GetStatus()["mode"]!.GetValue<string>(), Is.EqualTo("pass-through"));
    }

    [Test]
    public async Task Process_RejectedRequest_Gets503WithRetryAfterFromTheServerAndIsDropped()
    {
        await StartAsync("retry-after=7");
        Feedback("OC-FEEDBACK drop=1 seq=1");
        var bytes = Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message);
        var original = bytes.ToArray();

        var verdict = Process(bytes);

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Drop));
        Assert.That(bytes, Is.EqualTo(original), "the request is left as it was");
        SipModuleReplies.AssertFromServerToUa(_context.Sender.Sent.Single(), Message, "SIP/2.0 503 Service Unavailable", "\r\nCSeq: 1 MESSAGE\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n");
    }

    [Test]
    public async Task Process_RejectedRequestFromBehindANat_The503GoesToTheSentByPortUnlessTheUaAskedWithRport()
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");
        var withoutRport = Message.Replace(";rport", string.Empty, StringComparison.Ordinal);

        Process(Udp(UaAddress, ServerAddress, 9988, ServerPort, Message));
        Process(Udp(UaAddress, ServerAddress, 9988, ServerPort, withoutRport));

        // RFC 3581 section 4 for the first; RFC 3261 section 18.2.2 (the port in sent-by) for the second.
        Assert.That(_context.Sender.Sent.Select(p => new Packet(p).DestinationPort), Is.EqualTo(new[] { 9988, 40000 }));
    }

    [Test]
    public async Task Process_RejectedRequestsOfTwoCalls_CarryDifferentToTags()
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");

        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message));
        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message.Replace("m-1@", "m-2@", StringComparison.Ordinal)));

        var toLines = _context.Sender.Sent.Select(p => Encoding.ASCII.GetString(new Packet(p).Payload).Split("\r\n").Single(l => l.StartsWith("To:", StringComparison.Ordinal))).ToArray();
        Assert.That(toLines[1], Is.Not.EqualTo(toLines[0]));
    }

    [TestCase("INVITE")]
    [TestCase("REGISTER")]
    [TestCase("OPTIONS")]
    [TestCase("SUBSCRIBE")]
    [TestCase("MESSAGE")]
    public async Task Process_InitialRequestUnderFullDrop_IsRejected(string method)
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Request(method, toTag: null)));

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Drop));
        Assert.That(_context.Sender.Sent, Has.Count.EqualTo(1));
    }

    [TestCase("ACK")]
    [TestCase("CANCEL")]
    [TestCase("BYE")]
    [TestCase("PRACK")]
    public async Task Process_TransactionOrDialogEndingRequestUnderFullDrop_Passes(string method)
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Request(method, toTag: null)));

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
        Assert.That(_context.Sender.Sent, Is.Empty);
    }

    [Test]
    public async Task Process_RequestInsideADialogUnderFullDrop_Passes()
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Request("INVITE", toTag: "b7")));

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
    }

    [TestCase("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.18.0.1:40000\r\nContent-Length: 0\r\n\r\n")]
    [TestCase("\r\n\r\n")]
    public async Task Process_ResponseOrKeepAliveUnderFullDrop_Passes(string payload)
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");

        Assert.That(Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, payload)), Is.EqualTo(PacketVerdict.Accept));
        Assert.That(_module.GetStatus()["passed"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("hello")]
    [TestCase("INVITE sip:bob@198.19.0.1 SIP/2.0\r\nVia SIP/2.0/UDP x\r\n\r\n")]
    [TestCase("INVITE sip:bob@198.19.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n")]
    [TestCase("SIP/2.0 9999 Huh\r\n\r\n")]
    [TestCase("INVITE\r\n\r\n")]
    public async Task Process_MalformedUnderFullDrop_PassesAndIsCounted(string payload)
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");

        var verdict = Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, payload));

        Assert.That(verdict, Is.EqualTo(PacketVerdict.Accept));
        Assert.That(_module.GetStatus()["malformed"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(_context.Sender.Sent, Is.Empty);
    }

    [Test]
    public async Task Process_RandomBytes_NeverThrow()
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=0.5 seq=1");
        _context.Sender.Keep = false;
        var random = new Random(3);
        var message = Encoding.ASCII.GetBytes(Message);
        for (var i = 0; i < 5_000; i++)
        {
            var mutated = message[..random.Next(message.Length)];
            if (mutated.Length > 0)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            Assert.DoesNotThrow(() => Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Encoding.Latin1.GetString(mutated))));
        }
    }

    [Test]
    public async Task Process_TargetRateFeedback_AdmitsTheTargetRateAndRejectsTheRest()
    {
        await StartAsync(string.Empty);
        _context.Sender.Keep = false;
        Feedback("OC-FEEDBACK rate=50 seq=1");
        var packet = Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message);

        // 200 requests per second for two seconds, feedback every second.
        var admitted = 0;
        for (var i = 1; i <= 400; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(5));
            admitted += Process(packet) == PacketVerdict.Accept ? 1 : 0;
            if (i % 200 == 0)
            {
                Feedback($"OC-FEEDBACK rate=50 seq={1 + (i / 200)}");
            }
        }

        var status = _module.GetStatus();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(admitted, Is.EqualTo(100 + 5).Within(2), "two seconds of 50/s, plus the bucket's depth of 100 ms");
            Assert.That(status["offered"]!.GetValue<long>(), Is.EqualTo(400));
            Assert.That(status["admitted"]!.GetValue<long>(), Is.EqualTo(admitted));
            Assert.That(status["rejected"]!.GetValue<long>(), Is.EqualTo(400 - admitted));
            Assert.That(status["targetRate"]!.GetValue<double>(), Is.EqualTo(50));
            Assert.That(status["mode"]!.GetValue<string>(), Is.EqualTo("rate"));
            Assert.That(status["feedbackReceived"]!.GetValue<long>(), Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Process_FeedbackStops_FailsOpenAfterTheTimeout()
    {
        await StartAsync("feedback-timeout=2");
        Feedback("OC-FEEDBACK drop=1 seq=1");
        Assert.That(Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message)), Is.EqualTo(PacketVerdict.Drop));

        Time.Advance(TimeSpan.FromSeconds(2));

        Assert.That(Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message)), Is.EqualTo(PacketVerdict.Accept));
    }

    [Test]
    public async Task Process_InitialRate_AppliesBeforeAnyFeedback()
    {
        await StartAsync("initial-rate=0");

        Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message));

        Assert.That(Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message)), Is.EqualTo(PacketVerdict.Drop));
    }

    [Test]
    public async Task HandleFeedback_FromOutsideTheFiltersDestinations_IsIgnored()
    {
        await StartAsync(string.Empty);

        var applied = _module.HandleFeedback("OC-FEEDBACK drop=1 seq=1"u8, UaAddress);

        Assert.That(applied, Is.False);
        Assert.That(_module.GetStatus()["feedbackIgnored"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message)), Is.EqualTo(PacketVerdict.Accept));
    }

    [Test]
    public async Task HandleFeedback_Malformed_IsIgnoredAndCounted()
    {
        await StartAsync(string.Empty);

        Assert.That(_module.HandleFeedback("OC-FEEDBACK rate=fast"u8, ServerAddress), Is.False);
        Assert.That(_module.GetStatus()["feedbackIgnored"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [Test]
    public async Task Process_SenderRefuses_StillDropsAndCountsTheFailure()
    {
        await StartAsync(string.Empty);
        Feedback("OC-FEEDBACK drop=1 seq=1");
        _context.Sender.Refuse = true;

        Assert.That(Process(Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message)), Is.EqualTo(PacketVerdict.Drop));
        Assert.That(_module.GetStatus()["replyFailures"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [Test]
    public void GetStatus_BeforeStart_SaysStarting()
    {
        Assert.That(_module.GetStatus()["mode"]!.GetValue<string>(), Is.EqualTo("starting"));
    }

    [TestCase("retry-after=-1")]
    [TestCase("feedback-timeout=0")]
    [TestCase("feedback-port=70000")]
    [TestCase("initial-rate=fast")]
    [TestCase("retry-after=soon")]
    public void StartAsync_InvalidProperty_Throws(string properties)
    {
        Assert.ThrowsAsync<FormatException>(() => StartAsync(properties));
    }

    [Test]
    public async Task Process_ManyRequestsAdmittedAndRejected_AllocatesNothing()
    {
        await StartAsync(string.Empty);
        _context.Sender.Keep = false;
        Feedback("OC-FEEDBACK drop=0.5 seq=1");
        byte[][] packets =
        [
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message),
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, Request("ACK", toTag: "x")),
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, "SIP/2.0 200 OK\r\n\r\n"),
            Udp(UaAddress, ServerAddress, UaPort, ServerPort, Message[..60]),
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

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(_module.GetStatus()["rejected"]!.GetValue<long>(), Is.EqualTo(2_625));
    }

    private static string Request(string method, string? toTag) =>
        $"{method} sip:bob@198.19.0.1:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-2\r\n" +
        "From: <sip:alice@198.18.0.1>;tag=a1\r\n" +
        $"To: <sip:bob@198.19.0.1>{(toTag is null ? string.Empty : ";tag=" + toTag)}\r\n" +
        "Call-ID: r-1@198.18.0.1\r\n" +
        $"CSeq: 1 {method}\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    private Task StartAsync(string properties)
    {
        Assert.That(ModuleProperties.TryParse(properties, out var parsed, out var error), Is.True, error);
        _context = SipModuleContext.Create(parsed!, "NetServ.Apps.OverloadControl_1.0.0");
        return _module.StartAsync(_context, CancellationToken.None);
    }

    private void Feedback(string text) =>
        Assert.That(_module.HandleFeedback(Encoding.ASCII.GetBytes(text), ServerAddress), Is.True, text);

    private PacketVerdict Process(byte[] bytes)
    {
        var packet = new Packet(bytes);
        return _module.Process(ref packet);
    }
}
