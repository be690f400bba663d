using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NetServ.Signaling.Gist;

/// <summary>
/// Reads and writes whole GIST messages (RFC 5971 5.1, A.1): the common header, preceded by the magic number in
/// every UDP datagram (D-mode, Q-mode or not: RFC 5971 5.3.2) and by nothing on a messaging association, and the
/// objects in the order the message grammar fixes. Whether a datagram is Q-mode encapsulated is the C flag's to
/// say, not the magic number's. Pure: bytes in, values out. Decoding never throws: every malformed input gives a
/// <see cref="GistError"/>, as strict as the RFC (reserved bits are the only thing ignored).
/// </summary>
public static class GistCodec
{
    private static readonly GistObjectType[] QueryGrammar =
    [
        GistObjectType.NatTraversal, GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification,
        GistObjectType.NetworkLayerInformation, GistObjectType.QueryCookie, GistObjectType.StackProposal,
        GistObjectType.StackConfigurationData, GistObjectType.NslpData,
    ];

    private static readonly GistObjectType[] ResponseGrammar =
    [
        GistObjectType.NatTraversal, GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification,
        GistObjectType.NetworkLayerInformation, GistObjectType.QueryCookie, GistObjectType.ResponderCookie,
        GistObjectType.StackProposal, GistObjectType.StackConfigurationData, GistObjectType.NslpData,
    ];

    private static readonly GistObjectType[] ConfirmGrammar =
    [
        GistObjectType.NatTraversal, GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification,
        GistObjectType.NetworkLayerInformation, GistObjectType.ResponderCookie, GistObjectType.StackProposal,
        GistObjectType.StackConfigurationData, GistObjectType.NslpData,
    ];

    private static readonly GistObjectType[] DataGrammar =
    [
        GistObjectType.NatTraversal, GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification,
        GistObjectType.NetworkLayerInformation, GistObjectType.NslpData,
    ];

    private static readonly GistObjectType[] ErrorGrammar =
        [GistObjectType.NatTraversal, GistObjectType.NetworkLayerInformation, GistObjectType.Error];

    private static readonly GistObjectType[] MaHelloGrammar = [GistObjectType.HelloId];

    private static readonly GistObjectType[] CommonRequired =
    [
        GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification,
        GistObjectType.NetworkLayerInformation, GistObjectType.QueryCookie,
    ];

    private static readonly GistObjectType[] ConfirmRequired =
        [GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification, GistObjectType.NetworkLayerInformation];

    private static readonly GistObjectType[] DataRequired =
        [GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification, GistObjectType.NslpData];

    private static readonly GistObjectType[] ErrorRequired = [GistObjectType.NetworkLayerInformation, GistObjectType.Error];

    private const int ObjectTypeCount = (int)GistObjectType.HelloId + 1;

    /// <summary>
    /// The length of the whole message that begins <paramref name="source"/> (no magic number), from its common
    /// header: how a C-mode stream is cut into messages. False if fewer than eight bytes are given.
    /// </summary>
    public static bool TryReadMessageLength(ReadOnlySpan<byte> source, out int length)
    {
        length = 0;
        if (!GistCommonHeader.TryRead(source, out var header))
        {
            return false;
        }

        length = header.TotalLength;
        return true;
    }

    /// <summary>Decodes exactly one message, without a magic number, that fills <paramref name="input"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, [NotNullWhen(true)] out GistMessage? message, out GistError error) =>
        TryDecode(input, withMagic: false, out message, out error);

