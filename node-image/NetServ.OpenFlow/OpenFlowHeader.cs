using System.Buffers.Binary;

namespace NetServ.OpenFlow;

/// <summary>ofp_header: version, type, length of the whole message, transaction id.</summary>
public readonly record struct OpenFlowHeader(byte Version, OpenFlowMessageType Type, ushort Length, uint Xid)
{
    /// <summary>Reads the header at the start of <paramref name="source"/>; false if fewer than eight bytes are given.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out OpenFlowHeader header)
    {
        if (source.Length < OpenFlowConstants.HeaderLength)
        {
            header = default;
            return false;
        }

        header = new OpenFlowHeader(
            source[0], (OpenFlowMessageType)source[1], BinaryPrimitives.ReadUInt16BigEndian(source[2..]), BinaryPrimitives.ReadUInt32BigEndian(source[4..]));
        return true;
    }
}
