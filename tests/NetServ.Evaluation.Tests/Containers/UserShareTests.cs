using System.Buffers.Binary;
using System.Net.NetworkInformation;
using NetServ.Evaluation.Containers;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Evaluation.Tests.Containers;

[TestFixture]
public sealed class UserShareTests
{
    private static readonly PhysicalAddress Sender = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress Router = PhysicalAddress.Parse("02-00-00-00-00-02");

    [Test]
    public void Assign_ThreeUsers_NamesThemInOrderWithConsecutivePortsFrom5060()
    {
        var users = UserShare.Assign(3);

        Assert.That(users, Is.EqualTo(new[] { new UserShare("u000", 5060), new UserShare("u001", 5061), new UserShare("u002", 5062) }));
    }

    [Test]
    public void Assign_HundredUsers_GivesEveryUserItsOwnPort()
    {
        var users = UserShare.Assign(100);

        Assert.Multiple(() =>
        {
            Assert.That(users.Select(u => u.Port).Distinct().Count(), Is.EqualTo(100));
            Assert.That(users[^1], Is.EqualTo(new UserShare("u099", 5159)));
        });
    }

    [TestCase(0)]
    [TestCase(101)]
    public void Assign_CountOutsideOneToHundred_Throws(int users) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => UserShare.Assign(users));

    [Test]
    public void WithFilter_SelectsTheUsersPortInsideThePrefixTheUserMayClaim()
    {
        var user = UserShare.Assign(8)[7];
        var setup = user.WithFilter(new ModuleSetup("NetServ.Apps.NetMonitor_1.0.0", user.User, new Uri("http://198.18.0.1:8080/m.nupkg"), "00"));

        var allowed = user.NodeUser.AllowedPrefixes.Select(p => Ipv4Prefix.Parse(p)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(setup.FilterProtocol, Is.EqualTo("udp"));
            Assert.That(setup.FilterPort, Is.EqualTo(5067));
            Assert.That(setup.User, Is.EqualTo("u007"));
            Assert.That(user.NodeUser.Name, Is.EqualTo("u007"));
            Assert.That(allowed.Any(a => a.Contains(Ipv4Prefix.Parse(setup.FilterDestination!))), Is.True, "the node refuses a filter outside the user's prefixes");
            Assert.That(user.Match, Is.EqualTo(new[] { "-d", "198.19.0.0/24", "-p", "udp", "--dport", "5067" }));
        });
    }

    [Test]
    public void Frames_OneUserPerFrame_EachPacketGoesToTheUserWhoseTurnItIs()
    {
        var users = UserShare.Assign(5);

        var frames = ForwardingBench.CreateFrames(64, Sender, Router, users.Select(u => u.Port).ToArray());

        Assert.Multiple(() =>
        {
            Assert.That(frames.Count, Is.EqualTo(5));
            for (var packet = 0; packet < 12; packet++)
            {
                var bytes = frames[packet].Bytes;
                Assert.That(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(36)), Is.EqualTo(users[packet % 5].Port), $"packet {packet}: UDP destination port");
            }

            foreach (var frame in frames.Frames)
            {
                Assert.That(frame.Bytes, Has.Length.EqualTo(60), "64 bytes on the wire");
                Assert.That(frame.Bytes.AsSpan(0, 6).ToArray(), Is.EqualTo(Router.GetAddressBytes()));
                Assert.That(InternetChecksum.IsValid(frame.Bytes.AsSpan(14, 20)), Is.True, "IPv4 header checksum");
                Assert.That(InternetChecksum.IsValidTransport(Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), IpProtocol.Udp, frame.Bytes.AsSpan(34)), Is.True, "UDP checksum");
            }

            Assert.That(Enumerable.Range(0, 5).Select(i => frames.PacketsOf(i, 1_000_003)), Is.EqualTo(new long[] { 200_001, 200_001, 200_001, 200_000, 200_000 }), "an even share each");
        });
    }
}
