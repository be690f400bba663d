using System.Text;

namespace NetServ.Sip.Tests;

/// <summary>SIP messages the tests start from.</summary>
internal static class SipMessages
{
    /// <summary>A keep-alive NOTIFY as a user agent behind a NAT sends it, with two Vias (one from a proxy).</summary>
    public const string KeepAliveNotify =
        "NOTIFY sip:198.19.0.1:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 198.18.0.9:5060;branch=z9hG4bK-proxy\r\n" +
        "Via: SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-ua;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: \"Alice\" <sip:alice@198.18.0.1>;tag=a1\r\n" +
        "To: <sip:alice@198.19.0.1>\r\n" +
        "Call-ID: ka-1@198.18.0.1\r\n" +
        "CSeq: 7 NOTIFY\r\n" +
        "Event: keep-alive\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    /// <summary>RFC 3261 section 24.1, F1: Bob's REGISTER, sent from 192.0.2.4 (his Contact) with a host name in sent-by.</summary>
    public const string Rfc3261Register =
        "REGISTER sip:registrar.biloxi.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.com>\r\n" +
        "From: Bob <sip:bob@biloxi.com>;tag=456248\r\n" +
        "Call-ID: 843817637684230@998sdasdh09\r\n" +
        "CSeq: 1826 REGISTER\r\n" +
        "Contact: <sip:bob@192.0.2.4>\r\n" +
        "Expires: 7200\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    /// <summary>RFC 3261 section 24.1, F2: the registrar's 200 OK, with Via folded as the RFC prints it.</summary>
    public const string Rfc3261RegisterOk =
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r\n" +
        " ;received=192.0.2.4\r\n" +
        "To: Bob <sip:bob@biloxi.com>;tag=2493k59kd\r\n" +
        "From: Bob <sip:bob@biloxi.com>;tag=456248\r\n" +
        "Call-ID: 843817637684230@998sdasdh09\r\n" +
        "CSeq: 1826 REGISTER\r\n" +
        "Contact: <sip:bob@192.0.2.4>\r\n" +
        "Expires: 7200\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    /// <summary>RFC 3261 section 24.2, F1: Alice's INVITE to the atlanta.com proxy, from 192.0.2.1, sent-by without a port.</summary>
    public const string Rfc3261Invite =
        "INVITE sip:bob@biloxi.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.com>\r\n" +
        "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@pc33.atlanta.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 142\r\n" +
        "\r\n" +
        "(Alice's SDP not shown)";

    /// <summary>RFC 3261 section 24.2, F2: the proxy's 100 Trying to F1, as the RFC prints it.</summary>
    public const string Rfc3261InviteTrying =
        "SIP/2.0 100 Trying\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\r\n" +
        " ;received=192.0.2.1\r\n" +
        "To: Bob <sip:bob@biloxi.com>\r\n" +
        "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n";

    /// <summary>RFC 3261 section 24.2, F5: the biloxi.com proxy (192.0.2.3) forwards the INVITE to Bob; the lower Vias carry the proxies' received.</summary>
    public const string Rfc3261ForwardedInvite =
        "INVITE sip:bob@192.0.2.4 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1\r\n" +
        "Via: SIP/2.0/UDP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1\r\n" +
        " ;received=192.0.2.2\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\r\n" +
        " ;received=192.0.2.1\r\n" +
        "Max-Forwards: 68\r\n" +
        "To: Bob <sip:bob@biloxi.com>\r\n" +
        "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@pc33.atlanta.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 142\r\n" +
        "\r\n" +
        "(Alice's SDP not shown)";

    /// <summary>RFC 3261 section 24.2, F6: the Vias of Bob's 180 Ringing to F5.</summary>
    public const string Rfc3261RingingVias =
        "Via: SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1\r\n" +
        " ;received=192.0.2.3\r\n" +
        "Via: SIP/2.0/UDP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1\r\n" +
        " ;received=192.0.2.2\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\r\n" +
        " ;received=192.0.2.1\r\n";

    /// <summary>RFC 3581 section 6: the client's topmost Via, behind a NAT that makes its source 192.0.2.1:9988.</summary>
    public const string Rfc3581Via = "SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff";

    /// <summary>RFC 3581 section 6: the same Via once the server has filled in rport (section 4).</summary>
    public const string Rfc3581ViaReceived = "SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff";

    /// <summary>
    /// The RFCs print long Via values folded over two lines (a CRLF and a space before the next
    /// parameter); the writer writes every value on one line. Both mean the same (section 7.3.1).
    /// </summary>
    public static string Unfold(string printed) => printed.Replace("\r\n ;", ";", StringComparison.Ordinal);

    public static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);

    /// <summary>The message with one header line replaced (matched by its first characters up to the colon).</summary>
    public static string Replace(string message, string headerStart, string replacement)
    {
        var lines = message.Split("\r\n").ToList();
        var index = lines.FindIndex(l => l.StartsWith(headerStart, StringComparison.Ordinal));
        Assert.That(index, Is.GreaterThan(0), $"no line starting with {headerStart}");
        lines[index] = replacement;
        return string.Join("\r\n", lines);
    }

    /// <summary>The message without the header lines starting with <paramref name="headerStart"/>.</summary>
    public static string Without(string message, string headerStart) =>
        string.Join("\r\n", message.Split("\r\n").Where(l => !l.StartsWith(headerStart, StringComparison.Ordinal)));
}
