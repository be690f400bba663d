using System.Text;
using NetServ.Networking;

namespace NetServ.Traffic;

/// <summary>
/// The SIP NOTIFY keep-alive the paper's KeepAlive module answers (RFC 3261 request, RFC 6665
/// <c>Event: keep-alive</c>), as the UDP payload both traffic generators send: the paced generator
/// inside a <see cref="UdpFrame"/>, Click as a RatedSource's DATA.
/// </summary>
public static class SipKeepAliveMessage
{
    /// <summary>The fewest bytes a keep-alive takes between any two endpoints (the longest addresses and ports), without a body.</summary>
    public const int MinimumLengthAnyEndpoints = 259;

    /// <summary>
    /// A NOTIFY keep-alive of exactly <paramref name="length"/> bytes from <paramref name="source"/>:<paramref name="sourcePort"/>
    /// to <paramref name="destination"/>:<paramref name="destinationPort"/>, with every header RFC 3261 requires of a
    /// request (Via with a magic-cookie branch, Max-Forwards, From with a tag, To, Call-ID, CSeq). The Call-ID is
    /// padded to fill the room, so the message stays well formed at any size from <see cref="MinimumLength"/> on.
    /// With <paramref name="bodyBytes"/>, the last that many bytes are the message's body (zeros, announced by
    /// Content-Length): room for a latency stamp that leaves the keep-alive a keep-alive.
    /// </summary>
    public static byte[] Build(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, int length, int bodyBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyBytes);
        var shortest = MinimumLength(source, sourcePort, destination, destinationPort, bodyBytes) + bodyBytes;
        if (length < shortest)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"a SIP NOTIFY keep-alive needs at least {shortest} bytes of UDP payload");
        }

        var message = new byte[length];
        var written = Encoding.ASCII.GetBytes(Text(source, sourcePort, destination, destinationPort, "k" + new string('0', length - shortest), bodyBytes), message);
        return written + bodyBytes == length ? message : throw new InvalidOperationException("SIP message length mismatch");
    }

    /// <summary>The shortest keep-alive between these endpoints, its body not counted: a one-character Call-ID.</summary>
    public static int MinimumLength(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, int bodyBytes = 0) =>
        Text(source, sourcePort, destination, destinationPort, "k", bodyBytes).Length;

    private static string Text(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, string callId, int bodyBytes) => string.Join(
        "\r\n",
        $"NOTIFY sip:{destination}:{destinationPort} SIP/2.0",
        $"Via: SIP/2.0/UDP {source}:{sourcePort};branch=z9hG4bK-netserv",
        "Max-Forwards: 70",
        $"From: <sip:ua@{source}>;tag=1",
        $"To: <sip:ua@{destination}>",
        $"Call-ID: {callId}",
        "CSeq: 1 NOTIFY",
        "Event: keep-alive",
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {bodyBytes}"),
        string.Empty,
        string.Empty);
}
