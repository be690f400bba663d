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
