using NetServ.Networking;

namespace NetServ.Signaling.Gist;

/// <summary>
/// Network-Layer-Information (RFC 5971 A.3.3), IPv4 only: who the sending peer is and how to reach it.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   PI-Length   |    IP-TTL     |IP-Ver |      Reserved         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  Routing State Validity Time                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// //                        Peer Identity                        //  (PI-Length bytes, zero-padded to a word)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// //                      Interface Address                      //
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public sealed record GistNetworkLayerInformation : GistObject
{
    public override GistObjectType ObjectType => GistObjectType.NetworkLayerInformation;

    /// <summary>The peer's opaque identity, stable across its interfaces; at most 255 bytes.</summary>
    public GistBytes PeerIdentity
    {
        get;
        init => field = value.Length <= 255 ? value : throw new ArgumentException("PI-Length has 8 bits: at most 255 bytes.", nameof(value));
    }

    /// <summary>The IP TTL the sender gave the Query (or reports for one received).</summary>
    public byte IpTtl { get; init; }

    /// <summary>How long the routing state for this flow stays valid without a refresh, in milliseconds.</summary>
    public uint RoutingStateValidityTime { get; init; }

    /// <summary>The address at which the sender wants to be reached.</summary>
    public required Ipv4Address InterfaceAddress { get; init; }
}
