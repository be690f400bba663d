using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace NetServ.Apps.MediaRelay.Tests;

/// <summary>Builds the RTP and RTCP packets the tests send.</summary>
internal static class RtpPackets
{
    /// <summary>An RTP packet (version 2, payload type 0) with <paramref name="sequence"/> and <paramref name="payload"/>.</summary>
    public static byte[] Rtp(ushort sequence, byte[] payload, uint ssrc = 0x1234_5678)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 160u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet, 12);
        return packet;
    }

    /// <summary>An RTCP receiver report with no report blocks.</summary>
    public static byte[] RtcpReceiverReport(uint ssrc = 0x1234_5678)
    {
        var packet = new byte[8];
        packet[0] = 0x80;
        packet[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        return packet;
    }
    /// <summary>Receives up to <paramref name="count"/> RTP packets and returns their payloads as ASCII; stops early after <paramref name="timeout"/> of silence.</summary>
    public static List<string> ReceivePayloads(Socket socket, int count, TimeSpan timeout)
    {
        var payloads = new List<string>();
        var buffer = new byte[2048];
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        try
        {
            while (payloads.Count < count)
            {
                var length = socket.Receive(buffer);
                payloads.Add(Encoding.ASCII.GetString(buffer, 12, length - 12));
            }
        }
        catch (SocketException)
        {
            // Timed out: the caller's assertion reports what arrived.
        }

        return payloads;
    }
}
