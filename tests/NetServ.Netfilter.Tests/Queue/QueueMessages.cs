using System.Buffers.Binary;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>nfnetlink_queue datagrams built the way the kernel lays them out, for the parser and for fake queues.</summary>
internal static class QueueMessages
{
    /// <summary>An IPv4 packet message for <paramref name="payload"/>, from interface 1 to interface 2, unmarked.</summary>
    public static byte[] Packet(uint id, byte[] payload) => PacketMessage(id, mark: 0, indev: 1, outdev: 2, payload);

    /// <summary>An NFQNL_MSG_PACKET as nfqnl_build_packet_message writes it: the payload last and unpadded.</summary>
    public static byte[] PacketMessage(uint id, uint mark, uint indev, uint outdev, byte[] payload)
    {
        var body = new List<byte>();
        var header = new byte[7];
        BinaryPrimitives.WriteUInt32BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 0x0800);
        header[6] = 2;
        Attribute(body, 1, header);
        Attribute(body, 5, BigEndian(indev));
        Attribute(body, 6, BigEndian(outdev));
        if (mark != 0)
        {
            Attribute(body, 3 | 0x4000 /* NLA_F_NET_BYTEORDER */, BigEndian(mark));
        }

        Attribute(body, 10, payload, pad: false);
        return Message(0x0300, 0, [2, 0, 0, 7, .. body]);
    }

    /// <summary>An NLMSG_ERROR answering request <paramref name="sequence"/> with <paramref name="error"/> (a negative errno, 0 for an ACK).</summary>
    public static byte[] ErrorMessage(int error, uint sequence)
    {
        var body = new byte[4 + 16];
        BinaryPrimitives.WriteInt32LittleEndian(body, error);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4 + 8), sequence);
        return Message(2, sequence, body);
    }

    /// <summary><paramref name="message"/> padded to the next multiple of 4, as messages follow each other in a datagram.</summary>
    public static byte[] Pad(byte[] message) => [.. message, .. new byte[((message.Length + 3) & ~3) - message.Length]];

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Message(ushort type, uint sequence, byte[] body)
    {
        var message = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
        body.CopyTo(message, 16);
        return message;
    }

    private static void Attribute(List<byte> body, int type, byte[] data, bool pad = true)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(4 + data.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), (ushort)type);
        body.AddRange(header);
        body.AddRange(data);
        while (pad && body.Count % 4 != 0)
        {
            body.Add(0);
        }
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
