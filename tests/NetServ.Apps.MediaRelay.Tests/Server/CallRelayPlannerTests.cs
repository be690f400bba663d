using System.Net;
using NetServ.Apps.MediaRelay.Server;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class CallRelayPlannerTests
{
    private const string Sdp = "v=0\r\nc=IN IP4 10.0.0.5\r\nm=audio 4000 RTP/AVP 0\r\n";
    private static readonly IPAddress RelayNearAlice = IPAddress.Parse("198.18.1.2");
    private static readonly IPAddress RelayNearBob = IPAddress.Parse("198.18.3.2");

    private RelayDirectory _directory = null!;
    private FakeRelayControl _control = null!;

    [SetUp]
    public void Reset()
    {
        _directory = new RelayDirectory();
        _control = new FakeRelayControl();
    }

    [Test]
    public async Task AllocateAsync_CallerHasRelay_AllocatesThere()
    {
        RegisterBoth();
        _directory.SetRelay("sip:bob@itsp", RelayNearBob);

        var allocation = await new CallRelayPlanner(_directory, _control).AllocateAsync("c1", "sip:alice@itsp", "sip:bob@itsp", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_control.Allocated, Is.EqualTo(new[] { (RelayNearAlice, "c1") }));
            Assert.That(allocation!.CallerSide, Is.EqualTo(new IPEndPoint(RelayNearAlice, 30000)));
        });
    }

    [Test]
    public async Task AllocateAsync_OnlyCalleeHasRelay_AllocatesThere()
    {
        _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5060));
        _directory.Register("sip:bob@itsp", new IPEndPoint(IPAddress.Parse("198.18.3.1"), 5060));
        _directory.SetRelay("sip:bob@itsp", RelayNearBob);

        await new CallRelayPlanner(_directory, _control).AllocateAsync("c1", "sip:alice@itsp", "sip:bob@itsp", CancellationToken.None);
        Assert.That(_control.Allocated, Is.EqualTo(new[] { (RelayNearBob, "c1") }));
    }

    [Test]
    public async Task AllocateAsync_NeitherSideHasRelay_ReturnsNull()
    {
        _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5060));
        var allocation = await new CallRelayPlanner(_directory, _control).AllocateAsync("c1", "sip:alice@itsp", "sip:bob@itsp", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(allocation, Is.Null);
            Assert.That(_control.Allocated, Is.Empty);
        });
    }

    [Test]
    public void TryRewrite_TowardEachSide_NamesThePortFacingThatSide()
    {
        var allocation = new RelayAllocation("c1", new IPEndPoint(RelayNearAlice, 30000), new IPEndPoint(RelayNearAlice, 30002));
        CallRelayPlanner.TryRewrite(allocation, Sdp, towardCallee: true, out var offerForCallee);
        CallRelayPlanner.TryRewrite(allocation, Sdp, towardCallee: false, out var answerForCaller);
        Assert.Multiple(() =>
        {
            Assert.That(offerForCallee, Does.Contain("m=audio 30002 ").And.Contain("c=IN IP4 198.18.1.2"));
            Assert.That(answerForCaller, Does.Contain("m=audio 30000 ").And.Contain("c=IN IP4 198.18.1.2"));
        });
    }

    [Test]
    public async Task ReleaseAsync_Allocation_ReleasesOnItsRelay()
    {
        var allocation = new RelayAllocation("c1", new IPEndPoint(RelayNearAlice, 30000), new IPEndPoint(RelayNearAlice, 30002));
        Assert.That(await new CallRelayPlanner(_directory, _control).ReleaseAsync(allocation, CancellationToken.None), Is.True);
        Assert.That(_control.Released, Is.EqualTo(new[] { "c1" }));
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

    [TestCase("bob", "sip:bob@itsp")]
    [TestCase("carol", null)]
    [TestCase("Bob", null)]
    public void FindByUser_RequestUriUser_FindsTheRegistrationOfThatUser(string user, string? expected)
    {
        RegisterBoth();
        Assert.That(_directory.FindByUser(user)?.AddressOfRecord, Is.EqualTo(expected));
    }

    [TestCase("OK c1 30000 30002", true)]
    [TestCase("ERR no free ports", false)]
    [TestCase("OK c1 30000", false)]
    [TestCase("OK c1 0 30002", false)]
    [TestCase("OK c1 x 30002", false)]
    public void TryParse_ControlAnswer_AcceptsOnlyAnAllocation(string answer, bool expected) =>
        Assert.That(RelayAllocation.TryParse(answer, RelayNearAlice, out _), Is.EqualTo(expected));

    private void RegisterBoth()
    {
        _directory.Register("sip:alice@itsp", new IPEndPoint(IPAddress.Parse("198.18.1.1"), 5060));
        _directory.SetRelay("sip:alice@itsp", RelayNearAlice);
        _directory.Register("sip:bob@itsp", new IPEndPoint(IPAddress.Parse("198.18.2.2"), 5060));
    }
}
