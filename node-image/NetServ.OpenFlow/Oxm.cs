using System.Buffers.Binary;
using NetServ.Networking;

namespace NetServ.OpenFlow;

/// <summary>
/// One OXM TLV (OpenFlow 1.3 7.2.3.2): class, field, value and, when the field is masked, a mask as long as the
/// value. Fields of other classes (Nicira extensions, experimenters) are kept as they came.
/// </summary>
public readonly record struct Oxm(OxmClass Class, byte Field, OpenFlowBytes Value, OpenFlowBytes Mask)
{
    /// <summary>The 4 bytes of class, field, has-mask bit and length before the value.</summary>
    public const int HeaderLength = 4;

    public bool HasMask => !Mask.IsEmpty;

    /// <summary>The OXM's payload length: the value and the mask.</summary>
    public int PayloadLength => Value.Length + Mask.Length;

    /// <summary>The value as a big-endian number (fields of up to eight bytes).</summary>
    public ulong Number => ToNumber(Value.Span);

    /// <summary>The mask as a big-endian number (fields of up to eight bytes).</summary>
    public ulong MaskNumber => ToNumber(Mask.Span);

    /// <summary>Whether this is the OpenFlow-basic field <paramref name="field"/>.</summary>
    public bool Is(OxmField field) => Class == OxmClass.OpenFlowBasic && Field == (byte)field;

    public static Oxm InPort(uint port) => Basic(OxmField.InPort, port, 4);

    public static Oxm EthDst(EthernetAddress address) => Basic(OxmField.EthDst, address.Value, 6);

    public static Oxm EthSrc(EthernetAddress address) => Basic(OxmField.EthSrc, address.Value, 6);

    public static Oxm EthType(ushort ethType) => Basic(OxmField.EthType, ethType, 2);

    public static Oxm IpProto(byte protocol) => Basic(OxmField.IpProto, protocol, 1);

    public static Oxm Ipv4Src(Ipv4Address address) => Basic(OxmField.Ipv4Src, address.Value, 4);

    public static Oxm Ipv4Dst(Ipv4Address address) => Basic(OxmField.Ipv4Dst, address.Value, 4);

    /// <summary>ipv4_src within <paramref name="prefix"/>: masked unless the prefix is a single address.</summary>
    public static Oxm Ipv4Src(Ipv4Prefix prefix) => Ipv4(OxmField.Ipv4Src, prefix);

    /// <summary>ipv4_dst within <paramref name="prefix"/>: masked unless the prefix is a single address.</summary>
    public static Oxm Ipv4Dst(Ipv4Prefix prefix) => Ipv4(OxmField.Ipv4Dst, prefix);

    public static Oxm TcpSrc(ushort port) => Basic(OxmField.TcpSrc, port, 2);

    public static Oxm TcpDst(ushort port) => Basic(OxmField.TcpDst, port, 2);

    public static Oxm UdpSrc(ushort port) => Basic(OxmField.UdpSrc, port, 2);

    public static Oxm UdpDst(ushort port) => Basic(OxmField.UdpDst, port, 2);

    /// <summary>An OpenFlow-basic field of <paramref name="length"/> bytes holding <paramref name="value"/>, masked if a mask is given.</summary>
    public static Oxm Basic(OxmField field, ulong value, int length, ulong? mask = null) =>
        new(OxmClass.OpenFlowBasic, (byte)field, FromNumber(value, length), mask is { } m ? FromNumber(m, length) : default);

    public override string ToString() => Class == OxmClass.OpenFlowBasic
        ? $"{(OxmField)Field}={Value}{(HasMask ? "/" + Mask : string.Empty)}"
        : $"{Class}:{Field}={Value}{(HasMask ? "/" + Mask : string.Empty)}";

    /// <summary>
    /// The value length of OpenFlow-basic fields (oxm_ofb_match_fields), or 0 for fields this table does not know
    /// (their length is then not checked).
    /// </summary>
    internal static int BasicValueLength(byte field) => field switch
    {
        (byte)OxmField.InPort or (byte)OxmField.InPhysicalPort => 4,
        (byte)OxmField.Metadata or (byte)OxmField.TunnelId => 8,
        (byte)OxmField.EthDst or (byte)OxmField.EthSrc or (byte)OxmField.ArpSha or (byte)OxmField.ArpTha
            or (byte)OxmField.Ipv6NdSll or (byte)OxmField.Ipv6NdTll => 6,
        (byte)OxmField.EthType or (byte)OxmField.VlanVid or (byte)OxmField.TcpSrc or (byte)OxmField.TcpDst
            or (byte)OxmField.UdpSrc or (byte)OxmField.UdpDst or (byte)OxmField.SctpSrc or (byte)OxmField.SctpDst
            or (byte)OxmField.ArpOp or (byte)OxmField.Ipv6ExtHeader => 2,
        (byte)OxmField.VlanPcp or (byte)OxmField.IpDscp or (byte)OxmField.IpEcn or (byte)OxmField.IpProto
            or (byte)OxmField.Icmpv4Type or (byte)OxmField.Icmpv4Code or (byte)OxmField.Icmpv6Type
            or (byte)OxmField.Icmpv6Code or (byte)OxmField.MplsTc or (byte)OxmField.MplsBos => 1,
        (byte)OxmField.Ipv4Src or (byte)OxmField.Ipv4Dst or (byte)OxmField.ArpSpa or (byte)OxmField.ArpTpa
            or (byte)OxmField.Ipv6FlowLabel or (byte)OxmField.MplsLabel => 4,
        (byte)OxmField.PbbIsid => 3,
        (byte)OxmField.Ipv6Src or (byte)OxmField.Ipv6Dst or (byte)OxmField.Ipv6NdTarget => 16,
        _ => 0,
    };

    private static Oxm Ipv4(OxmField field, Ipv4Prefix prefix) =>
        Basic(field, prefix.Address.Value, 4, prefix.Length == 32 ? null : prefix.Mask);

    private static OpenFlowBytes FromNumber(ulong value, int length)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return new OpenFlowBytes(bytes[(8 - length)..]);
    }

    private static ulong ToNumber(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        foreach (var b in bytes[..Math.Min(bytes.Length, 8)])
        {
            value = (value << 8) | b;
        }

        return value;
    }
}