    /// <summary>
    /// Decodes exactly one message that fills <paramref name="input"/>; with <paramref name="withMagic"/>, the
    /// input must begin with the magic number, as a UDP datagram does.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, bool withMagic, [NotNullWhen(true)] out GistMessage? message, out GistError error)
    {
        message = null;
        var start = 0;
        if (withMagic)
        {
            if (input.Length < GistConstants.MagicNumberLength)
            {
                error = new GistError(GistErrorKind.Truncated, $"{input.Length} bytes, too few for the magic number", 0);
                return false;
            }

            var magic = BinaryPrimitives.ReadUInt32BigEndian(input);
            if (magic != GistConstants.MagicNumber)
            {
                error = new GistError(GistErrorKind.BadMagic, $"0x{magic:x8} is not the GIST magic number 0x{GistConstants.MagicNumber:x8}", 0);
                return false;
            }

            start = GistConstants.MagicNumberLength;
        }

        var body = input[start..];
        if (!GistCommonHeader.TryRead(body, out var header))
        {
            error = new GistError(GistErrorKind.Truncated, $"{body.Length} bytes, too few for the common header", start);
            return false;
        }

        if (!TryCheckHeader(header, body.Length, start, out error))
        {
            return false;
        }

        var grammar = GrammarOf(header.Type);
        var found = new GistObject?[ObjectTypeCount];
        List<GistUnknownObject>? unknown = null;
        var lastSlot = -1;
        var position = GistConstants.CommonHeaderLength;
        while (position < body.Length)
        {
            var at = start + position;
            if (!GistObjectCodec.TryReadHeader(body[position..], at, out var objectHeader, out error))
            {
                return false;
            }

            var content = body.Slice(position + GistConstants.ObjectHeaderLength, objectHeader.ContentLength);
            var type = (GistObjectType)objectHeader.Type;
            position += GistConstants.ObjectHeaderLength + objectHeader.ContentLength;
            if (!Enum.IsDefined(type))
            {
                if (!GistObjectCodec.TryReadUnknown(objectHeader, content, at, out var extra, out error))
                {
                    return false;
                }

                (unknown ??= []).Add(extra);
                continue;
            }

            var slot = Array.IndexOf(grammar, type);
            if (slot < 0)
            {
                error = new GistError(GistErrorKind.InvalidObjectType, $"a {header.Type} message does not carry {type}", at, type);
                return false;
            }

            if (found[(int)type] is not null)
            {
                error = new GistError(GistErrorKind.DuplicateObject, $"{type} appears twice", at, type);
                return false;
            }

            if (slot < lastSlot)
            {
                error = new GistError(GistErrorKind.ObjectOutOfOrder, $"{type} follows {grammar[lastSlot]}, but a {header.Type} message has it before", at, type);
                return false;
            }

            if (!GistObjectCodec.TryReadContent(objectHeader, content, at + GistConstants.ObjectHeaderLength, out var gistObject, out error))
            {
                return false;
            }

            found[(int)type] = gistObject;
            lastSlot = slot;
        }

        if (!TryCheckPresence(header.Type, found, start, out error))
        {
            return false;
        }

        message = Build(header, found, unknown);
        return true;
    }

    /// <summary>
    /// What an Error message that does not decode still says: the class, code and subcode from the first word of
    /// its Error object and, when its S flag is set and the bytes are there, the session. A peer's report of a
    /// fault matters more than a fault in the report (an Info Count that announces a field the object lacks).
    /// False unless <paramref name="input"/> is a GIST Error message whose Error object's first two words read.
    /// </summary>
    public static bool TryReadErrorCode(ReadOnlySpan<byte> input, bool withMagic, out GistRfcError rfcError, out GistSessionId? session)
    {
        rfcError = default;
        session = null;
        if (withMagic)
        {
            if (input.Length < GistConstants.MagicNumberLength || BinaryPrimitives.ReadUInt32BigEndian(input) != GistConstants.MagicNumber)
            {
                return false;
            }

            input = input[GistConstants.MagicNumberLength..];
        }

        if (!GistCommonHeader.TryRead(input, out var header) || header.Type != GistMessageType.Error)
        {
            return false;
        }

        var body = input[..Math.Min(input.Length, header.TotalLength)];
        var position = GistConstants.CommonHeaderLength;
        while (GistObjectCodec.TryReadHeader(body[position..], position, out var objectHeader, out _))
        {
            var content = body.Slice(position + GistConstants.ObjectHeaderLength, objectHeader.ContentLength);
            position += GistConstants.ObjectHeaderLength + objectHeader.ContentLength;
            if ((GistObjectType)objectHeader.Type != GistObjectType.Error)
            {
                continue;
            }

            return GistObjectCodec.TryReadErrorCode(content, out rfcError, out session);
        }

        return false;
    }

