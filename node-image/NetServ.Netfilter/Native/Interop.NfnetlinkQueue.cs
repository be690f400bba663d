namespace NetServ.Netfilter.Native;

/// <summary>The nfnetlink_queue protocol: constants of linux/netfilter/nfnetlink.h and nfnetlink_queue.h, with their C names.</summary>
internal static partial class Interop
{
    internal static class NfnetlinkQueue
    {
        // linux/netfilter/nfnetlink.h
        internal const byte NFNETLINK_V0 = 0;
        internal const byte NFNL_SUBSYS_QUEUE = 3;

        /// <summary>sizeof(struct nfgenmsg): family, version, big-endian resource id (the queue number).</summary>
        internal const int NFGENMSG_LEN = 4;

        // enum nfqnl_msg_types
        internal const byte NFQNL_MSG_PACKET = 0;
        internal const byte NFQNL_MSG_VERDICT = 1;
        internal const byte NFQNL_MSG_CONFIG = 2;
        internal const byte NFQNL_MSG_VERDICT_BATCH = 3;

        // enum nfqnl_attr_type
        internal const ushort NFQA_PACKET_HDR = 1;
        internal const ushort NFQA_VERDICT_HDR = 2;
        internal const ushort NFQA_MARK = 3;
        internal const ushort NFQA_TIMESTAMP = 4;
        internal const ushort NFQA_IFINDEX_INDEV = 5;
        internal const ushort NFQA_IFINDEX_OUTDEV = 6;
        internal const ushort NFQA_PAYLOAD = 10;
        internal const ushort NFQA_CAP_LEN = 13;

        // enum nfqnl_msg_config_cmds
        internal const byte NFQNL_CFG_CMD_BIND = 1;
        internal const byte NFQNL_CFG_CMD_UNBIND = 2;

        // enum nfqnl_config_mode
        internal const byte NFQNL_COPY_PACKET = 2;

        // enum nfqnl_attr_config
        internal const ushort NFQA_CFG_CMD = 1;
        internal const ushort NFQA_CFG_PARAMS = 2;
        internal const ushort NFQA_CFG_QUEUE_MAXLEN = 3;
        internal const ushort NFQA_CFG_MASK = 4;
        internal const ushort NFQA_CFG_FLAGS = 5;

        internal const uint NFQA_CFG_F_FAIL_OPEN = 1 << 0;

        /// <summary>sizeof(struct nfqnl_msg_packet_hdr): be32 packet_id, be16 hw_protocol, u8 hook (packed).</summary>
        internal const int NFQNL_MSG_PACKET_HDR_LEN = 7;

        /// <summary>sizeof(struct nfqnl_msg_verdict_hdr): be32 verdict, be32 id.</summary>
        internal const int NFQNL_MSG_VERDICT_HDR_LEN = 8;

        /// <summary>
        /// The largest payload one attribute carries (net/netfilter/nfnetlink_queue.c: 0xffff - NLA_HDRLEN,
        /// not in the UAPI headers): the kernel clamps the copy range to it and reads a verdict's payload length as u16.
        /// </summary>
        internal const int NFQNL_MAX_COPY_RANGE = 0xFFFF - Netlink.NLA_HDRLEN;

        // linux/netfilter.h
        internal const uint NF_DROP = 0;
        internal const uint NF_ACCEPT = 1;

        /// <summary>The netlink message type of an nfnetlink_queue message.</summary>
        internal static ushort MessageType(byte message) => (ushort)((NFNL_SUBSYS_QUEUE << 8) | message);
    }
}