/// <summary>
/// An OpenFlow 1.3 match (ofp_match of type OFPMT_OXM): a list of OXM fields, each at most once. The empty match
/// matches every packet.
/// </summary>
public sealed record OpenFlowMatch(ValueList<Oxm> Fields)
{
    /// <summary>The match of every packet.</summary>
    public static OpenFlowMatch Any { get; } = new(default(ValueList<Oxm>));

    public uint? InPort => Find(OxmField.InPort) is { } f ? (uint)f.Number : null;

    public EthernetAddress? EthDst => Find(OxmField.EthDst) is { } f ? new EthernetAddress(f.Number) : null;

    public EthernetAddress? EthSrc => Find(OxmField.EthSrc) is { } f ? new EthernetAddress(f.Number) : null;

    public ushort? EthType => Find(OxmField.EthType) is { } f ? (ushort)f.Number : null;

    public byte? IpProto => Find(OxmField.IpProto) is { } f ? (byte)f.Number : null;

    public Ipv4Address? Ipv4Src => Find(OxmField.Ipv4Src) is { } f ? new Ipv4Address((uint)f.Number) : null;

    public Ipv4Address? Ipv4Dst => Find(OxmField.Ipv4Dst) is { } f ? new Ipv4Address((uint)f.Number) : null;

    public ushort? TcpSrc => Find(OxmField.TcpSrc) is { } f ? (ushort)f.Number : null;

    public ushort? TcpDst => Find(OxmField.TcpDst) is { } f ? (ushort)f.Number : null;

    public ushort? UdpSrc => Find(OxmField.UdpSrc) is { } f ? (ushort)f.Number : null;

    public ushort? UdpDst => Find(OxmField.UdpDst) is { } f ? (ushort)f.Number : null;

    /// <summary>The OpenFlow-basic field <paramref name="field"/>, or null if the match does not constrain it.</summary>
    public Oxm? Find(OxmField field)
    {
        foreach (var oxm in Fields.AsSpan())
        {
            if (oxm.Is(field))
            {
                return oxm;
            }
        }

        return null;
    }

    public override string ToString() => Fields.Count == 0 ? "any" : string.Join(",", Fields);
}
