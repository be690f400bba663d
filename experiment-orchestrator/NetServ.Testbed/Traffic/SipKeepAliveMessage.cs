using System.Text;
using NetServ.Sdk;

namespace NetServ.Testbed.Traffic;

/// <summary>
/// The SIP NOTIFY keep-alive the paper's KeepAlive module answers (RFC 3261 request, RFC 6665
/// <c>Event: keep-alive</c>), as the UDP payload both traffic generators send: the paced generator
/// inside a <see cref="UdpFrame"/>, Click as a RatedSource's DATA.
/// </summary>
public static class SipKeepAliveMessage
{
    /// <summary>
    /// A NOTIFY keep-alive of exactly <paramref name="length"/> bytes from <paramref name="source"/>:<paramref name="sourcePort"/>
    /// to <paramref name="destination"/>:<paramref name="destinationPort"/>, with every header RFC 3261 requires of a
    /// request (Via with a magic-cookie branch, Max-Forwards, From with a tag, To, Call-ID, CSeq) and an empty body.
    /// The Call-ID is padded to fill the room, so the message stays well formed at any size from
    /// <see cref="MinimumLength"/> on.
    /// </summary>
    public static byte[] Build(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, int length)
    {
        var shortest = MinimumLength(source, sourcePort, destination, destinationPort);
        if (length < shortest)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"a SIP NOTIFY keep-alive needs at least {shortest} bytes of UDP payload");
        }

        var message = Encoding.ASCII.GetBytes(Text(source, sourcePort, destination, destinationPort, "k" + new string('0', length - shortest)));
        return message.Length == length ? message : throw new InvalidOperationException("SIP message length mismatch");
    }

    /// <summary>The shortest keep-alive between these endpoints: a one-character Call-ID.</summary>
    public static int MinimumLength(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort) =>
        Text(source, sourcePort, destination, destinationPort, "k").Length;

    private static string Text(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, string callId) => string.Join(
        "\r\n",
        $"NOTIFY sip:{destination}:{destinationPort} SIP/2.0",
        $"Via: SIP/2.0/UDP {source}:{sourcePort};branch=z9hG4bK-netserv",
        "Max-Forwards: 70",
        $"From: <sip:ua@{source}>;tag=1",
        $"To: <sip:ua@{destination}>",
        $"Call-ID: {callId}",
        "CSeq: 1 NOTIFY",
        "Event: keep-alive",
        "Content-Length: 0",
        string.Empty,
        string.Empty);
}
