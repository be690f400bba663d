using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetServ.Apps.MediaRelay.Server;
using NetServ.Sip;
using static NetServ.Apps.MediaRelay.Tests.SipCallMessages;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class SipCallProxyTests
{
    private const string OwnVia = "Via: SIP/2.0/UDP 198.18.2.2:5060;branch=z9hG4bK";
    private static readonly IPEndPoint Self = new(IPAddress.Parse("198.18.2.2"), 5060);
    private static readonly IPEndPoint Ua1 = new(IPAddress.Parse("198.18.1.1"), 5060);
    private static readonly IPEndPoint Ua2 = new(IPAddress.Parse("198.18.2.2"), 5070);
    private static readonly IPAddress Relay = IPAddress.Parse("198.18.1.2");

    // Private addresses and short ports: the agents are behind NATs, and the rewrite changes the length.
    private static readonly string Offer = Sdp("10.0.0.5", 4000);
    private static readonly string Answer = Sdp("192.168.7.9", 5000);

    private RelayDirectory _directory = null!;
    private FakeRelayControl _control = null!;
    private FakeTimeProvider _time = null!;
    private SipCallProxy _proxy = null!;

    [SetUp]
    public void Reset()
    {
        _directory = new RelayDirectory();
        _directory.Register("sip:ua1@itsp", Ua1);
        _directory.SetRelay("sip:ua1@itsp", Relay);
        _directory.Register("sip:ua2@itsp", Ua2);
        _control = new FakeRelayControl();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        _proxy = new SipCallProxy(_directory, new CallRelayPlanner(_directory, _control), Self, new SipToTags(), _time, NullLogger.Instance);
    }

    [Test]
    public async Task Invite_RegisteredCallee_AnswersTryingAndForwardsToWhereTheCalleeRegistered()
    {
        var sends = await HandleAsync(Invite(Offer), Ua1);
        Assert.Multiple(() =>
        {
            Assert.That(sends, Has.Count.EqualTo(2));
            Assert.That(sends[0].Destination, Is.EqualTo(Ua1));
            Assert.That(Text(sends[0].Payload), Does.StartWith("SIP/2.0 100 Trying\r\n").And.Contain("To: <sip:ua2@itsp>\r\n"));
            Assert.That(sends[1].Destination, Is.EqualTo(Ua2));
            Assert.That(Text(sends[1].Payload), Does.StartWith("INVITE sip:ua2@itsp SIP/2.0\r\n"));
        });
    }

    [Test]
    public async Task Invite_WithOffer_PointsSdpAtTheRelayPortFacingTheCallee()
    {
        var invite = Text((await HandleAsync(Invite(Offer), Ua1))[1].Payload);
        Assert.Multiple(() =>
        {
            Assert.That(_control.Allocated, Is.EqualTo(new[] { (Relay, "call-1") }));
            Assert.That(Body(invite), Does.Contain("c=IN IP4 198.18.1.2\r\n").And.Contain("m=audio 30002 RTP/AVP 0\r\n").And.Contain("a=rtcp:30003\r\n"));
            Assert.That(Body(invite), Does.Not.Contain("c=IN IP4 10.0.0.5"));
        });
    }

    [Test]
    public async Task Invite_Forwarded_ContentLengthIsTheRewrittenBodyLength()
    {
        var invite = Text((await HandleAsync(Invite(Offer), Ua1))[1].Payload);
        Assert.Multiple(() =>
        {
            Assert.That(Headers(invite, "Content-Length"), Is.EqualTo(new[] { Body(invite).Length.ToString() }));
            Assert.That(Body(invite), Has.Length.Not.EqualTo(Offer.Length), "the rewrite changed the length");
        });
    }

    [Test]
    public async Task Invite_Forwarded_PutsTheProxyViaWithTheMagicCookieAboveTheCallers()
    {
        var invite = Text((await HandleAsync(Invite(Offer), Ua1))[1].Payload);
        var vias = Lines(invite, "Via");
        Assert.Multiple(() =>
        {
            Assert.That(vias, Has.Count.EqualTo(2));
            Assert.That(vias[0], Does.StartWith(OwnVia).And.Length.GreaterThan(OwnVia.Length + 8));
            Assert.That(vias[1], Is.EqualTo("Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKua1inv"));
            Assert.That(invite.IndexOf(OwnVia, StringComparison.Ordinal), Is.LessThan(invite.IndexOf("From:", StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task Invite_Forwarded_RecordsTheRouteAndTakesOneHopOff()
    {
        var invite = Text((await HandleAsync(Invite(Offer), Ua1))[1].Payload);
        Assert.Multiple(() =>
        {
            Assert.That(Headers(invite, "Record-Route"), Is.EqualTo(new[] { ServerRoute }));
            Assert.That(Headers(invite, "Max-Forwards"), Is.EqualTo(new[] { "69" }));
        });
    }

    [Test]
    public async Task Invite_CompactHeaders_AreReadAndTheBodyRewritten()
    {
        var compact = Encoding.ASCII.GetString(Invite(Offer))
            .Replace("Via:", "v:", StringComparison.Ordinal).Replace("From:", "f:", StringComparison.Ordinal)
            .Replace("To:", "t:", StringComparison.Ordinal).Replace("Call-ID:", "i:", StringComparison.Ordinal)
            .Replace("Content-Type:", "c:", StringComparison.Ordinal).Replace("Content-Length:", "l:", StringComparison.Ordinal);
        var invite = Text((await HandleAsync(Encoding.ASCII.GetBytes(compact), Ua1))[1].Payload);
        Assert.Multiple(() =>
        {
            Assert.That(Body(invite), Does.Contain("m=audio 30002 "));
            Assert.That(Headers(invite, "Content-Length"), Is.EqualTo(new[] { Body(invite).Length.ToString() }));
            Assert.That(Lines(invite, "Via"), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Ringing_FromCallee_GoesToTheCallerWithoutTheProxyVia()
    {
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        var sends = await HandleAsync(ResponseTo(invite.Payload, "180 Ringing"), Ua2);
        Assert.Multiple(() =>
        {
            Assert.That(sends.Single().Destination, Is.EqualTo(Ua1));
            Assert.That(Text(sends[0].Payload), Does.StartWith("SIP/2.0 180 Ringing\r\n"));
            Assert.That(Lines(Text(sends[0].Payload), "Via"), Is.EqualTo(new[] { "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKua1inv" }));
        });
    }

    [Test]
    public async Task Trying_FromCallee_IsNotForwarded()
    {
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        Assert.That(await HandleAsync(ResponseTo(invite.Payload, "100 Trying"), Ua2), Is.Empty);
    }

    [Test]
    public async Task Ok_WithAnswer_PointsSdpAtTheRelayPortFacingTheCaller()
    {
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        var ok = (await HandleAsync(ResponseTo(invite.Payload, "200 OK", Answer), Ua2)).Single();
        var text = Text(ok.Payload);
        Assert.Multiple(() =>
        {
            Assert.That(ok.Destination, Is.EqualTo(Ua1));
            Assert.That(Body(text), Does.Contain("c=IN IP4 198.18.1.2\r\n").And.Contain("m=audio 30000 RTP/AVP 0\r\n").And.Contain("a=rtcp:30001\r\n"));
            Assert.That(Body(text), Does.Not.Contain("c=IN IP4 192.168.7.9"));
            Assert.That(Headers(text, "Content-Length"), Is.EqualTo(new[] { Body(text).Length.ToString() }));
            Assert.That(Lines(text, "Via"), Is.EqualTo(new[] { "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKua1inv" }));
            Assert.That(Headers(text, "Record-Route"), Is.EqualTo(new[] { ServerRoute }), "the caller learns the route set");
        });
    }

    [Test]
    public async Task Ack_FromCaller_GoesToTheCalleeWithoutTheProxyRoute()
    {
        await AnsweredCallAsync();
        var ack = (await HandleAsync(InDialog("ACK", fromCaller: true, 1), Ua1)).Single();
        var text = Text(ack.Payload);
        Assert.Multiple(() =>
        {
            Assert.That(ack.Destination, Is.EqualTo(Ua2));
            Assert.That(text, Does.StartWith("ACK sip:ua2@198.18.2.2:5070 SIP/2.0\r\n"));
            Assert.That(Headers(text, "Route"), Is.Empty);
            Assert.That(Lines(text, "Via")[0], Does.StartWith(OwnVia));
            Assert.That(_control.Released, Is.Empty);
        });
    }

    [Test]
    public async Task Bye_FromCaller_GoesToTheCalleeReleasesTheSessionAndItsOkGoesBack()
    {
        await AnsweredCallAsync();
        var bye = (await HandleAsync(InDialog("BYE", fromCaller: true, 2), Ua1)).Single();
        var ok = (await HandleAsync(ResponseTo(bye.Payload, "200 OK"), Ua2)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(bye.Destination, Is.EqualTo(Ua2));
            Assert.That(Text(bye.Payload), Does.StartWith("BYE "));
            Assert.That(_control.Released, Is.EqualTo(new[] { "call-1" }));
            Assert.That(ok.Destination, Is.EqualTo(Ua1));
            Assert.That(Text(ok.Payload), Does.StartWith("SIP/2.0 200 OK\r\n").And.Contain("CSeq: 2 BYE\r\n"));
        });
    }

    [Test]
    public async Task Bye_FromCallee_GoesToTheCallerAndReleasesTheSession()
    {
        await AnsweredCallAsync();
        var bye = (await HandleAsync(InDialog("BYE", fromCaller: false, 1), Ua2)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(bye.Destination, Is.EqualTo(Ua1));
            Assert.That(_control.Released, Is.EqualTo(new[] { "call-1" }));
        });
    }

    [Test]
    public async Task ErrorFinalResponse_ToTheInvite_GoesToTheCallerAndReleasesTheSession()
    {
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        var busy = (await HandleAsync(ResponseTo(invite.Payload, "486 Busy Here"), Ua2)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(busy.Destination, Is.EqualTo(Ua1));
            Assert.That(_control.Released, Is.EqualTo(new[] { "call-1" }));
        });
    }

    [Test]
    public async Task Cancel_FromCaller_GoesToTheCalleeOnTheInviteBranch()
    {
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        var cancel = Encoding.ASCII.GetString(Invite(Offer)).Replace("INVITE sip:", "CANCEL sip:", StringComparison.Ordinal)
            .Replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL", StringComparison.Ordinal);
        var sent = (await HandleAsync(Encoding.ASCII.GetBytes(cancel), Ua1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Destination, Is.EqualTo(Ua2));
            Assert.That(Lines(Text(sent.Payload), "Via")[0], Is.EqualTo(Lines(Text(invite.Payload), "Via")[0]));
        });
    }

    [Test]
    public async Task Invite_Retransmitted_IsForwardedAgainOnTheSameBranchWithOneAllocation()
    {
        var first = (await HandleAsync(Invite(Offer), Ua1))[1];
        var again = await HandleAsync(Invite(Offer), Ua1);
        Assert.Multiple(() =>
        {
            Assert.That(again, Has.Count.EqualTo(2));
            Assert.That(Text(again[1].Payload), Is.EqualTo(Text(first.Payload)));
            Assert.That(_control.Allocated, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Invite_UnknownCallee_Answers404AndAllocatesNothing()
    {
        var sends = await HandleAsync(Invite(Offer, "sip:nobody@itsp"), Ua1);
        Assert.Multiple(() =>
        {
            Assert.That(sends.Single().Destination, Is.EqualTo(Ua1));
            Assert.That(Text(sends[0].Payload), Does.StartWith("SIP/2.0 404 Not Found\r\n").And.Match("To: <sip:ua2@itsp>;tag=[0-9a-f]{16}\r\n"));
            Assert.That(_control.Allocated, Is.Empty);
            Assert.That(_proxy.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task Invite_NoRelayNearEitherAgent_IsForwardedWithItsSdpAsItWas()
    {
        var directory = new RelayDirectory();
        directory.Register("sip:ua1@itsp", Ua1);
        directory.Register("sip:ua2@itsp", Ua2);
        var proxy = new SipCallProxy(directory, new CallRelayPlanner(directory, _control), Self, new SipToTags(), _time, NullLogger.Instance);
        var sends = await proxy.HandleAsync(Invite(Offer), Ua1, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(sends[1].Destination, Is.EqualTo(Ua2));
            Assert.That(Body(Text(sends[1].Payload)), Is.EqualTo(Offer));
            Assert.That(_control.Allocated, Is.Empty);
        });
    }

    [Test]
    public async Task Invite_RelayRefuses_IsForwardedWithItsSdpAsItWas()
    {
        _control.Refuse = true;
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        Assert.That(Body(Text(invite.Payload)), Is.EqualTo(Offer));
    }

    [Test]
    public async Task Invite_UnknownCalleeFromBehindANatWithRport_FillsInViaAndAnswersTheSourcePort()
    {
        // RFC 3581 section 4 with the example of its section 6: the request left 10.1.1.1:4540 and came from 192.0.2.1:9988.
        var nat = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9988);
        var invite = Text(Invite(Offer, "sip:nobody@itsp")).Replace("198.18.1.1:5060;branch=z9hG4bKua1inv", "10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff", StringComparison.Ordinal);
        var sends = await HandleAsync(Encoding.ASCII.GetBytes(invite), nat);
        Assert.Multiple(() =>
        {
            Assert.That(Text(sends.Single().Payload), Does.Contain("\r\nVia: SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff\r\n"));
            Assert.That(sends[0].Destination, Is.EqualTo(nat));
        });
    }

    [Test]
    public async Task Invite_UnknownCalleeFromAnotherAddressThanSentBy_AddsReceivedAndAnswersTheSentByPort()
    {
        // RFC 3261 sections 18.2.1 and 18.2.2: without rport the response goes to the sent-by port at the source address.
        var sends = await HandleAsync(Invite(Offer, "sip:nobody@itsp"), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9988));
        Assert.Multiple(() =>
        {
            Assert.That(Text(sends.Single().Payload), Does.Contain("\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKua1inv;received=192.0.2.1\r\n"));
            Assert.That(sends[0].Destination, Is.EqualTo(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060)));
        });
    }

    [Test]
    public async Task Invite_UnknownCalleesOfTwoCalls_AreAnsweredWithDifferentToTags()
    {
        var first = Text((await HandleAsync(Invite(Offer, "sip:nobody@itsp"), Ua1)).Single().Payload);
        var other = Text(Invite(Offer, "sip:nobody@itsp")).Replace($"Call-ID: {CallId}", "Call-ID: call-2", StringComparison.Ordinal);
        var second = Text((await HandleAsync(Encoding.ASCII.GetBytes(other), Ua1)).Single().Payload);
        Assert.That(Headers(second, "To"), Is.Not.EqualTo(Headers(first, "To")));
    }

    [Test]
    public async Task Invite_Trying_CarriesNoToTag()
    {
        var trying = Text((await HandleAsync(Invite(Offer), Ua1))[0].Payload);
        Assert.That(trying, Does.StartWith("SIP/2.0 100 Trying\r\n").And.Contain("\r\nTo: <sip:ua2@itsp>\r\n"));
    }

    [Test]
    public async Task Bye_UnknownCall_Answers481()
    {
        var sends = await HandleAsync(InDialog("BYE", fromCaller: true, 2), Ua1);
        Assert.Multiple(() =>
        {
            Assert.That(Text(sends.Single().Payload), Does.StartWith("SIP/2.0 481 "));
            Assert.That(_proxy.Unmatched, Is.EqualTo(1));
            Assert.That(_control.Released, Is.Empty);
        });
    }

    [Test]
    public async Task Response_ToNoForwardedRequest_IsDroppedAndCounted()
    {
        var stray = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.18.2.2:5060;branch=z9hG4bKnotours\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKx\r\n" +
            "From: <sip:ua1@itsp>;tag=a\r\nTo: <sip:ua2@itsp>;tag=b\r\nCall-ID: stray\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        var sends = await HandleAsync(Encoding.ASCII.GetBytes(stray), Ua2);
        Assert.Multiple(() =>
        {
            Assert.That(sends, Is.Empty);
            Assert.That(_proxy.Unmatched, Is.EqualTo(1));
        });
    }

    [TestCase("not sip at all")]
    [TestCase("INVITE sip:ua2@itsp SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1\r\nFrom: <sip:ua1@itsp>;tag=1\r\nTo: <sip:ua2@itsp>\r\nCSeq: 1 INVITE\r\n\r\n")]
    [TestCase("INVITE sip:ua2@itsp SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1\r\nFrom: <sip:ua1@itsp>;tag=1\r\nTo: <sip:ua2@itsp>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 500\r\n\r\nv=0\r\n")]
    [TestCase("INVITE sip:ua2@itsp SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1\r\nFrom: <sip:ua1@itsp>;tag=1\r\nTo: <sip:ua2@itsp>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n")]
    [TestCase("SIP/2.0 200 OK\r\nFrom: <sip:ua1@itsp>;tag=1\r\nTo: <sip:ua2@itsp>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n")]
    public async Task Malformed_Datagram_IsDroppedAndCounted(string datagram)
    {
        var sends = await HandleAsync(Encoding.ASCII.GetBytes(datagram), Ua1);
        Assert.Multiple(() =>
        {
            Assert.That(sends, Is.Empty);
            Assert.That(_proxy.Malformed, Is.EqualTo(1));
            Assert.That(_control.Allocated, Is.Empty);
        });
    }

    [Test]
    public async Task HandleAsync_DamagedMessages_NeverThrow()
    {
        var random = new Random(11);
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        var samples = new[] { Invite(Offer), ResponseTo(invite.Payload, "200 OK", Answer), InDialog("BYE", fromCaller: true, 2) };
        for (var i = 0; i < 3000; i++)
        {
            var sample = samples[i % samples.Length];
            var copy = sample[..random.Next(0, sample.Length + 1)];
            for (var flips = random.Next(1, 4); flips > 0 && copy.Length > 0; flips--)
            {
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            }

            await HandleAsync(copy, i % 2 == 0 ? Ua1 : Ua2);
        }

        Assert.That(_proxy.Malformed, Is.GreaterThan(0));
    }

    [Test]
    public async Task EndedCall_AfterTheLinger_IsForgotten()
    {
        await AnsweredCallAsync();
        var bye = (await HandleAsync(InDialog("BYE", fromCaller: true, 2), Ua1)).Single();
        _time.Advance(TimeSpan.FromSeconds(33));
        var late = await HandleAsync(ResponseTo(bye.Payload, "200 OK"), Ua2);
        Assert.Multiple(() =>
        {
            Assert.That(late, Is.Empty);
            Assert.That(_proxy.Calls, Is.Zero);
            Assert.That(_control.Released, Is.EqualTo(new[] { "call-1" }), "released once");
        });
    }

    [Test]
    public async Task UnansweredInvite_AfterThreeMinutes_ReleasesTheSession()
    {
        await HandleAsync(Invite(Offer), Ua1);
        _time.Advance(TimeSpan.FromMinutes(3));
        await HandleAsync("garbage"u8.ToArray(), Ua1);
        Assert.Multiple(() =>
        {
            Assert.That(_control.Released, Is.EqualTo(new[] { "call-1" }));
            Assert.That(_proxy.Calls, Is.Zero);
        });
    }

    private Task<IReadOnlyList<SipDatagram>> HandleAsync(byte[] datagram, IPEndPoint source) =>
        _proxy.HandleAsync(datagram, source, CancellationToken.None);

    /// <summary>INVITE, 200 OK with the answer, as far as the ACK.</summary>
    private async Task AnsweredCallAsync()
    {
        var invite = (await HandleAsync(Invite(Offer), Ua1))[1];
        await HandleAsync(ResponseTo(invite.Payload, "200 OK", Answer), Ua2);
    }
}
