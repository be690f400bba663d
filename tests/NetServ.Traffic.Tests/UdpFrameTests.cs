using System.Buffers.Binary;
using System.Net.NetworkInformation;
using System.Text;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class UdpFrameTests
{
    private static readonly PhysicalAddress Source = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress NextHop = PhysicalAddress.Parse("02-00-00-00-00-02");

    [TestCase(64, UdpPayloadKind.Pattern)]
    [TestCase(340, UdpPayloadKind.Pattern)]
    [TestCase(340, UdpPayloadKind.SipKeepAlive)]
    [TestCase(1518, UdpPayloadKind.Pattern)]
    public void Create_FrameOfWireSize_IsFourBytesShorterWithValidChecksums(int wireBytes, UdpPayloadKind payload)
    {
        var frame = Create(wireBytes, payload);

        var ip = frame.Bytes[14..34];
        var udp = frame.Bytes[34..];
        Assert.Multiple(() =>
        {
            Assert.That(frame.Bytes, Has.Length.EqualTo(wireBytes - 4), "the FCS is counted on the wire, not handed to the interface");
            Assert.That(frame.Bytes.AsSpan(0, 6).ToArray(), Is.EqualTo(NextHop.GetAddressBytes()));
            Assert.That(frame.Bytes.AsSpan(6, 6).ToArray(), Is.EqualTo(Source.GetAddressBytes()));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(frame.Bytes.AsSpan(12)), Is.EqualTo(0x0800));
            Assert.That(InternetChecksum.IsValid(ip), Is.True, "IPv4 header checksum");
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(2)), Is.EqualTo(wireBytes - 4 - 14));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(udp.AsSpan(4)), Is.EqualTo(udp.Length));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(udp.AsSpan(2)), Is.EqualTo(5060));
            Assert.That(InternetChecksum.IsValidTransport(Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), IpProtocol.Udp, udp), Is.True, "UDP checksum");
        });
    }

    [Test]
    public void Create_SipKeepAlive_IsAWellFormedNotifyWithTheKeepAliveEvent()
    {
        var frame = Create(340, UdpPayloadKind.SipKeepAlive);

        var text = Encoding.ASCII.GetString(frame.UdpPayload);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("NOTIFY sip:198.19.0.1:5060 SIP/2.0\r\n"));
            Assert.That(text, Does.Contain("\r\nEvent: keep-alive\r\n"));
            Assert.That(text, Does.Contain("\r\nCSeq: 1 NOTIFY\r\n"));
            Assert.That(text, Does.EndWith("\r\nContent-Length: 0\r\n\r\n"));
            Assert.That(frame.UdpPayload.Length, Is.EqualTo(340 - 4 - 14 - 28));
        });
    }

    [Test]
    public void Create_SipKeepAliveTooSmall_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(64, UdpPayloadKind.SipKeepAlive));

    [TestCase(63)]
    [TestCase(1519)]
    public void Create_SizeOutsideEthernet_Throws(int wireBytes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(wireBytes, UdpPayloadKind.Pattern));

    private static UdpFrame Create(int wireBytes, UdpPayloadKind payload) =>
        UdpFrame.Create(wireBytes, Source, NextHop, Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 5060, 5060, payload);
}
