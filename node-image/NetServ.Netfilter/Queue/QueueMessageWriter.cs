using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static NetServ.Netfilter.Native.Interop.Netlink;
using static NetServ.Netfilter.Native.Interop.NfnetlinkQueue;

namespace NetServ.Netfilter.Queue;

/// <summary>
/// Writes the nfnetlink_queue requests (configuration and verdicts) into caller-provided buffers.
/// Each method returns the bytes written, always a multiple of 4 so messages can be concatenated.
/// </summary>
internal static class QueueMessageWriter
{
    /// <summary>The size of a verdict message without payload.</summary>
    public const int VerdictLength = NLMSG_HDRLEN + NFGENMSG_LEN + NLA_HDRLEN + NFQNL_MSG_VERDICT_HDR_LEN;

    /// <summary>The size of a verdict message carrying a new packet of <paramref name="packetLength"/> bytes.</summary>
    public static int VerdictLengthWithPayload(int packetLength) => VerdictLength + NLA_HDRLEN + NLA_ALIGN(packetLength);

    /// <summary>
    /// NFQNL_MSG_VERDICT (or, with <paramref name="batch"/>, NFQNL_MSG_VERDICT_BATCH for every id up to
    /// <paramref name="id"/>) with NFQA_VERDICT_HDR and, when <paramref name="newPacket"/> is not empty, NFQA_PAYLOAD.
    /// </summary>
    public static int WriteVerdict(Span<byte> destination, ushort queueNumber, uint verdict, uint id, ReadOnlySpan<byte> newPacket, bool batch = false)
    {
        var position = WriteHeader(destination, batch ? NFQNL_MSG_VERDICT_BATCH : NFQNL_MSG_VERDICT, NLM_F_REQUEST, 0, queueNumber);
        Span<byte> header = stackalloc byte[NFQNL_MSG_VERDICT_HDR_LEN];
        BinaryPrimitives.WriteUInt32BigEndian(header, verdict);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], id);
        position = WriteAttribute(destination, position, NFQA_VERDICT_HDR, header);
        if (!newPacket.IsEmpty)
        {
            position = WriteAttribute(destination, position, NFQA_PAYLOAD, newPacket);
        }

        return Finish(destination, position);
    }

    /// <summary>NFQNL_MSG_CONFIG with NFQA_CFG_CMD (bind, unbind), acknowledged when <paramref name="ack"/>.</summary>
    public static int WriteConfigCommand(Span<byte> destination, ushort queueNumber, uint sequence, byte command, bool ack)
    {
        var position = WriteHeader(destination, NFQNL_MSG_CONFIG, ack ? (ushort)(NLM_F_REQUEST | NLM_F_ACK) : NLM_F_REQUEST, sequence, queueNumber);

        // struct nfqnl_msg_config_cmd: u8 command, u8 pad, be16 pf (only read by the obsolete PF_[UN]BIND).
        ReadOnlySpan<byte> cmd = [command, 0, 0, 0];
        position = WriteAttribute(destination, position, NFQA_CFG_CMD, cmd);
        return Finish(destination, position);
    }

    /// <summary>NFQNL_MSG_CONFIG with NFQA_CFG_PARAMS: copy mode and range.</summary>
    public static int WriteConfigParameters(Span<byte> destination, ushort queueNumber, uint sequence, byte copyMode, uint copyRange)
    {
        var position = WriteHeader(destination, NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, sequence, queueNumber);

        // struct nfqnl_msg_config_params (packed): be32 copy_range, u8 copy_mode.
        Span<byte> parameters = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(parameters, copyRange);
        parameters[4] = copyMode;
        position = WriteAttribute(destination, position, NFQA_CFG_PARAMS, parameters);
        return Finish(destination, position);
    }

    /// <summary>NFQNL_MSG_CONFIG with NFQA_CFG_QUEUE_MAXLEN.</summary>
    public static int WriteConfigMaxLength(Span<byte> destination, ushort queueNumber, uint sequence, uint maxLength)
    {
        var position = WriteHeader(destination, NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, sequence, queueNumber);
        position = WriteAttributeBigEndian(destination, position, NFQA_CFG_QUEUE_MAXLEN, maxLength);
        return Finish(destination, position);
    }

    /// <summary>NFQNL_MSG_CONFIG with NFQA_CFG_MASK and NFQA_CFG_FLAGS (the kernel needs both).</summary>
    public static int WriteConfigFlags(Span<byte> destination, ushort queueNumber, uint sequence, uint flags, uint mask)
    {
        var position = WriteHeader(destination, NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, sequence, queueNumber);
        position = WriteAttributeBigEndian(destination, position, NFQA_CFG_MASK, mask);
        position = WriteAttributeBigEndian(destination, position, NFQA_CFG_FLAGS, flags);
        return Finish(destination, position);
    }

    private static int WriteHeader(Span<byte> destination, byte message, ushort flags, uint sequence, ushort queueNumber)
    {
        // struct nlmsghdr (host byte order, as every netlink header); nlmsg_len is filled in by Finish, nlmsg_pid 0 addresses the kernel.
        WriteHost(destination, 0u);
        WriteHost(destination[4..], MessageType(message));
        WriteHost(destination[6..], flags);
        WriteHost(destination[8..], sequence);
        WriteHost(destination[12..], 0u);

        // struct nfgenmsg: family AF_UNSPEC, version, be16 res_id = the queue number.
        destination[16] = 0;
        destination[17] = NFNETLINK_V0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], queueNumber);
        return NLMSG_HDRLEN + NFGENMSG_LEN;
    }

    private static int WriteAttribute(Span<byte> destination, int position, ushort type, ReadOnlySpan<byte> data)
    {
        WriteHost(destination[position..], checked((ushort)(NLA_HDRLEN + data.Length)));
        WriteHost(destination[(position + 2)..], type);
        data.CopyTo(destination[(position + NLA_HDRLEN)..]);
        var end = position + NLA_HDRLEN + data.Length;
        var aligned = NLA_ALIGN(end);
        destination[end..aligned].Clear();
        return aligned;
    }

    private static int WriteAttributeBigEndian(Span<byte> destination, int position, ushort type, uint value)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(data, value);
        return WriteAttribute(destination, position, type, data);
    }

    private static void WriteHost<T>(Span<byte> destination, T value)
        where T : unmanaged => MemoryMarshal.Write(destination, in value);

    private static int Finish(Span<byte> destination, int length)
    {
        WriteHost(destination, (uint)length);
        return length;
    }
}
