using System.Numerics;

namespace NetServ.OpenFlow;

/// <summary>
/// Version negotiation (OpenFlow 1.3 6.3.1): with version bitmaps on both sides, the highest version both set;
/// otherwise the smaller of the two header versions. This library speaks 1.3 only, so anything else fails.
/// </summary>
public static class OpenFlowVersion
{
    /// <summary>The versions this side offers: OpenFlow 1.3 only.</summary>
    public const uint SupportedBitmap = 1u << OpenFlowConstants.Version13;

    /// <summary>The HELLO this side sends: header version 1.3 and a bitmap with 1.3 alone.</summary>
    public static HelloMessage Hello(uint xid) => new(xid, OpenFlowConstants.Version13, SupportedBitmap);

    /// <summary>The version to speak with a peer that sent <paramref name="peer"/>; false with an IncompatibleVersion error if there is none.</summary>
    public static bool TryNegotiate(HelloMessage peer, out byte version, out OpenFlowError error)
    {
        ArgumentNullException.ThrowIfNull(peer);
        error = default;
        if (peer.VersionBitmap is { } bitmap)
        {
            var common = bitmap & SupportedBitmap;
            version = common == 0 ? (byte)0 : (byte)(31 - BitOperations.LeadingZeroCount(common));
        }
        else
        {
            version = Math.Min(peer.Version, OpenFlowConstants.Version13);
        }

        if (version == OpenFlowConstants.Version13)
        {
            return true;
        }

        error = new OpenFlowError(
            OpenFlowErrorKind.IncompatibleVersion,
            $"the peer offers {Describe(peer)}; this controller speaks OpenFlow 1.3 (0x04) only");
        version = 0;
        return false;
    }

    private static string Describe(HelloMessage peer)
    {
        if (peer.VersionBitmap is not { } bitmap)
        {
            return $"versions up to {Name(peer.Version)} (no version bitmap)";
        }

        var names = Enumerable.Range(0, 32).Where(v => (bitmap & (1u << v)) != 0).Select(v => Name((byte)v)).ToArray();
        return names.Length == 0 ? "an empty version bitmap" : string.Join(", ", names);
    }

    private static string Name(byte version) => version switch
    {
        1 => "OpenFlow 1.0 (0x01)",
        2 => "OpenFlow 1.1 (0x02)",
        3 => "OpenFlow 1.2 (0x03)",
        4 => "OpenFlow 1.3 (0x04)",
        5 => "OpenFlow 1.4 (0x05)",
        6 => "OpenFlow 1.5 (0x06)",
        _ => $"version 0x{version:x2}",
    };
}
