using System.Net;
using Microsoft.Extensions.Time.Testing;
using NetServ.Apps.ActiveCdn.Provider;

namespace NetServ.Apps.ActiveCdn.Tests.Provider;

public sealed class RegionDirectoryTests
{
    [TestCase("198.18.2.77", 24, "198.18.2.0/24")]
    [TestCase("198.19.200.1", 16, "198.19.0.0/16")]
    [TestCase("::ffff:198.18.2.9", 24, "198.18.2.0/24")]
    public void RegionOf_MasksTheClientAddress(string client, int prefixLength, string region)
    {
        Assert.That(RegionDirectory.RegionOf(IPAddress.Parse(client), prefixLength), Is.EqualTo(region));
    }

    [Test]
    public void NearestNode_AfterADeployment_IsTheLastNodeOnThePathTowardTheUsers()
    {
        var regions = new RegionDirectory(new FakeTimeProvider());
        Assert.That(regions.TryBeginDeployment("198.18.2.0/24", TimeSpan.FromSeconds(30)), Is.True);

        regions.EndDeployment("198.18.2.0/24", ["198.18.1.2", "198.18.3.2"]);

        Assert.Multiple(() =>
        {
            Assert.That(regions.NearestNode("198.18.2.0/24"), Is.EqualTo("198.18.3.2"));
            Assert.That(regions.NearestNode("198.18.9.0/24"), Is.Null);
            Assert.That(regions.IsNode(IPAddress.Parse("198.18.1.2")), Is.True);
        });
    }

    [Test]
    public void TryBeginDeployment_WhileOneIsUnderWay_IsRefused()
    {
        var regions = new RegionDirectory(new FakeTimeProvider());

        Assert.That(regions.TryBeginDeployment("198.18.2.0/24", TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(regions.TryBeginDeployment("198.18.2.0/24", TimeSpan.FromSeconds(30)), Is.False);
    }

    [Test]
    public void TryBeginDeployment_AfterAPathWithoutNodes_WaitsTheRetryTime()
    {
        var time = new FakeTimeProvider();
        var regions = new RegionDirectory(time);
        regions.TryBeginDeployment("198.18.2.0/24", TimeSpan.FromSeconds(30));
        regions.EndDeployment("198.18.2.0/24", []);

        var atOnce = regions.TryBeginDeployment("198.18.2.0/24", TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(31));
        var later = regions.TryBeginDeployment("198.18.2.0/24", TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(atOnce, Is.False);
            Assert.That(later, Is.True);
        });
    }
}
