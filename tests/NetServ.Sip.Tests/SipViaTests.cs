using NetServ.Networking;
using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipViaTests
{
    [Test]
    public void TryParse_Rfc3581Example_ReadsSentByAndRport()
    {
        Assert.That(SipVia.TryParse(Bytes(Rfc3581Via), out var via), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Text(via.Transport), Is.EqualTo("UDP"));
            Assert.That(Text(via.Host), Is.EqualTo("10.1.1.1"));
            Assert.That(via.Port, Is.EqualTo(4540));
            Assert.That(via.HasRport, Is.True);
            Assert.That(via.Maddr.IsEmpty, Is.True);
            Assert.That(via.Length, Is.EqualTo(Rfc3581Via.Length));
        }
    }

    [Test]
    public void TryParse_Rfc3261SentByWithoutPort_HasNoPortAndNoRport()
    {
        Assert.That(SipVia.TryParse(Bytes("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8"), out var via), Is.True);

        Assert.That((Text(via.Host), via.Port, via.HasRport), Is.EqualTo(("pc33.atlanta.com", -1, false)));
    }

    [Test]
    public void TryParse_WhiteSpaceAndFoldsWhereTheGrammarAllowsThem_ReadsTheSameParts()
    {
        Assert.That(SipVia.TryParse(Bytes("SIP / 2.0 / UDP\r\n  198.18.0.1 : 5070\r\n ; RPORT ; maddr = 239.255.0.1"), out var via), Is.True);

        Assert.That((Text(via.Host), via.Port, via.HasRport, Text(via.Maddr)), Is.EqualTo(("198.18.0.1", 5070, true, "239.255.0.1")));
    }

    [Test]
    public void TryParse_TwoViaParmsInOneValue_StopsAtTheComma()
    {
        const string first = "SIP/2.0/UDP a.example.com;branch=z9hG4bK1;x=\"q,;\"";

        Assert.That(SipVia.TryParse(Bytes(first + ", SIP/2.0/UDP b.example.com;rport"), out var via), Is.True);

        Assert.That((via.Length, via.HasRport), Is.EqualTo((first.Length, false)), "a comma or semicolon inside a quoted value does not count");
    }

    [Test]
    public void TryParse_Ipv6Reference_KeepsItsBrackets() =>
        Assert.That(SipVia.TryParse(Bytes("SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bK1"), out var via) && Text(via.Host) == "[2001:db8::9]" && via.Port == 5062, Is.True);

    [TestCase("", TestName = "TryParse_Empty_ReturnsFalse")]
    [TestCase("SIP/2.0/UDP", TestName = "TryParse_NoSentBy_ReturnsFalse")]
    [TestCase("198.18.0.1:5060;branch=z9hG4bK1", TestName = "TryParse_NoSentProtocol_ReturnsFalse")]
    [TestCase("SIP/2.0/UDP host:65536", TestName = "TryParse_PortOutOfRange_ReturnsFalse")]
    [TestCase("SIP/2.0/UDP host:", TestName = "TryParse_ColonWithoutPort_ReturnsFalse")]
    [TestCase("SIP/2.0/UDP host extra;branch=z9hG4bK1", TestName = "TryParse_TwoWordsInSentBy_ReturnsFalse")]
    [TestCase("SIP/2.0/UDP host;=x", TestName = "TryParse_ParameterWithoutName_ReturnsFalse")]
    public void TryParse_Malformed(string value) =>
        Assert.That(SipVia.TryParse(Bytes(value), out _), Is.False);

    [Test]
    public void TryGetResponseDestination_Rport_IsTheSourceAddressAndPort()
    {
        // RFC 3581 section 4: "the response MUST be sent to the IP address listed in the received
        // parameter, and the port in the rport parameter" — the source, as section 6's NAT saw it.
        var source = new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988);

        Assert.That(Destination(Rfc3581Via, source), Is.EqualTo(source));
    }

    [Test]
    public void TryGetResponseDestination_NoRport_IsTheSourceAddressAtTheSentByPort()
    {
        // RFC 3261 section 18.2.2: to the address in received (the source), "using the port indicated
        // in the sent-by value": not the source port, which a client without rport does not listen on.
        var source = new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988);

        Assert.That(Destination("SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bKkjshdyff", source), Is.EqualTo(source with { Port = 4540 }));
    }

    [Test]
    public void TryGetResponseDestination_SentByWithoutPort_IsPort5060()
    {
        var source = new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 33000);

        Assert.That(Destination("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8", source), Is.EqualTo(source with { Port = 5060 }));
    }

    [TestCase("SIP/2.0/UDP 10.1.1.1:4540;maddr=239.255.255.1;ttl=1", 4540, TestName = "TryGetResponseDestination_Maddr_IsTheMaddrAtTheSentByPort")]
    [TestCase("SIP/2.0/UDP 10.1.1.1;maddr=239.255.255.1", 5060, TestName = "TryGetResponseDestination_MaddrWithoutSentByPort_IsTheMaddrAtPort5060")]
    [TestCase("SIP/2.0/UDP 10.1.1.1:4540;rport;maddr=239.255.255.1", 4540, TestName = "TryGetResponseDestination_MaddrAndRport_MaddrWins")]
    public void TryGetResponseDestination_WithMaddr(string value, int port) =>
        Assert.That(Destination(value, new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988)), Is.EqualTo(new SipEndpoint(Ipv4Address.Parse("239.255.255.1"), (ushort)port)));

    [Test]
    public void TryGetResponseDestination_MaddrAName_ReturnsFalse()
    {
        Assert.That(SipVia.TryParse(Bytes("SIP/2.0/UDP 10.1.1.1;maddr=sip.example.com"), out var via), Is.True);

        Assert.That(via.TryGetResponseDestination(new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988), out _), Is.False);
    }

    [TestCase("192.0.2.1", true)]
    [TestCase("192.0.2", false)]
    [TestCase("192.0.2.256", false)]
    [TestCase("biloxi.com", false)]
    [TestCase("[::1]", false)]
    [TestCase("1111.2.3.4", false)]
    public void TryParseIpv4_ReadsOnlyDottedQuads(string text, bool expected) =>
        Assert.That(SipVia.TryParseIpv4(Bytes(text), out _), Is.EqualTo(expected));

    private static SipEndpoint Destination(string value, SipEndpoint source)
    {
        Assert.That(SipVia.TryParse(Bytes(value), out var via), Is.True);
        Assert.That(via.TryGetResponseDestination(source, out var destination), Is.True);
        return destination;
    }
}
