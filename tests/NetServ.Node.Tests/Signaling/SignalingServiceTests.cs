using System.ComponentModel;
using System.Net.Sockets;
using NetServ.Networking;
using NetServ.Node.Signaling.Routing;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Signaling;

/// <summary>The NSLP on a node: what it does with a request from upstream, with answers from downstream, and with neither.</summary>
[TestFixture]
public sealed class SignalingServiceTests
{
    [Test]
    public async Task Request_NoNetServNodeFurtherOn_AnswersUpstreamAsTheLastNode()
    {
        await using var rig = await SignalingRig.StartAsync();
        var wire = rig.SignedProbe();

        var handling = rig.FromUpstream(wire);
        var forwarded = await rig.SentDownstreamAsync();
        await rig.NoPeerFound(forwarded.Session);
        await handling;

        var answer = rig.Answers().Single();
        var upstream = rig.Transport.SentUpstream.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(forwarded.Message, Is.EqualTo(wire), "the request goes on downstream byte for byte");
            Assert.That(forwarded.Mri, Is.EqualTo(SignalingRig.Flow));
            Assert.That(answer.Nodes.Select(n => (n.Node, n.Address, n.Status)), Is.EqualTo(new[] { ("node-a", FakeSignalingTransport.LocalAddress.ToString(), 200) }));
            Assert.That(answer.Nodes[0].Data, Is.Not.Null, "the probe's report travels in the node's entry");
            Assert.That(upstream.Session, Is.EqualTo(new GistSessionId(1)), "answered on the session the request came on");
            Assert.That(upstream.Mri, Is.EqualTo(SignalingRig.Flow));
        }
    }

    [Test]
    public async Task Request_NextNodeAnswersWithItsStack_PutsThisNodesResultInFront()
    {
        await using var rig = await SignalingRig.StartAsync();

        var handling = rig.FromUpstream(rig.SignedProbe());
        var forwarded = await rig.SentDownstreamAsync();
        var downstream = new PathResponse
        {
            Method = NslpMethod.Probe,
            Target = "*",
            Nodes = [new NodeResult { Node = "node-b", Address = "198.18.3.1", Status = 200 }],
        };
        await rig.FromDownstream(forwarded.Session, downstream.ToMessage());
        await handling;

        Assert.That(rig.Answers().Single().Nodes.Select(n => (n.Node, n.Status)), Is.EqualTo(new[] { ("node-a", 200), ("node-b", 200) }));
    }

    [Test]
    public async Task Request_NextNodeAnswersWithoutAStack_RecordsThatNodesStatusAndError()
    {
        await using var rig = await SignalingRig.StartAsync();

        var handling = rig.FromUpstream(rig.SignedProbe());
        var forwarded = await rig.SentDownstreamAsync();
        var refusal = new NslpResponse(NslpStatus.BadRequest);
        refusal.Headers.Add(NslpHeaderNames.Node, "node-b");
        refusal.Headers.Add(NslpHeaderNames.Error, "cannot parse the request");
        await rig.FromDownstream(forwarded.Session, refusal);
        await handling;

        var nodes = rig.Answers().Single().Nodes;
        Assert.That(nodes.Select(n => (n.Node, n.Status, n.Error)), Is.EqualTo(new[] { ("node-a", 200, (string?)null), ("node-b", 400, "cannot parse the request") }));
    }

    [Test]
    public async Task Request_Unanswered_IsSentAgainWithDoublingIntervals()
    {
        await using var rig = await SignalingRig.StartAsync(s => (s.RetransmitInitialMs, s.RetransmitMaxMs) = (500, 4000));
        var wire = rig.SignedProbe();

        var handling = rig.FromUpstream(wire);
        var first = await rig.SentDownstreamAsync(1);
        rig.Time.Advance(TimeSpan.FromMilliseconds(499));
        await Task.Delay(20);
        var beforeInterval = rig.Transport.SentDownstream.Count;
        rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await rig.SentDownstreamAsync(2);
        rig.Time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(20);
        var beforeDoubled = rig.Transport.SentDownstream.Count;
        rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        var third = await rig.SentDownstreamAsync(3);
        await rig.NoPeerFound(first.Session);
        await handling;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(beforeInterval, Is.EqualTo(1), "nothing again before 500 ms");
            Assert.That(beforeDoubled, Is.EqualTo(2), "the second interval is 1 s");
            Assert.That(new[] { second.Session, third.Session }, Is.All.EqualTo(first.Session));
            Assert.That(new[] { second.Message, third.Message }, Is.All.EqualTo(wire));
            Assert.That(rig.Answers(), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task Request_NextNodeNeverAnswers_AnswersWithAGatewayTimeoutForTheRestOfThePath()
    {
        await using var rig = await SignalingRig.StartAsync(s => s.RequestTimeoutSeconds = 5);

        var handling = rig.FromUpstream(rig.SignedProbe());
        await rig.SentDownstreamAsync();
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        await handling;

        var nodes = rig.Answers().Single().Nodes;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(nodes.Select(n => (n.Node, n.Status)), Is.EqualTo(new[] { ("node-a", 200), ("downstream", 504) }));
            Assert.That(nodes[1].Error, Is.EqualTo("the next NetServ node accepted the request but did not answer within 5 s"));
        }
    }

    [Test]
    public async Task Request_SameBytesAgainAfterTheAnswer_IsAnsweredFromTheFirstResultWithoutActingAgain()
    {
        await using var rig = await SignalingRig.StartAsync();
        var wire = rig.SignedProbe();
        var handling = rig.FromUpstream(wire);
        await rig.NoPeerFound((await rig.SentDownstreamAsync()).Session);
        await handling;

        await rig.FromUpstream(wire);

        var answers = rig.Transport.SentUpstream;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers, Has.Count.EqualTo(2));
            Assert.That(answers[1].Message, Is.EqualTo(answers[0].Message), "the same answer, not a replayed-nonce refusal");
            Assert.That(rig.Answers()[1].Nodes[0].Status, Is.EqualTo(200));
            Assert.That(rig.Transport.SentDownstream, Has.Count.EqualTo(1), "not passed on a second time");
            Assert.That(rig.Statistics.Snapshot().RepeatsAnswered, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Request_SameBytesAgainWhileTheFirstIsWorkedOn_IsAnsweredOnceWhenTheFirstIsDone()
    {
        await using var rig = await SignalingRig.StartAsync();
        var wire = rig.SignedProbe();
        var handling = rig.FromUpstream(wire);
        var forwarded = await rig.SentDownstreamAsync();

        await rig.FromUpstream(wire);
        var answeredBeforeTheFirst = rig.Transport.SentUpstream.Count;
        await rig.NoPeerFound(forwarded.Session);
        await handling;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answeredBeforeTheFirst, Is.Zero);
            Assert.That(rig.Transport.SentUpstream, Has.Count.EqualTo(1));
            Assert.That(rig.Transport.SentDownstream, Has.Count.EqualTo(1));
            Assert.That(rig.Statistics.Snapshot().RepeatsInProgress, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Request_WithoutAValidSignature_IsRefusedHereAndStillPassedOn()
    {
        await using var rig = await SignalingRig.StartAsync();
        var unsigned = NslpRequests.Probe(ProbeKind.Status);
        unsigned.Headers[NslpHeaderNames.User] = "alice";

        var handling = rig.FromUpstream(NslpCodec.Encode(unsigned));
        await rig.NoPeerFound((await rig.SentDownstreamAsync()).Session);
        await handling;

        var node = rig.Answers().Single().Nodes.Single();
        Assert.That(node.Status, Is.EqualTo(NslpStatus.Unauthorized));
        Assert.That(node.Error, Is.Not.Empty);
    }

    [Test]
    public async Task Request_FromAnUnknownUser_IsRefusedNamingTheUser()
    {
        await using var rig = await SignalingRig.StartAsync();
        var request = NslpRequests.Probe(ProbeKind.Status);
        request.Headers[NslpHeaderNames.User] = "mallory";

        var handling = rig.FromUpstream(NslpCodec.Encode(request));
        await rig.NoPeerFound((await rig.SentDownstreamAsync()).Session);
        await handling;

        var node = rig.Answers().Single().Nodes.Single();
        Assert.That(node.Status, Is.EqualTo(NslpStatus.Unauthorized));
        Assert.That(node.Error, Does.Contain("mallory"));
    }

    [Test]
    public async Task MalformedRequest_IsRefusedUpstreamAndTheServiceGoesOn()
    {
        await using var rig = await SignalingRig.StartAsync();

        await rig.FromUpstream("not an NSLP message\r\n\r\n"u8.ToArray());
        var refusal = SignalingRig.Response(rig.Transport.SentUpstream.Single().Message);
        var handling = rig.FromUpstream(rig.SignedProbe(), new GistSessionId(2));
        await rig.NoPeerFound((await rig.SentDownstreamAsync()).Session);
        await handling;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refusal.StatusCode, Is.EqualTo(NslpStatus.BadRequest));
            Assert.That(refusal.Headers[NslpHeaderNames.Node], Is.EqualTo("node-a"));
            Assert.That(refusal.Headers[NslpHeaderNames.Error], Does.StartWith("malformed NetServ NSLP message: "));
            Assert.That(rig.Transport.SentDownstream, Has.Count.EqualTo(1), "the malformed message is not passed on");
            Assert.That(SignalingRig.Stack(rig.Transport.SentUpstream[1].Message).Nodes.Single().Status, Is.EqualTo(200));
        }
    }

    [Test]
    public async Task MalformedMessageFromDownstream_IsDroppedWithoutAnAnswer()
    {
        await using var rig = await SignalingRig.StartAsync();

        await rig.Transport.Delivered!(new DeliverAction(new GistSessionId(7), SignalingRig.Flow, GistDirection.Upstream, "garbage"u8.ToArray(), SignalingRig.Downstream));

        Assert.That(rig.Transport.Sent, Is.Empty);
    }

    [Test]
    public async Task ResponseForNoWaitingSession_AndRequestTravellingUpstream_AreIgnored()
    {
        await using var rig = await SignalingRig.StartAsync();

        await rig.FromDownstream(new GistSessionId(42), new NslpResponse(NslpStatus.Ok));
        await rig.FromDownstream(new GistSessionId(43), rig.Signed(NslpRequests.Probe(ProbeKind.Status)));

        Assert.That(rig.Transport.Sent, Is.Empty);
    }

    [Test]
    public async Task FailureWhileHandling_DoesNotEscapeTheHandler_AndTheNextRequestIsServed()
    {
        await using var rig = await SignalingRig.StartAsync();
        rig.Transport.SendFails = (GistDirection.Upstream, new SocketException((int)SocketError.NetworkUnreachable));
        var failing = rig.FromUpstream(rig.SignedProbe());
        await rig.NoPeerFound((await rig.SentDownstreamAsync(1)).Session);

        Assert.That(async () => await failing, Throws.Nothing);
        rig.Transport.SendFails = null;
        var next = rig.FromUpstream(rig.SignedProbe(), new GistSessionId(2));
        await rig.NoPeerFound((await rig.SentDownstreamAsync(2)).Session);
        await next;
        Assert.That(rig.Answers(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Trigger_AtTheLastNode_SendsTheCarriedRequestTowardTheSenderInANewFlow()
    {
        await using var rig = await SignalingRig.StartAsync();
        var inner = rig.Signed(NslpRequests.Probe(ProbeKind.Status));
        var trigger = rig.Signed(NslpRequests.Trigger(inner));

        var handling = rig.FromUpstream(NslpCodec.Encode(trigger));
        var passedOn = await rig.SentDownstreamAsync(1);
        await rig.NoPeerFound(passedOn.Session);
        var reverse = await rig.SentDownstreamAsync(2);
        await rig.NoPeerFound(reverse.Session);
        await handling;

        var answer = rig.Answers().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reverse.Mri, Is.EqualTo(new GistPathCoupledMri { SourceAddress = SignalingRig.Destination, DestinationAddress = SignalingRig.Sender }));
            Assert.That(reverse.Session, Is.Not.EqualTo(passedOn.Session));
            Assert.That(NslpCodec.TryParseWhole(reverse.Message, out var sent, out _) && sent is NslpRequest { Method: NslpMethod.Probe }, Is.True);
            Assert.That(answer.Method, Is.EqualTo(NslpMethod.Trigger));
            Assert.That(answer.Nodes.Single().Status, Is.EqualTo(200));
            Assert.That(answer.Nodes.Single().Data?["triggered"]?.GetValue<string>(), Is.EqualTo($"PROBE toward {SignalingRig.Sender}"));
            Assert.That(answer.Triggered?.Nodes.Select(n => (n.Node, n.Status)), Is.EqualTo(new[] { ("node-a", 200) }));
        }
    }

    [Test]
    public async Task Trigger_NotAtTheLastNode_PassesTheAnswerFromFurtherDownOn()
    {
        await using var rig = await SignalingRig.StartAsync();
        var trigger = rig.Signed(NslpRequests.Trigger(rig.Signed(NslpRequests.Probe(ProbeKind.Status))));

        var handling = rig.FromUpstream(NslpCodec.Encode(trigger));
        var passedOn = await rig.SentDownstreamAsync();
        var further = new PathResponse { Method = NslpMethod.Trigger, Target = "PROBE", Nodes = [new NodeResult { Node = "node-b", Address = "198.18.3.1", Status = 200 }] };
        await rig.FromDownstream(passedOn.Session, further.ToMessage());
        await handling;

        Assert.That(rig.Answers().Single().Nodes.Select(n => n.Node), Is.EqualTo(new[] { "node-b" }), "node-a adds nothing to a TRIGGER it passes on");
        Assert.That(rig.Transport.SentDownstream, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Trigger_CarryingSomethingOtherThanARequest_IsRefusedAsBadRequestAtTheLastNode()
    {
        await using var rig = await SignalingRig.StartAsync();
        var trigger = rig.Signed(new NslpRequest(NslpMethod.Trigger, "PROBE") { Body = "not a request"u8.ToArray() });

        var handling = rig.FromUpstream(NslpCodec.Encode(trigger));
        await rig.NoPeerFound((await rig.SentDownstreamAsync()).Session);
        await handling;

        var node = rig.Answers().Single().Nodes.Single();
        Assert.That(node.Status, Is.EqualTo(NslpStatus.BadRequest));
        Assert.That(node.Error, Does.StartWith("a TRIGGER carries a SETUP, REMOVE or PROBE in its body"));
        Assert.That(rig.Transport.SentDownstream, Has.Count.EqualTo(1), "nothing is sent back toward the sender");
    }

    [TestCase("Unicast", null, false, true, TestName = "DestinationOnLink_UnicastRouteWithoutGateway_IsOnLink")]
    [TestCase("Local", null, false, true, TestName = "DestinationOnLink_LocalRoute_IsOnLink")]
    [TestCase("Unicast", "198.18.2.1", false, false, TestName = "DestinationOnLink_RouteThroughAGateway_IsNotOnLink")]
    [TestCase("Unicast", null, true, false, TestName = "DestinationOnLink_MultipathRoute_IsNotOnLink")]
    [TestCase("Other", null, false, false, TestName = "DestinationOnLink_UnreachableRoute_IsNotOnLink")]
    public async Task DestinationOnLink_FollowsTheRouteToTheDestination(string kind, string? gateway, bool multipath, bool onLink)
    {
        await using var rig = await SignalingRig.StartAsync();
        rig.Routes.Routes[SignalingRig.Destination] = new RouteToDestination(Enum.Parse<RouteKind>(kind), gateway is null ? null : Ipv4Address.Parse(gateway), multipath);

        Assert.That(rig.Transport.StartedWith!.DestinationOnLink!(SignalingRig.Destination), Is.EqualTo(onLink));
    }

    [Test]
    public async Task DestinationOnLink_OnLinkEndsPathOff_AnOnLinkDestinationIsNotTheEndSoTheQueryGoesOn()
    {
        await using var rig = await SignalingRig.StartAsync(s => s.OnLinkEndsPath = false);
        rig.Routes.Routes[SignalingRig.Destination] = new RouteToDestination(RouteKind.Unicast, null, false);

        Assert.That(rig.Transport.StartedWith!.DestinationOnLink!(SignalingRig.Destination), Is.False);
    }

    [Test]
    public async Task DestinationOnLink_RouteLookupFails_IsNotOnLinkSoTheQueryDecides()
    {
        await using var rig = await SignalingRig.StartAsync();

        Assert.That(rig.Transport.StartedWith!.DestinationOnLink!(SignalingRig.Destination), Is.False);
    }

    [Test]
    public async Task Start_PassesTheSignalingSettingsToGistAndInterceptsOnTheConfiguredQueue()
    {
        await using var rig = await SignalingRig.StartAsync(s => (s.Port, s.Queue, s.QueryTimeoutMs, s.QueryRetries, s.RoutingStateSeconds, s.MaxDatagramBytes) = (2700, 42, 250, 3, 20, 1200));

        var started = rig.Transport.StartedWith!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(started.Name, Is.EqualTo("node-a"));
            Assert.That(started.DatagramPort, Is.EqualTo(2700));
            Assert.That(started.QueryTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(started.QueryRetries, Is.EqualTo(3));
            Assert.That(started.RoutingStateValidity, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(started.MaxDatagramMessage, Is.EqualTo(1200));
            Assert.That(rig.Transport.InterceptedQueues, Is.EqualTo(new ushort[] { 42 }));
        }
    }

    [Test]
    public async Task Start_InterceptionOff_OpensNoQueue()
    {
        await using var rig = await SignalingRig.StartAsync(s => s.Intercept = false);

        Assert.That(rig.Transport.StartedWith, Is.Not.Null);
        Assert.That(rig.Transport.InterceptedQueues, Is.Empty);
    }

    [Test]
    public async Task Start_SignalingDisabled_StartsNoTransport()
    {
        await using var rig = await SignalingRig.StartAsync(s => s.Enabled = false);

        Assert.That(rig.Transport.StartedWith, Is.Null);
    }

    [Test]
    public async Task Start_PortTaken_FailsNamingThePort()
    {
        await using var rig = await SignalingRig.CreateAsync(s => s.Port = 2700);
        rig.Transport.StartFails = new SocketException((int)SocketError.AddressAlreadyInUse);

        Assert.That(async () => await rig.Service.StartAsync(CancellationToken.None), Throws.InvalidOperationException.With.Message.StartsWith("signaling cannot start on port 2700: "));
    }

    [Test]
    public async Task Start_QueueCannotBeOpened_FailsNamingTheQueue()
    {
        await using var rig = await SignalingRig.CreateAsync(s => s.Queue = 42);
        rig.Transport.InterceptFails = new Win32Exception(1, "Operation not permitted");

        Assert.That(async () => await rig.Service.StartAsync(CancellationToken.None), Throws.InvalidOperationException.With.Message.EqualTo("signaling cannot intercept Queries on NFQUEUE 42: Operation not permitted"));
    }

    [Test]
    public async Task Stop_ReleasesTheQueueAndTheTransport()
    {
        await using var rig = await SignalingRig.StartAsync();

        await rig.Service.StopAsync(CancellationToken.None);

        Assert.That(rig.Transport.InterceptorDisposed, Is.True);
        Assert.That(rig.Transport.Disposed, Is.True);
    }

    [Test]
    public async Task Status_CountsTheMessagesGistDroppedWhileSignalingRuns()
    {
        await using var rig = await SignalingRig.StartAsync();
        rig.Transport.Discarded[GistDiscardReason.Malformed] = 3;
        rig.Transport.Discarded[GistDiscardReason.RefusedConfirm] = 1;

        var dropped = rig.Statistics.Snapshot().Dropped;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dropped.Malformed, Is.EqualTo(3));
            Assert.That(dropped.RefusedConfirm, Is.EqualTo(1));
            Assert.That(dropped.UnknownAssociation, Is.Zero);
        }
    }
}
