using NetServ.Networking;

namespace NetServ.Signaling.Gist;

/// <summary>
/// Message-Routing-Information (RFC 5971 A.3.1): which flow the signalling is about, and so where it goes.
/// The first word is common to every message routing method (MRM):
/// <code>
/// |    MRM-ID     |N|  Reserved   |      MRM-specific data ...      |
/// </code>
/// This node supports the path-coupled and loose-end MRMs over IPv4.
/// </summary>
public abstract record GistMessageRoutingInformation : GistObject
{
    public override GistObjectType ObjectType => GistObjectType.MessageRoutingInformation;

    public abstract byte MrmId { get; }

    /// <summary>N: NATs need not translate this MRI (set), or it holds addresses they must translate (clear).</summary>
    public bool NatTranslationNotNeeded { get; init; }
}

/// <summary>
/// The path-coupled MRI (RFC 5971 A.3.1.1), IPv4 only: the flow's 5-tuple-ish description.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    MRM-ID     |N|  Reserved   |IP-Ver |P|T|F|S|A|B|D|Reserved |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// //                       Source Address                        //
/// //                      Destination Address                    //
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Source Prefix |  Dest Prefix  |   Protocol    | DS-field  |Rsv|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :       Reserved        |              Flow Label               :  (F=1; IPv6 only)
/// :                              SPI                              :  (S=1)
/// :          Source Port          :       Destination Port        :  (A=1 or B=1)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The nullable fields stand for the flags: <see cref="Protocol"/> for P, <see cref="DiffServCodePoint"/> for T,
/// <see cref="Spi"/> for S, <see cref="SourcePort"/> for A, <see cref="DestinationPort"/> for B. A field
/// whose flag is clear is not significant and is not kept. S, A and B need P.
/// </remarks>
public sealed record GistPathCoupledMri : GistMessageRoutingInformation
{
    public const byte Mrm = 0;

    public override byte MrmId => Mrm;

    public required Ipv4Address SourceAddress { get; init; }

    public required Ipv4Address DestinationAddress { get; init; }

    public byte SourcePrefixLength
    {
        get;
        init => field = value <= 32 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "An IPv4 prefix has at most 32 bits.");
    } = 32;

    public byte DestinationPrefixLength
    {
        get;
        init => field = value <= 32 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "An IPv4 prefix has at most 32 bits.");
    } = 32;

    /// <summary>The IP protocol number (P flag).</summary>
    public byte? Protocol { get; init; }

    /// <summary>The 6-bit DS field (T flag).</summary>
    public byte? DiffServCodePoint
    {
        get;
        init => field = value is null or <= 63 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The DS field has 6 bits.");
    }

    /// <summary>The IPsec SPI (S flag).</summary>
    public uint? Spi { get; init; }

    /// <summary>The source port (A flag); 0 means "unknown port", null "any port".</summary>
    public ushort? SourcePort { get; init; }

    /// <summary>The destination port (B flag).</summary>
    public ushort? DestinationPort { get; init; }

    /// <summary>D: the signalling runs against the flow (upstream) rather than with it (downstream).</summary>
    public bool Upstream { get; init; }

    /// <summary>The MRI for the same flow, signalled the other way.</summary>
    public GistPathCoupledMri Reversed() => this with { Upstream = !Upstream };
}

/// <summary>
/// The loose-end MRI (RFC 5971 A.3.1.2), IPv4 only: for messages to a flow end, such as NAT/firewall signalling.
/// </summary>
/// <remarks>
/// <code>
/// |    MRM-ID     |N|  Reserved   |IP-Ver |D|      Reserved       |
/// //                       Source Address                        //
/// //                      Destination Address                    //
/// </code>
/// </remarks>
internal sealed record GistLooseEndMri : GistMessageRoutingInformation
{
    public const byte Mrm = 1;

    public override byte MrmId => Mrm;

    public required Ipv4Address SourceAddress { get; init; }

    public required Ipv4Address DestinationAddress { get; init; }

    /// <summary>D: upstream (set) or downstream (clear).</summary>
    public bool Upstream { get; init; }
}

/// <summary>
/// An MRI this node cannot read (another MRM, IPv6, or malformed), kept byte for byte. It appears only
/// inside an Error object, which reports the MRI of a message that may itself have been the problem.
/// </summary>
internal sealed record GistUnsupportedMri : GistMessageRoutingInformation
{
    public GistUnsupportedMri(GistBytes content) => Content = content;

    public override byte MrmId => Content.IsEmpty ? (byte)0 : Content[0];

    /// <summary>The whole MRI value, first word included. N is read from it, not from <see cref="GistMessageRoutingInformation.NatTranslationNotNeeded"/>.</summary>
    public GistBytes Content
    {
        get;
        init => field = GistObjectRules.RequireWords(value, nameof(Content));
    }
}
