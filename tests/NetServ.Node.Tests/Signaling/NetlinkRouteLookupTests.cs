using NetServ.Networking;
using NetServ.Node.Signaling.Routing;

namespace NetServ.Node.Tests.Signaling;

/// <summary>The real look-up, in the test's own network namespace (no privileges needed to read routes).</summary>
[TestFixture]
public sealed class NetlinkRouteLookupTests
{
    [Test]
    public void TryLookup_ALoopbackAddress_IsALocalRouteWithoutARouter()
    {
        var lookup = new NetlinkRouteLookup();

        Assert.That(lookup.TryLookup(Ipv4Address.Parse("127.0.0.2"), out var route, out var error), Is.True, error);

        Assert.That(route.Kind, Is.EqualTo(RouteKind.Local));
        Assert.That(route.HasNoNextHopRouter, Is.True);
    }

    [Test]
    public void TryLookup_ManyTimes_AnswersEachTimeWithoutLeakingSockets()
    {
        var lookup = new NetlinkRouteLookup();
        var before = Directory.GetFiles("/proc/self/fd").Length;

        for (var i = 0; i < 200; i++)
        {
            Assert.That(lookup.TryLookup(Ipv4Address.Parse("127.0.0.1"), out _, out var error), Is.True, error);
        }

        Assert.That(Directory.GetFiles("/proc/self/fd").Length, Is.LessThan(before + 10));
    }
}
