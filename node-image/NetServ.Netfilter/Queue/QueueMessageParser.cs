using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static NetServ.Netfilter.Native.Interop.Netlink;
using static NetServ.Netfilter.Native.Interop.NfnetlinkQueue;

namespace NetServ.Netfilter.Queue;

/// <summary>What one NFQNL_MSG_PACKET message said about a queued packet. Offsets are relative to the start of its datagram.</summary>
internal struct QueuedPacketInfo
{
    public uint PacketId;
    public ushort HwProtocol;
    public byte Hook;
    public uint Mark;
    public uint InputInterface;
    public uint OutputInterface;

    /// <summary>Where the packet's bytes (from the IP header on) start.</summary>
    public int PayloadOffset;

    /// <summary>How many of the packet's bytes were received.</summary>
    public int PayloadLength;

    /// <summary>How many bytes after <see cref="PayloadOffset"/> may be written without touching another message: room to grow the packet in place.</summary>
    public int PayloadCapacity;

    /// <summary>The packet's length in the kernel (NFQA_CAP_LEN when the copy was cut, else the payload attribute's length).</summary>
    public int OriginalLength;
}

/// <summary>Receives what <see cref="QueueMessageParser"/> finds in a datagram.</summary>
internal interface IQueueMessageHandler
{
    /// <summary>A packet message with at least an NFQA_PACKET_HDR.</summary>
    void OnPacket(in QueuedPacketInfo packet);

    /// <summary>An NLMSG_ERROR message: <paramref name="errno"/> is 0 for an acknowledgement, else the positive errno of the failed request <paramref name="sequence"/>.</summary>
    void OnError(int errno, uint sequence);

    /// <summary>Any other message, or a packet message without a packet header.</summary>
    void OnOther(ushort type);
}

/// <summary>
/// Parses the netlink datagrams nfnetlink_queue sends: nlmsghdr + nfgenmsg + attributes, several
/// messages per datagram allowed. Works on bytes only; the socket loop lives in <see cref="NetfilterQueue"/>.
/// </summary>
internal static class QueueMessageParser
{
    /// <summary>
    /// Parses the first <paramref name="receivedLength"/> bytes of <paramref name="buffer"/> (one datagram;
    /// the rest of the buffer is spare room a packet may grow into) and reports each message to
    /// <paramref name="handler"/>. A message cut short (MSG_TRUNC) is reported with what was received.
    /// Returns the number of packet messages.
    /// </summary>
    public static int ParseDatagram<THandler>(ReadOnlySpan<byte> buffer, int receivedLength, ref THandler handler)
        where THandler : IQueueMessageHandler
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(receivedLength, buffer.Length);
        var packets = 0;
        var offset = 0;
        while (receivedLength - offset >= NLMSG_HDRLEN)
        {
            var declared = (int)MemoryMarshal.Read<uint>(buffer[offset..]);
            if (declared < NLMSG_HDRLEN)
            {
                // A malformed length would make the walk loop or jump anywhere: stop at it.
                handler.OnOther(0);
                break;
            }

            var type = MemoryMarshal.Read<ushort>(buffer[(offset + 4)..]);
            var sequence = MemoryMarshal.Read<uint>(buffer[(offset + 8)..]);
            var end = (int)Math.Min((long)offset + declared, receivedLength);
            var next = (long)offset + NLMSG_ALIGN(declared);
            var isLast = next >= receivedLength;
            var message = buffer[offset..end];

            if (type == MessageType(NFQNL_MSG_PACKET))
            {
                if (TryParsePacket(message, offset, isLast ? buffer.Length : end, out var packet))
                {
                    packets++;
                    handler.OnPacket(packet);
                }
                else
                {
                    handler.OnOther(type);
                }
            }
            else if (type == NLMSG_ERROR)
            {
                // struct nlmsgerr: int error (negative errno, 0 for an ACK), then the request's header.
                var error = message.Length >= NLMSG_HDRLEN + 4 ? MemoryMarshal.Read<int>(message[NLMSG_HDRLEN..]) : 0;
                var requestSequence = message.Length >= NLMSG_HDRLEN + 4 + NLMSG_HDRLEN
                    ? MemoryMarshal.Read<uint>(message[(NLMSG_HDRLEN + 4 + 8)..])
                    : sequence;
                handler.OnError(-error, requestSequence);
            }
            else if (type != NLMSG_NOOP)
            {
                handler.OnOther(type);
            }

            if (isLast)
            {
                break;
            }

            offset = (int)next;
        }

        return packets;
    }

    /// <summary>Reads the attributes of one packet message starting at <paramref name="messageOffset"/> in its datagram.</summary>
    private static bool TryParsePacket(ReadOnlySpan<byte> message, int messageOffset, int writableEnd, out QueuedPacketInfo packet)
    {
        packet = default;
        var hasHeader = false;
        var capturedLength = 0;
        var offset = NLMSG_HDRLEN + NFGENMSG_LEN;
        while (message.Length - offset >= NLA_HDRLEN)
        {
            var attributeLength = MemoryMarshal.Read<ushort>(message[offset..]);
            var attributeType = (ushort)(MemoryMarshal.Read<ushort>(message[(offset + 2)..]) & NLA_TYPE_MASK);
            if (attributeLength < NLA_HDRLEN)
            {
                break;
            }

            var dataOffset = offset + NLA_HDRLEN;
            var declaredData = attributeLength - NLA_HDRLEN;
            var data = message.Slice(dataOffset, Math.Min(declaredData, message.Length - dataOffset));
            switch (attributeType)
            {
                case NFQA_PACKET_HDR when data.Length >= NFQNL_MSG_PACKET_HDR_LEN:
                    packet.PacketId = BinaryPrimitives.ReadUInt32BigEndian(data);
                    packet.HwProtocol = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
                    packet.Hook = data[6];
                    hasHeader = true;
                    break;
                case NFQA_MARK when data.Length >= 4:
                    packet.Mark = BinaryPrimitives.ReadUInt32BigEndian(data);
                    break;
                case NFQA_IFINDEX_INDEV when data.Length >= 4:
                    packet.InputInterface = BinaryPrimitives.ReadUInt32BigEndian(data);
                    break;
                case NFQA_IFINDEX_OUTDEV when data.Length >= 4:
                    packet.OutputInterface = BinaryPrimitives.ReadUInt32BigEndian(data);
                    break;
                case NFQA_CAP_LEN when data.Length >= 4:
                    capturedLength = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data), int.MaxValue);
                    break;
                case NFQA_PAYLOAD:
                    packet.PayloadOffset = messageOffset + dataOffset;
                    packet.PayloadLength = data.Length;
                    packet.OriginalLength = declaredData;

                    // The kernel writes the payload last; when nothing follows it, the rest of the buffer is free.
                    var attributeEnd = dataOffset + NLA_ALIGN(declaredData);
                    packet.PayloadCapacity = attributeEnd >= message.Length
                        ? writableEnd - packet.PayloadOffset
                        : declaredData;
                    break;
            }

            offset += NLA_ALIGN(attributeLength);
        }

        packet.OriginalLength = Math.Max(packet.OriginalLength, capturedLength);
        return hasHeader;
    }
}
