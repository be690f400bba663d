using System.Buffers.Binary;

namespace NetServ.Apps.MediaRelay;

/// <summary>
/// Checks that a datagram looks like RTP or RTCP (RFC 3550) before it is relayed, so the relay
/// never forwards junk on behalf of whoever sends to its ports. Works on the receive buffer only.
/// </summary>
internal static class RtpValidator
{
    /// <summary>The fixed RTP header: V/P/X/CC, M/PT, sequence number, timestamp, SSRC.</summary>
    public const int RtpHeaderLength = 12;

    /// <summary>The smallest RTCP packet: a receiver report with no report blocks (header and SSRC).</summary>
    public const int RtcpMinimumLength = 8;

    private const int Version = 2;

    /// <summary>Whether <paramref name="datagram"/> is a well-formed RTP packet: version 2, its CSRC list and extension header inside the datagram.</summary>
    public static bool IsRtp(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < RtpHeaderLength || datagram[0] >> 6 != Version)
        {
            return false;
        }

        var length = RtpHeaderLength + ((datagram[0] & 0x0f) * 4);
        if ((datagram[0] & 0x10) != 0)
        {
            // Header extension: 16-bit profile, 16-bit length in 32-bit words, then the words.
            if (datagram.Length < length + 4)
            {
                return false;
            }

            length += 4 + (BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(length + 2)) * 4);
        }

        if ((datagram[0] & 0x20) != 0)
        {
            // Padding: the last octet counts the padding octets, itself included.
            var padding = datagram[^1];
            return padding > 0 && length + padding <= datagram.Length;
        }

        return length <= datagram.Length;
    }

    /// <summary>Whether <paramref name="datagram"/> starts with a well-formed RTCP packet: version 2, a report type (192–223), its length inside the datagram.</summary>
    public static bool IsRtcp(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < RtcpMinimumLength || datagram[0] >> 6 != Version)
        {
            return false;
        }

        var packetType = datagram[1];
        if (packetType is < 192 or > 223)
        {
            return false;
        }

        var length = (BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(2)) + 1) * 4;
        return length <= datagram.Length;
    }

    /// <summary>Whether <paramref name="datagram"/> is valid for <paramref name="channel"/>.</summary>
    public static bool IsValid(MediaChannel channel, ReadOnlySpan<byte> datagram) =>
        channel == MediaChannel.Rtp ? IsRtp(datagram) : IsRtcp(datagram);
}
