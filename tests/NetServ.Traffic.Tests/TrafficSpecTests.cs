using System.Net.NetworkInformation;
using NetServ.Networking;

namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class TrafficSpecTests
{
    private static readonly PhysicalAddress Sender = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress Router = PhysicalAddress.Parse("02-00-00-00-00-02");

    [TestCase(64, UdpPayloadKind.Pattern)]
    [TestCase(340, UdpPayloadKind.SipKeepAlive)]
    public void Of_AFrame_DescribesTheFlowThatRebuildsItByteForByte(int wireBytes, UdpPayloadKind payload)
    {
        var frame = UdpFrame.Create(wireBytes, Sender, Router, Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 5060, 5071, payload);

        var spec = TrafficSpec.Of(frame, "eth0");

        var rebuilt = UdpFrame.Create(spec.WireBytes, spec.SourceMac, spec.NextHopMac, spec.Source, spec.Destination, spec.SourcePort, spec.DestinationPort, spec.Payload);
        Assert.Multiple(() =>
        {
            Assert.That(spec.Device, Is.EqualTo("eth0"));
            Assert.That(spec.DestinationPort, Is.EqualTo(5071));
            Assert.That(spec.Destination, Is.EqualTo(Ipv4Address.Parse("198.19.0.1")));
            Assert.That(spec.NextHopMac, Is.EqualTo(Router));
            Assert.That(rebuilt.Bytes, Is.EqualTo(frame.Bytes), "the same frame, whichever generator sends it");
            Assert.That(spec.BuildUdpPayload(), Is.EqualTo(frame.UdpPayload.ToArray()), "the payload Click's source carries");
        });
    }

    [Test]
    public void FromPaced_ARunWithRefusedSends_CountsThemAsFailedAndKeepsTheAccount()
    {
        var paced = new GeneratorResult
        {
            RequestedRate = 1000,
            Requested = 100,
            Offered = 100,
            Sent = 97,
            FailedNoBuffers = 2,
            FailedAgain = 1,
            FailedInBatch = 0,
            Elapsed = TimeSpan.FromSeconds(0.1),
            Calls = 100,
            MaxLag = TimeSpan.Zero,
            StoppedByDeadline = false,
            Cancelled = false,
        };

        var result = TrafficResult.FromPaced(paced);

        Assert.Multiple(() =>
        {
            Assert.That(result.Driver, Is.EqualTo(PacedTrafficGenerator.DriverName));
            Assert.That(result.FailedSends, Is.EqualTo(3));
            Assert.That(result.OfferedRate, Is.EqualTo(1000).Within(0.001));
            Assert.That(result.GeneratorLimited, Is.False);
            Assert.That(result.Paced, Is.SameAs(paced));
        });
    }
}