    /// <summary>The bytes <paramref name="message"/> takes on the wire.</summary>
    /// <exception cref="ArgumentException">The message breaks the grammar of RFC 5971 5.1 or is too large for a GIST message.</exception>
    public static int GetEncodedLength(GistMessage message, bool withMagic = false) =>
        (withMagic ? GistConstants.MagicNumberLength : 0) + GistConstants.CommonHeaderLength + BodyLength(ObjectsOf(message));

    /// <summary>Writes <paramref name="message"/> without a magic number; false if the destination is too short.</summary>
    /// <exception cref="ArgumentException">The message breaks the grammar of RFC 5971 5.1 or is too large for a GIST message.</exception>
    public static bool TryEncode(GistMessage message, Span<byte> destination, out int written) =>
        TryEncode(message, withMagic: false, destination, out written);

    /// <summary>Writes <paramref name="message"/>, preceded by the magic number if <paramref name="withMagic"/>; false if the destination is too short.</summary>
    /// <exception cref="ArgumentException">The message breaks the grammar of RFC 5971 5.1 or is too large for a GIST message.</exception>
    public static bool TryEncode(GistMessage message, bool withMagic, Span<byte> destination, out int written)
    {
        written = 0;
        var objects = ObjectsOf(message);
        var bodyLength = BodyLength(objects);
        var total = (withMagic ? GistConstants.MagicNumberLength : 0) + GistConstants.CommonHeaderLength + bodyLength;
        if (destination.Length < total)
        {
            return false;
        }

        var position = 0;
        if (withMagic)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, GistConstants.MagicNumber);
            position = GistConstants.MagicNumberLength;
        }

        var header = new GistCommonHeader
        {
            Version = GistConstants.Version,
            GistHops = message.GistHops,
            MessageLength = (ushort)(bodyLength / 4),
            NslpId = message.NslpId,
            QModeEncapsulated = message.CFlag,
            Type = message.MessageType,
            SourceAddressing = message.SourceAddressing,
            ResponseRequested = message.RFlag,
            ExplicitRouting = message.EFlag,
        };
        header.TryWrite(destination[position..]);
        position += GistConstants.CommonHeaderLength;
        foreach (var (gistObject, length) in objects)
        {
            GistObjectCodec.WriteObject(gistObject, length - GistConstants.ObjectHeaderLength, destination[position..]);
            position += length;
        }

        written = position;
        return true;
    }

    /// <summary>Encodes <paramref name="message"/> to a new array.</summary>
    /// <exception cref="ArgumentException">The message breaks the grammar of RFC 5971 5.1 or is too large for a GIST message.</exception>
    public static byte[] Encode(GistMessage message, bool withMagic = false)
    {
        var bytes = new byte[GetEncodedLength(message, withMagic)];
        TryEncode(message, withMagic, bytes, out _);
        return bytes;
    }

    private static bool TryCheckHeader(in GistCommonHeader header, int length, int start, out GistError error)
    {
        error = default;
        if (header.Version != GistConstants.Version)
        {
            error = new GistError(GistErrorKind.UnknownVersion, $"GIST version {header.Version}; this node speaks version {GistConstants.Version}", start);
            return false;
        }

        var type = header.Type;
        if (!Enum.IsDefined(type))
        {
            error = new GistError(GistErrorKind.UnknownMessageType, $"message type {(byte)type} is not defined", start + 6);
            return false;
        }

        // RFC 5971 A.1: R is "never [set] in Confirm, Data or Error messages".
        if (header.ResponseRequested && type is GistMessageType.Confirm or GistMessageType.Data or GistMessageType.Error)
        {
            error = new GistError(GistErrorKind.InvalidRFlag, $"R is set on a {type}, which nothing answers", start + 7);
            return false;
        }

        if (!header.ResponseRequested && type == GistMessageType.Query)
        {
            error = new GistError(GistErrorKind.InvalidRFlag, "R is clear on a Query, which RFC 5971 A.1 requires to be set", start + 7);
            return false;
        }

        if (header.ExplicitRouting && type != GistMessageType.Data)
        {
            error = new GistError(GistErrorKind.InvalidEFlag, $"E is set on a {type}; only Data may be explicitly routed", start + 7);
            return false;
        }

        if (header.QModeEncapsulated ? type is not (GistMessageType.Query or GistMessageType.Data) : type == GistMessageType.Query)
        {
            error = new GistError(
                GistErrorKind.InvalidCFlag,
                header.QModeEncapsulated ? $"C is set on a {type}; only a Query or a Q-mode Data is Q-mode encapsulated" : "C is clear on a Query",
                start + 6);
            return false;
        }

        if (header.TotalLength != length)
        {
            error = new GistError(
                GistErrorKind.MessageLengthMismatch,
                $"Message Length says {header.TotalLength} bytes with the header, but the input holds {length}",
                start + 2);
            return false;
        }

        return true;
    }

    private static bool TryCheckPresence(GistMessageType type, GistObject?[] found, int start, out GistError error)
    {
        error = default;
        var required = type switch
        {
            GistMessageType.Query or GistMessageType.Response => CommonRequired,
            GistMessageType.Confirm => ConfirmRequired,
            GistMessageType.Data => DataRequired,
            GistMessageType.Error => ErrorRequired,
            _ => MaHelloGrammar,
        };
        foreach (var objectType in required)
        {
            if (found[(int)objectType] is null)
            {
                error = Missing(type, objectType, start);
                return false;
            }
        }

        var proposal = (GistStackProposal?)found[(int)GistObjectType.StackProposal];
        var configuration = (GistStackConfigurationData?)found[(int)GistObjectType.StackConfigurationData];
        var responderCookie = found[(int)GistObjectType.ResponderCookie];
        var problem = StackProblem(type, proposal is not null, configuration is not null, responderCookie is not null);
        if (problem is { } missing)
        {
            error = Missing(type, missing, start);
            return false;
        }

        if (proposal is not null && configuration is not null && MismatchedProfile(proposal, configuration) is { } profile)
        {
            error = new GistError(
                GistErrorKind.StackProposalConfigurationMismatch,
                $"an MA-protocol-option refers to profile {profile}, but the Stack-Proposal has {proposal.Profiles.Count}",
                start,
                GistObjectType.StackConfigurationData);
            return false;
        }

        return true;
    }

    private static GistError Missing(GistMessageType type, GistObjectType objectType, int start) =>
        new(GistErrorKind.MissingObject, $"a {type} message needs {objectType} here", start, objectType);

    /// <summary>The object the nesting rules of RFC 5971 5.1 want but do not find, if any.</summary>
    private static GistObjectType? StackProblem(GistMessageType type, bool proposal, bool configuration, bool responderCookie)
    {
        switch (type)
        {
            case GistMessageType.Query:
                // [ Stack-Proposal Stack-Configuration-Data ]
                return proposal == configuration ? null : proposal ? GistObjectType.StackConfigurationData : GistObjectType.StackProposal;
            case GistMessageType.Response:
                // [ Responder-Cookie [ Stack-Proposal Stack-Configuration-Data ] ]
                if ((proposal || configuration) && !responderCookie)
                {
                    return GistObjectType.ResponderCookie;
                }

                return proposal == configuration ? null : proposal ? GistObjectType.StackConfigurationData : GistObjectType.StackProposal;
            case GistMessageType.Confirm:
                // [ Responder-Cookie [ Stack-Proposal [ Stack-Configuration-Data ] ] ]
                if (proposal && !responderCookie)
                {
                    return GistObjectType.ResponderCookie;
                }

                return configuration && !proposal ? GistObjectType.StackProposal : null;
            default:
                return null;
        }
    }

    private static int? MismatchedProfile(GistStackProposal proposal, GistStackConfigurationData configuration)
    {
        foreach (var option in configuration.Options)
        {
            if (option.Profile > proposal.Profiles.Count)
            {
                return option.Profile;
            }
        }

        return null;
    }

    private static GistObjectType[] GrammarOf(GistMessageType type) => type switch
    {
        GistMessageType.Query => QueryGrammar,
        GistMessageType.Response => ResponseGrammar,
        GistMessageType.Confirm => ConfirmGrammar,
        GistMessageType.Data => DataGrammar,
        GistMessageType.Error => ErrorGrammar,
        _ => MaHelloGrammar,
    };

    private static GistMessage Build(in GistCommonHeader header, GistObject?[] found, List<GistUnknownObject>? unknown)
    {
        T? Get<T>(GistObjectType type)
            where T : GistObject => (T?)found[(int)type];
        T Need<T>(GistObjectType type)
            where T : GistObject => (T)found[(int)type]!;

        var mri = GistObjectType.MessageRoutingInformation;
        var sid = GistObjectType.SessionIdentification;
        var nli = GistObjectType.NetworkLayerInformation;
        GistMessage message = header.Type switch
        {
            GistMessageType.Query => new GistQuery(
                Need<GistMessageRoutingInformation>(mri), Need<GistSessionId>(sid), Need<GistNetworkLayerInformation>(nli), Need<GistQueryCookie>(GistObjectType.QueryCookie))
            {
                NatTraversal = Get<GistNatTraversal>(GistObjectType.NatTraversal),
                StackProposal = Get<GistStackProposal>(GistObjectType.StackProposal),
                StackConfiguration = Get<GistStackConfigurationData>(GistObjectType.StackConfigurationData),
                NslpData = Get<GistNslpData>(GistObjectType.NslpData),
            },
            GistMessageType.Response => new GistResponse(
                Need<GistMessageRoutingInformation>(mri), Need<GistSessionId>(sid), Need<GistNetworkLayerInformation>(nli), Need<GistQueryCookie>(GistObjectType.QueryCookie))
            {
                NatTraversal = Get<GistNatTraversal>(GistObjectType.NatTraversal),
                ResponderCookie = Get<GistResponderCookie>(GistObjectType.ResponderCookie),
                StackProposal = Get<GistStackProposal>(GistObjectType.StackProposal),
                StackConfiguration = Get<GistStackConfigurationData>(GistObjectType.StackConfigurationData),
                NslpData = Get<GistNslpData>(GistObjectType.NslpData),
                ResponseRequested = header.ResponseRequested,
            },
            GistMessageType.Confirm => new GistConfirm(
                Need<GistMessageRoutingInformation>(mri), Need<GistSessionId>(sid), Need<GistNetworkLayerInformation>(nli))
            {
                NatTraversal = Get<GistNatTraversal>(GistObjectType.NatTraversal),
                ResponderCookie = Get<GistResponderCookie>(GistObjectType.ResponderCookie),
                StackProposal = Get<GistStackProposal>(GistObjectType.StackProposal),
                StackConfiguration = Get<GistStackConfigurationData>(GistObjectType.StackConfigurationData),
                NslpData = Get<GistNslpData>(GistObjectType.NslpData),
            },
            GistMessageType.Data => new GistData(
                Need<GistMessageRoutingInformation>(mri), Need<GistSessionId>(sid), Need<GistNslpData>(GistObjectType.NslpData))
            {
                NatTraversal = Get<GistNatTraversal>(GistObjectType.NatTraversal),
                Nli = Get<GistNetworkLayerInformation>(nli),
                QModeEncapsulated = header.QModeEncapsulated,
                ExplicitRouting = header.ExplicitRouting,
            },
            GistMessageType.Error => new GistErrorMessage(Need<GistNetworkLayerInformation>(nli), Need<GistErrorObject>(GistObjectType.Error))
            {
                NatTraversal = Get<GistNatTraversal>(GistObjectType.NatTraversal),
            },
            _ => new GistMaHello(Need<GistHelloId>(GistObjectType.HelloId)) { ResponseRequested = header.ResponseRequested },
        };

        return message with
        {
            NslpId = header.NslpId,
            GistHops = header.GistHops,
            SourceAddressing = header.SourceAddressing,
            UnknownObjects = unknown is null ? default : new EquatableArray<GistUnknownObject>(unknown),
        };
    }

    /// <summary>The message's objects in grammar order, unknown ones last, each with its encoded length; checks the grammar.</summary>
    private static List<(GistObject Object, int Length)> ObjectsOf(GistMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        GistObject?[] ordered = message switch
        {
            GistQuery q => [q.NatTraversal, Required(q.Mri), Required(q.SessionId), Required(q.Nli), Required(q.QueryCookie), q.StackProposal, q.StackConfiguration, q.NslpData],
            GistResponse r => [r.NatTraversal, Required(r.Mri), Required(r.SessionId), Required(r.Nli), Required(r.QueryCookie), r.ResponderCookie, r.StackProposal, r.StackConfiguration, r.NslpData],
            GistConfirm c => [c.NatTraversal, Required(c.Mri), Required(c.SessionId), Required(c.Nli), c.ResponderCookie, c.StackProposal, c.StackConfiguration, c.NslpData],
            GistData d => [d.NatTraversal, Required(d.Mri), Required(d.SessionId), d.Nli, Required(d.NslpData)],
            GistErrorMessage e => [e.NatTraversal, Required(e.Nli), Required(e.ErrorObject)],
            GistMaHello h => [Required(h.HelloId)],
            _ => throw new ArgumentException($"{message.GetType().Name} is not a GIST message this codec writes", nameof(message)),
        };

        var (proposal, configuration, responderCookie) = message switch
        {
            GistQuery q => (q.StackProposal, q.StackConfiguration, (GistResponderCookie?)null),
            GistResponse r => (r.StackProposal, r.StackConfiguration, r.ResponderCookie),
            GistConfirm c => (c.StackProposal, c.StackConfiguration, c.ResponderCookie),
            _ => (null, null, null),
        };
        if (StackProblem(message.MessageType, proposal is not null, configuration is not null, responderCookie is not null) is { } missing)
        {
            throw new ArgumentException($"a {message.MessageType} with these stack objects also needs {missing} (RFC 5971 5.1)", nameof(message));
        }

        if (proposal is not null && configuration is not null && MismatchedProfile(proposal, configuration) is { } profile)
        {
            throw new ArgumentException($"an MA-protocol-option refers to profile {profile}, but the Stack-Proposal has {proposal.Profiles.Count}", nameof(message));
        }

        var objects = new List<(GistObject, int)>(ordered.Length + message.UnknownObjects.Count);
        foreach (var gistObject in ordered)
        {
            if (gistObject is not null)
            {
                objects.Add((gistObject, GistObjectCodec.GetEncodedLength(gistObject)));
            }
        }

        foreach (var extra in message.UnknownObjects)
        {
            if (extra.Action is GistObjectAction.Mandatory or GistObjectAction.Refresh || Enum.IsDefined(extra.ObjectType))
            {
                throw new ArgumentException($"an unknown object of type {extra.TypeValue} with {extra.Action} is not one a message can carry", nameof(message));
            }

            objects.Add((extra, GistObjectCodec.GetEncodedLength(extra)));
        }

        return objects;

        static GistObject Required(GistObject? gistObject) =>
            gistObject ?? throw new ArgumentException("a mandatory object of the message is null", nameof(message));
    }

    private static int BodyLength(List<(GistObject Object, int Length)> objects)
    {
        var length = objects.Sum(o => o.Length);
        if (length > GistConstants.MaxMessageBodyLength)
        {
            throw new ArgumentException($"the objects take {length} bytes; a GIST message holds at most {GistConstants.MaxMessageBodyLength} after its header");
        }

        return length;
    }
}
