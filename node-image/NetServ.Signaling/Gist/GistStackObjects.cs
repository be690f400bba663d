using System.Buffers.Binary;

namespace NetServ.Signaling.Gist;

/// <summary>MA-Protocol-IDs (RFC 5971 5.7 and its IANA considerations).</summary>
internal static class GistMaProtocolId
{
    /// <summary>TCP, opened from the querying node to the responding node.</summary>
    public const byte ForwardsTcp = 1;

    /// <summary>TLS over the messaging association's transport.</summary>
    public const byte Tls = 2;
}

/// <summary>One profile of a Stack-Proposal: the protocol layers of a messaging association, lowest last.</summary>
public sealed record GistStackProfile
{
    public GistStackProfile(EquatableArray<byte> protocols) => Protocols = protocols;

    /// <summary>The MA-Protocol-IDs (see <see cref="GistMaProtocolId"/>); Prof-Length is 8 bits.</summary>
    public EquatableArray<byte> Protocols
    {
        get;
        init => field = value.Count <= 255 ? value : throw new ArgumentException("Prof-Length has 8 bits: at most 255 protocols.", nameof(value));
    }
}

/// <summary>
/// Stack-Proposal (RFC 5971 A.3.4): the messaging-association stacks a node offers, in order of preference.
/// </summary>
/// <remarks>
/// <code>
/// |  Prof-Count   |                     Reserved                  |
/// //                       Profile 1 .. Prof-Count               //
/// each profile:
/// | Prof-Length   |   Proto-1     |   Proto-2     |      ...      |  (zero-padded to a word)
/// </code>
/// </remarks>
public sealed record GistStackProposal : GistObject
{
    public GistStackProposal(EquatableArray<GistStackProfile> profiles) => Profiles = profiles;

    public override GistObjectType ObjectType => GistObjectType.StackProposal;

    /// <summary>1 to 255 profiles; profiles are numbered from 1 in this order.</summary>
    public EquatableArray<GistStackProfile> Profiles
    {
        get;
        init => field = value.Count is >= 1 and <= 255
            ? value
            : throw new ArgumentException("A Stack-Proposal has 1 to 255 profiles (Prof-Count is 8 bits and may not be 0).", nameof(value));
    }
}

/// <summary>
/// An MA-protocol-options field of a Stack-Configuration-Data object.
/// </summary>
/// <remarks>
/// <code>
/// |MA-Protocol-ID |     Profile   |    Length     |D|  Reserved   |
/// //                         Options Data                        //  (Length bytes, zero-padded to a word)
/// </code>
/// </remarks>
public sealed record GistMaProtocolOption
{
    public GistMaProtocolOption(byte protocolId, byte profile, GistBytes data)
    {
        ProtocolId = protocolId;
        Profile = profile;
        Data = data;
    }

    public byte ProtocolId { get; init; }

    /// <summary>The Stack-Proposal profile this applies to, from 1; 0 means every profile.</summary>
    public byte Profile { get; init; }

    /// <summary>D: this protocol must not be used for a messaging association.</summary>
    public bool DoNotUse { get; init; }

    /// <summary>The options data; Length is 8 bits, so at most 255 bytes.</summary>
    public GistBytes Data
    {
        get;
        init => field = value.Length <= 255 ? value : throw new ArgumentException("The option Length has 8 bits: at most 255 bytes.", nameof(value));
    }

    /// <summary>
    /// The Forwards-TCP option a responder sends (RFC 5971 5.7, Forwards-TCP): the port it accepts connections on, then
    /// 16 reserved bits.
    /// </summary>
    public static GistMaProtocolOption ForwardsTcpPort(byte profile, ushort port)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(data, port);
        return new GistMaProtocolOption(GistMaProtocolId.ForwardsTcp, profile, new GistBytes(data));
    }

    /// <summary>The port of a Forwards-TCP option that carries one (a querying node's option carries none).</summary>
    public bool TryGetTcpPort(out ushort port)
    {
        port = 0;
        if (ProtocolId != GistMaProtocolId.ForwardsTcp || Data.Length < 2)
        {
            return false;
        }

        port = BinaryPrimitives.ReadUInt16BigEndian(Data.Span);
        return true;
    }
}

/// <summary>
/// Stack-Configuration-Data (RFC 5971 A.3.5): how long the node keeps an idle messaging association, and the
/// per-protocol options of the Stack-Proposal beside it (for example the TCP port for C-mode).
/// </summary>
/// <remarks>
/// <code>
/// |   MPO-Count   |                   Reserved                    |
/// |                         MA-Hold-Time                          |
/// //                     MA-protocol-options                     //
/// </code>
/// </remarks>
public sealed record GistStackConfigurationData : GistObject
{
    public override GistObjectType ObjectType => GistObjectType.StackConfigurationData;

    /// <summary>How long an idle messaging association is kept, in milliseconds.</summary>
    public uint MaHoldTime { get; init; }

    /// <summary>At most 255 options (MPO-Count is 8 bits).</summary>
    public EquatableArray<GistMaProtocolOption> Options
    {
        get;
        init => field = value.Count <= 255 ? value : throw new ArgumentException("MPO-Count has 8 bits: at most 255 options.", nameof(value));
    }
}
