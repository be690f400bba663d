using System.Net;
using NetServ.Apps.MediaRelay.Server;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class CallRelayPlannerTests
{
    private const string Sdp = "v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 0\r\n";
    private static readonly IPAddress RelayNearAlice = IPAddress.Parse("198.18.1.2");

    private RelayDirectory _directory = null!;
    private FakeRelayControl _control = null!;

    [SetUp]
    public void Reset()
    {
        _directory = new RelayDirectory();
        _control = new FakeRelayControl();
    }

    [Test]
    public async Task PlanAsync_CallerHasRelay_AllocatesThereAndPointsEachSideAtItsPort()
    {
        _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5060));
        _directory.SetRelay("sip:alice@itsp", RelayNearAlice);
        _directory.Register("sip:bob@itsp", new IPEndPoint(IPAddress.Parse("198.18.2.2"), 5060));

        var call = await new CallRelayPlanner(_directory, _control).PlanAsync("c1", "sip:alice@itsp", "sip:bob@itsp", Sdp, Sdp, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_control.Allocated, Is.EqualTo(new[] { (RelayNearAlice, "c1") }));
            Assert.That(call!.OfferForCallee, Does.Contain("m=audio 30002 ").And.Contain("c=IN IP4 198.18.1.2"));
            Assert.That(call.AnswerForCaller, Does.Contain("m=audio 30000 "));
        });
    }

    [Test]
    public async Task PlanAsync_NeitherSideHasRelay_ReturnsNull()
    {
        _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5060));
        var call = await new CallRelayPlanner(_directory, _control).PlanAsync("c1", "sip:alice@itsp", "sip:bob@itsp", Sdp, Sdp, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(call, Is.Null);
            Assert.That(_control.Allocated, Is.Empty);
        });
    }

    [Test]
    public async Task PlanAsync_SdpWithoutAudio_ReleasesTheSession()
    {
        _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5060));
        _directory.SetRelay("sip:alice@itsp", RelayNearAlice);
        var call = await new CallRelayPlanner(_directory, _control).PlanAsync("c1", "sip:alice@itsp", "sip:bob@itsp", "v=0\r\n", Sdp, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(call, Is.Null);
            Assert.That(_control.Released, Is.EqualTo(new[] { "c1" }));
        });
    }

    [Test]
    public void Register_AgentMovedToAnotherAddress_ForgetsItsRelay()
    {
        _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5060));
        _directory.SetRelay("sip:alice@itsp", RelayNearAlice);
        var again = _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5062));
        var moved = _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.3.1"), 5060));
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.False);
            Assert.That(moved, Is.True);
            Assert.That(_directory.Find("sip:alice@itsp")!.Relay, Is.Null);
        });
    }

    [TestCase("OK c1 30000 30002", true)]
    [TestCase("ERR no free ports", false)]
    [TestCase("OK c1 30000", false)]
    [TestCase("OK c1 0 30002", false)]
    [TestCase("OK c1 x 30002", false)]
    public void TryParse_ControlAnswer_AcceptsOnlyAnAllocation(string answer, bool expected) =>
        Assert.That(RelayAllocation.TryParse(answer, RelayNearAlice, out _), Is.EqualTo(expected));

    private sealed class FakeRelayControl : IRelayControl
    {
        public List<(IPAddress, string)> Allocated { get; } = [];

        public List<string> Released { get; } = [];

        public Task<RelayAllocation?> AllocateAsync(IPAddress relay, string callId, CancellationToken cancellationToken)
        {
            Allocated.Add((relay, callId));
            return Task.FromResult<RelayAllocation?>(new RelayAllocation(callId, new IPEndPoint(relay, 30000), new IPEndPoint(relay, 30002)));
        }

        public Task<bool> ReleaseAsync(IPAddress relay, string callId, CancellationToken cancellationToken)
        {
            Released.Add(callId);
            return Task.FromResult(true);
        }
    }
}
