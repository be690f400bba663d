using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using NetServ.Networking;

namespace NetServ.Signaling.Gist;

/// <summary>
/// Reads and writes single GIST objects, TLV header included (RFC 5971 A.2, A.3, A.4.1). Pure: bytes in,
/// values out. Decoding never throws; every malformed input gives a <see cref="GistError"/>.
/// </summary>
internal static class GistObjectCodec
{
    private const byte PFlag = 0x08, TFlag = 0x04, FFlag = 0x02, SFlag = 0x01;
    private const byte AFlag = 0x80, BFlag = 0x40, DFlag = 0x20;
    private const byte LooseEndDFlag = 0x08;
    private const byte MaOptionDFlag = 0x80;
    private const ushort ErrorSFlag = 0x8000, ErrorMFlag = 0x4000, ErrorCFlag = 0x2000, ErrorDFlag = 0x1000, ErrorQFlag = 0x0800;

    /// <summary>The bytes <paramref name="gistObject"/> takes on the wire, TLV header included.</summary>
    /// <exception cref="ArgumentException">The object cannot be encoded (its value is larger than an object holds, or its fields contradict each other).</exception>
    public static int GetEncodedLength(GistObject gistObject) => GistConstants.ObjectHeaderLength + GetContentLength(gistObject);

    /// <summary>Writes <paramref name="gistObject"/>; false, with nothing promised about the destination, if it is too short.</summary>
    /// <exception cref="ArgumentException">The object cannot be encoded.</exception>
    public static bool TryEncode(GistObject gistObject, Span<byte> destination, out int written)
    {
        var contentLength = GetContentLength(gistObject);
        written = 0;
        if (destination.Length < GistConstants.ObjectHeaderLength + contentLength)
        {
            return false;
        }

        WriteObject(gistObject, contentLength, destination);
        written = GistConstants.ObjectHeaderLength + contentLength;
        return true;
    }

    public static byte[] Encode(GistObject gistObject)
    {
        var bytes = new byte[GetEncodedLength(gistObject)];
        TryEncode(gistObject, bytes, out _);
        return bytes;
    }

    /// <summary>
    /// Reads one object from the start of <paramref name="source"/>; <paramref name="consumed"/> says how many
    /// bytes it took. Unknown types come back as <see cref="GistUnknownObject"/> when their A/B flags allow it.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, [NotNullWhen(true)] out GistObject? gistObject, out int consumed, out GistError error)
    {
        gistObject = null;
        consumed = 0;
        if (!TryReadHeader(source, 0, out var header, out error))
        {
            return false;
        }

        var content = source.Slice(GistConstants.ObjectHeaderLength, header.ContentLength);
        if (!Enum.IsDefined((GistObjectType)header.Type))
        {
            if (!TryReadUnknown(header, content, 0, out var unknown, out error))
            {
                return false;
            }

            gistObject = unknown;
        }
        else if (!TryReadContent(header, content, GistConstants.ObjectHeaderLength, out gistObject, out error))
        {
            return false;
        }

        consumed = GistConstants.ObjectHeaderLength + header.ContentLength;
        return true;
    }

    /// <summary>Reads a TLV header at <paramref name="offset"/> and checks that its value fits in <paramref name="source"/>.</summary>
    internal static bool TryReadHeader(ReadOnlySpan<byte> source, int offset, out GistObjectHeader header, out GistError error)
    {
        error = default;
        if (!GistObjectHeader.TryRead(source, out header))
        {
            error = new GistError(GistErrorKind.ObjectOverrunsMessage, $"{source.Length} bytes left, too few for an object header", offset);
            return false;
        }

        if (header.Action == GistObjectAction.Refresh)
        {
            error = new GistError(GistErrorKind.InvalidExtensibilityFlags, $"object type {header.Type} has AB=11, which RFC 5971 reserves", offset, (GistObjectType)header.Type);
            return false;
        }

        if (header.ContentLength > source.Length - GistConstants.ObjectHeaderLength)
        {
            error = new GistError(
                GistErrorKind.ObjectOverrunsMessage,
                $"object type {header.Type} says {header.ContentLength} bytes of value but only {source.Length - GistConstants.ObjectHeaderLength} follow",
                offset,
                (GistObjectType)header.Type);
            return false;
        }

        return true;
    }

    /// <summary>An object of an unknown type: kept if its A/B flags say so, an error if they make it mandatory.</summary>
    internal static bool TryReadUnknown(in GistObjectHeader header, ReadOnlySpan<byte> content, int offset, [NotNullWhen(true)] out GistUnknownObject? unknown, out GistError error)
    {
        unknown = null;
        error = default;
        if (header.Action == GistObjectAction.Mandatory)
        {
            error = new GistError(GistErrorKind.UnrecognisedObject, $"object type {header.Type} is unknown and mandatory (AB=00)", offset, (GistObjectType)header.Type);
            return false;
        }

        unknown = new GistUnknownObject(header.Type, header.Action, new GistBytes(content));
        return true;
    }

    /// <summary>Reads the value of a known object type; <paramref name="offset"/> is where the value starts in the caller's input.</summary>
    internal static bool TryReadContent(in GistObjectHeader header, ReadOnlySpan<byte> content, int offset, [NotNullWhen(true)] out GistObject? gistObject, out GistError error)
    {
        gistObject = null;
        error = default;
        var type = (GistObjectType)header.Type;
        switch (type)
        {
            case GistObjectType.MessageRoutingInformation:
                if (TryReadMri(content, offset, out var mri, out error))
                {
                    gistObject = mri;
                }

                break;
            case GistObjectType.SessionIdentification:
                if (content.Length != GistSessionId.Length)
                {
                    error = IncorrectLength(type, offset, $"Session-Identification has {content.Length} bytes, not 16");
                    break;
                }

                gistObject = GistSessionId.FromBytes(content);
                break;
            case GistObjectType.NetworkLayerInformation:
                if (TryReadNli(content, offset, out var nli, out error))
                {
                    gistObject = nli;
                }

                break;
            case GistObjectType.StackProposal:
                if (TryReadStackProposal(content, offset, out var proposal, out error))
                {
                    gistObject = proposal;
                }

                break;
            case GistObjectType.StackConfigurationData:
                if (TryReadStackConfiguration(content, offset, out var configuration, out error))
                {
                    gistObject = configuration;
                }

                break;
            case GistObjectType.QueryCookie:
                gistObject = new GistQueryCookie(new GistBytes(content));
                break;
            case GistObjectType.ResponderCookie:
                gistObject = new GistResponderCookie(new GistBytes(content));
                break;
            case GistObjectType.NatTraversal:
                gistObject = new GistNatTraversal(header.Action, new GistBytes(content));
                break;
            case GistObjectType.NslpData:
                gistObject = new GistNslpData(new GistBytes(content));
                break;
            case GistObjectType.Error:
                if (TryReadErrorObject(content, offset, out var errorObject, out error))
                {
                    gistObject = errorObject;
                }

                break;
            case GistObjectType.HelloId:
                if (content.Length != 4)
                {
                    error = IncorrectLength(type, offset, $"Hello-ID has {content.Length} bytes, not 4");
                    break;
                }

                gistObject = new GistHelloId(BinaryPrimitives.ReadUInt32BigEndian(content));
                break;
            default:
                error = new GistError(GistErrorKind.UnrecognisedObject, $"object type {header.Type} is unknown", offset, type);
                break;
        }

        return gistObject is not null;
    }

    private static bool TryReadMri(ReadOnlySpan<byte> c, int offset, [NotNullWhen(true)] out GistMessageRoutingInformation? mri, out GistError error)
    {
        const GistObjectType Type = GistObjectType.MessageRoutingInformation;
        mri = null;
        error = default;
        if (c.Length < 4)
        {
            error = IncorrectLength(Type, offset, $"an MRI has at least one word; this has {c.Length} bytes");
            return false;
        }

        var mrm = c[0];
        var natTranslationNotNeeded = (c[1] & 0x80) != 0;
        var ipVersion = c[2] >> 4;
        if (mrm is not (GistPathCoupledMri.Mrm or GistLooseEndMri.Mrm))
        {
            error = new GistError(GistErrorKind.ValueNotSupported, $"message routing method {mrm} is not supported (only path-coupled 0 and loose-end 1)", offset, Type);
            return false;
        }

        if (ipVersion != 4)
        {
            error = new GistError(
                GistErrorKind.ValueNotSupported,
                ipVersion == 6 ? "IPv6 MRIs are not supported: this node speaks IPv4" : $"IP-Ver {ipVersion} is neither 4 nor 6",
                offset + 2,
                Type);
            return false;
        }

        if (mrm == GistLooseEndMri.Mrm)
        {
            if (c.Length != 12)
            {
                error = IncorrectLength(Type, offset, $"an IPv4 loose-end MRI has 12 bytes; this has {c.Length}");
                return false;
            }

            mri = new GistLooseEndMri
            {
                NatTranslationNotNeeded = natTranslationNotNeeded,
                Upstream = (c[2] & LooseEndDFlag) != 0,
                SourceAddress = Ipv4Address.Read(c[4..]),
                DestinationAddress = Ipv4Address.Read(c[8..]),
            };
            return true;
        }

        var p = (c[2] & PFlag) != 0;
        var t = (c[2] & TFlag) != 0;
        var f = (c[2] & FFlag) != 0;
        var s = (c[2] & SFlag) != 0;
        var a = (c[3] & AFlag) != 0;
        var b = (c[3] & BFlag) != 0;
        if (f)
        {
            error = new GistError(GistErrorKind.InvalidFlagFieldCombination, "F is set, but flow labels exist only in IPv6 (RFC 5971 A.3.1.1)", offset + 2, Type);
            return false;
        }

        if (s && !p)
        {
            error = new GistError(GistErrorKind.InvalidFlagFieldCombination, "S is set without P (RFC 5971 A.3.1.1)", offset + 2, Type);
            return false;
        }

        if ((a || b) && !p)
        {
            error = new GistError(GistErrorKind.InvalidFlagFieldCombination, "A or B is set without P (RFC 5971 A.3.1.1)", offset + 3, Type);
            return false;
        }

        var expected = 16 + (s ? 4 : 0) + (a || b ? 4 : 0);
        if (c.Length != expected)
        {
            error = IncorrectLength(Type, offset, $"the flags make an IPv4 path-coupled MRI {expected} bytes; this has {c.Length}");
            return false;
        }

        if (c[12] > 32 || c[13] > 32)
        {
            error = new GistError(GistErrorKind.InvalidFlagFieldCombination, $"prefix lengths {c[12]}/{c[13]} exceed an IPv4 address", offset + 12, Type);
            return false;
        }

        var position = 16;
        uint? spi = null;
        if (s)
        {
            spi = BinaryPrimitives.ReadUInt32BigEndian(c[position..]);
            position += 4;
        }

        ushort? sourcePort = null, destinationPort = null;
        if (a || b)
        {
            sourcePort = a ? BinaryPrimitives.ReadUInt16BigEndian(c[position..]) : null;
            destinationPort = b ? BinaryPrimitives.ReadUInt16BigEndian(c[(position + 2)..]) : null;
        }

        mri = new GistPathCoupledMri
        {
            NatTranslationNotNeeded = natTranslationNotNeeded,
            SourceAddress = Ipv4Address.Read(c[4..]),
            DestinationAddress = Ipv4Address.Read(c[8..]),
            SourcePrefixLength = c[12],
            DestinationPrefixLength = c[13],
            Protocol = p ? c[14] : null,
            DiffServCodePoint = t ? (byte)(c[15] >> 2) : null,
            Spi = spi,
            SourcePort = sourcePort,
            DestinationPort = destinationPort,
            Upstream = (c[3] & DFlag) != 0,
        };
        return true;
    }

    private static bool TryReadNli(ReadOnlySpan<byte> c, int offset, [NotNullWhen(true)] out GistNetworkLayerInformation? nli, out GistError error)
    {
        const GistObjectType Type = GistObjectType.NetworkLayerInformation;
        nli = null;
        error = default;
        if (c.Length < 8)
        {
            error = IncorrectLength(Type, offset, $"Network-Layer-Information has at least 8 bytes; this has {c.Length}");
            return false;
        }

        var ipVersion = c[2] >> 4;
        if (ipVersion != 4)
        {
            error = new GistError(
                GistErrorKind.ValueNotSupported,
                ipVersion == 6 ? "an IPv6 interface address is not supported: this node speaks IPv4" : $"IP-Ver {ipVersion} is neither 4 nor 6",
                offset + 2,
                Type);
            return false;
        }

        var peerIdentityLength = c[0];
        var expected = 8 + GistObjectRules.Pad(peerIdentityLength) + 4;
        if (c.Length != expected)
        {
            error = IncorrectLength(Type, offset, $"PI-Length {peerIdentityLength} makes it {expected} bytes with an IPv4 address; this has {c.Length}");
            return false;
        }

        nli = new GistNetworkLayerInformation
        {
            PeerIdentity = new GistBytes(c.Slice(8, peerIdentityLength)),
            IpTtl = c[1],
            RoutingStateValidityTime = BinaryPrimitives.ReadUInt32BigEndian(c[4..]),
            InterfaceAddress = Ipv4Address.Read(c[(8 + GistObjectRules.Pad(peerIdentityLength))..]),
        };
        return true;
    }

    private static bool TryReadStackProposal(ReadOnlySpan<byte> c, int offset, [NotNullWhen(true)] out GistStackProposal? proposal, out GistError error)
    {
        const GistObjectType Type = GistObjectType.StackProposal;
        proposal = null;
        error = default;
        if (c.Length < 4)
        {
            error = IncorrectLength(Type, offset, $"a Stack-Proposal has at least 4 bytes; this has {c.Length}");
            return false;
        }

        var count = c[0];
        if (count == 0)
        {
            error = new GistError(GistErrorKind.ValueNotSupported, "Prof-Count is 0", offset, Type);
            return false;
        }

        var profiles = new GistStackProfile[count];
        var position = 4;
        var anyProtocol = false;
        for (var i = 0; i < count; i++)
        {
            if (position >= c.Length)
            {
                error = IncorrectLength(Type, offset + position, $"Prof-Count says {count} profiles but the value ends after {i}");
                return false;
            }

            var length = c[position];
            var size = GistObjectRules.Pad(1 + length);
            if (size > c.Length - position)
            {
                error = IncorrectLength(Type, offset + position, $"profile {i + 1} has Prof-Length {length}, which runs past the value");
                return false;
            }

            var protocols = c.Slice(position + 1, length);
            anyProtocol |= protocols.ContainsAnyExcept((byte)0);
            profiles[i] = new GistStackProfile(EquatableArray.Create<byte>(protocols));
            position += size;
        }

        if (position != c.Length)
        {
            error = IncorrectLength(Type, offset + position, $"{c.Length - position} bytes follow the last profile");
            return false;
        }

        if (!anyProtocol)
        {
            error = new GistError(GistErrorKind.EmptyList, "the Stack-Proposal names no protocol", offset, Type);
            return false;
        }

        proposal = new GistStackProposal(new EquatableArray<GistStackProfile>(profiles, owned: true));
        return true;
    }

    private static bool TryReadStackConfiguration(ReadOnlySpan<byte> c, int offset, [NotNullWhen(true)] out GistStackConfigurationData? configuration, out GistError error)
    {
        const GistObjectType Type = GistObjectType.StackConfigurationData;
        configuration = null;
        error = default;
        if (c.Length < 8)
        {
            error = IncorrectLength(Type, offset, $"Stack-Configuration-Data has at least 8 bytes; this has {c.Length}");
            return false;
        }

        var count = c[0];
        var options = new GistMaProtocolOption[count];
        var position = 8;
        for (var i = 0; i < count; i++)
        {
            if (c.Length - position < 4)
            {
                error = IncorrectLength(Type, offset + position, $"MPO-Count says {count} options but the value ends after {i}");
                return false;
            }

            var length = c[position + 2];
            var size = 4 + GistObjectRules.Pad(length);
            if (size > c.Length - position)
            {
                error = IncorrectLength(Type, offset + position, $"option {i + 1} has Length {length}, which runs past the value");
                return false;
            }

            options[i] = new GistMaProtocolOption(c[position], c[position + 1], new GistBytes(c.Slice(position + 4, length)))
            {
                DoNotUse = (c[position + 3] & MaOptionDFlag) != 0,
            };
            position += size;
        }

        if (position != c.Length)
        {
            error = IncorrectLength(Type, offset + position, $"{c.Length - position} bytes follow the last option");
            return false;
        }

        configuration = new GistStackConfigurationData
        {
            MaHoldTime = BinaryPrimitives.ReadUInt32BigEndian(c[4..]),
            Options = new EquatableArray<GistMaProtocolOption>(options, owned: true),
        };
        return true;
    }

    private static bool TryReadErrorObject(ReadOnlySpan<byte> c, int offset, [NotNullWhen(true)] out GistErrorObject? errorObject, out GistError error)
    {
        const GistObjectType Type = GistObjectType.Error;
        errorObject = null;
        error = default;
        if (c.Length < 16)
        {
            error = IncorrectLength(Type, offset, $"an Error object has at least 16 bytes; this has {c.Length}");
            return false;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(c[4..]);
        var mriLength = c[6] * 4;
        var infoCount = c[7];
        GistCommonHeader.TryRead(c[8..], out var originalHeader);
        var position = 16;

        GistSessionId? sessionId = null;
        if ((flags & ErrorSFlag) != 0)
        {
            if (c.Length - position < GistSessionId.Length)
            {
                error = IncorrectLength(Type, offset + position, "S is set but the session identifier does not fit");
                return false;
            }

            sessionId = GistSessionId.FromBytes(c.Slice(position, GistSessionId.Length));
            position += GistSessionId.Length;
        }

        GistMessageRoutingInformation? mri = null;
        if ((flags & ErrorMFlag) != 0)
        {
            if (c.Length - position < mriLength)
            {
                error = IncorrectLength(Type, offset + position, $"MRI Length says {mriLength} bytes but fewer follow");
                return false;
            }

            // The MRI may be the very thing the error is about; keep it raw when it does not read.
            var mriBytes = c.Slice(position, mriLength);
            mri = TryReadMri(mriBytes, offset + position, out var readable, out _) ? readable : new GistUnsupportedMri(new GistBytes(mriBytes));
            position += mriLength;
        }

        var infos = new GistAdditionalInfo[infoCount];
        for (var i = 0; i < infoCount; i++)
        {
            if (c.Length - position < 4)
            {
                error = IncorrectLength(Type, offset + position, $"Info Count says {infoCount} fields but the value ends after {i}");
                return false;
            }

            var aiType = BinaryPrimitives.ReadUInt16BigEndian(c[position..]);
            var aiLength = BinaryPrimitives.ReadUInt16BigEndian(c[(position + 2)..]) * 4;
            if (c.Length - position - 4 < aiLength)
            {
                error = IncorrectLength(Type, offset + position, $"additional information field {i + 1} says {aiLength} bytes, which run past the value");
                return false;
            }

            var value = c.Slice(position + 4, aiLength);
            if (!TryReadAdditionalInfo(aiType, value, offset + position, out var info, out error))
            {
                return false;
            }

            infos[i] = info;

            position += 4 + aiLength;
        }

        string? comment = null;
        if ((flags & ErrorCFlag) != 0)
        {
            var text = c[position..].TrimEnd((byte)0);
            if (text.Contains((byte)0) || !Utf8.IsValid(text))
            {
                error = new GistError(GistErrorKind.ValueNotSupported, "the debugging comment is not one NUL-terminated UTF-8 string", offset + position, Type);
                return false;
            }

            comment = Encoding.UTF8.GetString(text);
        }
        else if (position != c.Length)
        {
            error = IncorrectLength(Type, offset + position, $"{c.Length - position} bytes follow the last field and C is clear");
            return false;
        }

        errorObject = new GistErrorObject
        {
            ErrorClass = (GistErrorClass)c[0],
            ErrorCode = (GistErrorCode)BinaryPrimitives.ReadUInt16BigEndian(c[1..]),
            Subcode = c[3],
            DatagramMode = (flags & ErrorDFlag) != 0,
            QModeEncapsulated = (flags & ErrorQFlag) != 0,
            OriginalHeader = originalHeader,
            SessionId = sessionId,
            Mri = mri,
            AdditionalInfo = new EquatableArray<GistAdditionalInfo>(infos, owned: true),
            DebugComment = comment,
        };
        return true;
    }

    /// <summary>The first word of an Error object's value and, when S is set and it fits, the session: what a malformed Error object still tells.</summary>
    internal static bool TryReadErrorCode(ReadOnlySpan<byte> c, out GistRfcError rfcError, out GistSessionId? session)
    {
        rfcError = default;
        session = null;
        if (c.Length < 8)
        {
            return false;
        }

        rfcError = new GistRfcError((GistErrorClass)c[0], (GistErrorCode)BinaryPrimitives.ReadUInt16BigEndian(c[1..]), c[3]);
        const int SessionAt = 16;
        if ((BinaryPrimitives.ReadUInt16BigEndian(c[4..]) & ErrorSFlag) != 0 && c.Length >= SessionAt + GistSessionId.Length)
        {
            session = GistSessionId.FromBytes(c.Slice(SessionAt, GistSessionId.Length));
        }

        return true;
    }

    private static bool TryReadAdditionalInfo(ushort aiType, ReadOnlySpan<byte> value, int offset, [NotNullWhen(true)] out GistAdditionalInfo? info, out GistError error)
    {
        info = null;
        error = default;
        if (aiType is GistMessageLengthInfo.Type or GistMtuInfo.Type or GistObjectTypeInfo.Type && value.Length != 4)
        {
            error = IncorrectLength(GistObjectType.Error, offset, $"additional information type {aiType} has one word; this has {value.Length} bytes");
            return false;
        }

        switch (aiType)
        {
            case GistMessageLengthInfo.Type:
                info = new GistMessageLengthInfo(BinaryPrimitives.ReadUInt16BigEndian(value));
                return true;
            case GistMtuInfo.Type:
                info = new GistMtuInfo(BinaryPrimitives.ReadUInt16BigEndian(value));
                return true;
            case GistObjectTypeInfo.Type:
                info = new GistObjectTypeInfo((ushort)(BinaryPrimitives.ReadUInt16BigEndian(value) & 0xFFF));
                return true;
            case GistObjectValueInfo.Type:
                if (value.Length < 4)
                {
                    error = IncorrectLength(GistObjectType.Error, offset, "Object Value Info has at least one word");
                    return false;
                }

                var realLength = (BinaryPrimitives.ReadUInt16BigEndian(value) & 0xFFF) * 4;
                if (realLength != value.Length - 4)
                {
                    error = IncorrectLength(GistObjectType.Error, offset, $"Real Object Length says {realLength} bytes but AI-Length leaves {value.Length - 4}");
                    return false;
                }

                info = new GistObjectValueInfo(BinaryPrimitives.ReadUInt16BigEndian(value[2..]), new GistBytes(value[4..]));
                return true;
            default:
                info = new GistUnknownAdditionalInfo(aiType, new GistBytes(value));
                return true;
        }
    }

    private static GistError IncorrectLength(GistObjectType type, int offset, string reason) =>
        new(GistErrorKind.IncorrectObjectLength, reason, offset, type);

    /// <summary>The length of the object's value in bytes, checked against what an object can hold.</summary>
    internal static int GetContentLength(GistObject gistObject)
    {
        ArgumentNullException.ThrowIfNull(gistObject);
        var length = gistObject switch
        {
            GistPathCoupledMri mri => PathCoupledLength(mri),
            GistLooseEndMri => 12,
            GistUnsupportedMri mri => mri.Content.Length,
            GistSessionId => GistSessionId.Length,
            GistNetworkLayerInformation nli => 8 + GistObjectRules.Pad(nli.PeerIdentity.Length) + 4,
            GistStackProposal proposal => 4 + proposal.Profiles.Sum(p => GistObjectRules.Pad(1 + p.Protocols.Count)),
            GistStackConfigurationData configuration => 8 + configuration.Options.Sum(o => 4 + GistObjectRules.Pad(o.Data.Length)),
            GistQueryCookie cookie => cookie.Value.Length,
            GistResponderCookie cookie => cookie.Value.Length,
            GistNatTraversal nat => nat.Content.Length,
            GistNslpData data => data.Payload.Length,
            GistErrorObject errorObject => ErrorObjectLength(errorObject),
            GistHelloId => 4,
            GistUnknownObject unknown => unknown.Content.Length,
            _ => throw new ArgumentException($"{gistObject.GetType().Name} is not an object this codec writes", nameof(gistObject)),
        };
        if (length > GistConstants.MaxObjectContentLength)
        {
            throw new ArgumentException($"the {gistObject.ObjectType} object would have {length} bytes; an object holds at most {GistConstants.MaxObjectContentLength}", nameof(gistObject));
        }

        return length;
    }

    private static int PathCoupledLength(GistPathCoupledMri mri)
    {
        if (mri.Protocol is null && (mri.Spi is not null || mri.SourcePort is not null || mri.DestinationPort is not null))
        {
            throw new ArgumentException("a path-coupled MRI with an SPI or ports needs a protocol (S, A and B need P, RFC 5971 A.3.1.1)", nameof(mri));
        }

        return 16 + (mri.Spi is null ? 0 : 4) + (mri.SourcePort is null && mri.DestinationPort is null ? 0 : 4);
    }

    private static int ErrorObjectLength(GistErrorObject errorObject)
    {
        var mriLength = errorObject.Mri is null ? 0 : GetContentLength(errorObject.Mri);
        if (mriLength > 255 * 4)
        {
            throw new ArgumentException("the MRI in an Error object has at most 255 words (MRI Length is 8 bits)", nameof(errorObject));
        }

        var length = 16 + (errorObject.SessionId is null ? 0 : GistSessionId.Length) + mriLength;
        foreach (var info in errorObject.AdditionalInfo)
        {
            length += 4 + AdditionalInfoLength(info);
        }

        if (errorObject.DebugComment is not null)
        {
            length += GistObjectRules.Pad(Encoding.UTF8.GetByteCount(errorObject.DebugComment) + 1);
        }

        return length;
    }

    private static int AdditionalInfoLength(GistAdditionalInfo info) => info switch
    {
        GistMessageLengthInfo or GistMtuInfo or GistObjectTypeInfo => 4,
        GistObjectValueInfo value => 4 + value.OffendingObject.Length,
        GistUnknownAdditionalInfo unknown => unknown.Value.Length,
        _ => throw new ArgumentException($"{info.GetType().Name} is not an additional information field this codec writes", nameof(info)),
    };

    /// <summary>Writes header and value; <paramref name="destination"/> holds at least 4 + <paramref name="contentLength"/> bytes.</summary>
    internal static void WriteObject(GistObject gistObject, int contentLength, Span<byte> destination)
    {
        var action = gistObject switch
        {
            GistUnknownObject unknown => unknown.Action,
            GistNatTraversal nat => nat.Action,
            _ => GistObjectAction.Mandatory,
        };
        var type = gistObject is GistUnknownObject u ? u.TypeValue : (ushort)gistObject.ObjectType;
        new GistObjectHeader(action, type, (ushort)(contentLength / 4)).TryWrite(destination);
        var c = destination.Slice(GistConstants.ObjectHeaderLength, contentLength);
        c.Clear();
        WriteContent(gistObject, c);
    }

    private static void WriteContent(GistObject gistObject, Span<byte> c)
    {
        switch (gistObject)
        {
            case GistPathCoupledMri mri:
                c[0] = GistPathCoupledMri.Mrm;
                c[1] = (byte)(mri.NatTranslationNotNeeded ? 0x80 : 0);
                c[2] = (byte)((4 << 4) | (mri.Protocol is null ? 0 : PFlag) | (mri.DiffServCodePoint is null ? 0 : TFlag) | (mri.Spi is null ? 0 : SFlag));
                c[3] = (byte)((mri.SourcePort is null ? 0 : AFlag) | (mri.DestinationPort is null ? 0 : BFlag) | (mri.Upstream ? DFlag : 0));
                mri.SourceAddress.Write(c[4..]);
                mri.DestinationAddress.Write(c[8..]);
                c[12] = mri.SourcePrefixLength;
                c[13] = mri.DestinationPrefixLength;
                c[14] = mri.Protocol ?? 0;
                c[15] = (byte)((mri.DiffServCodePoint ?? 0) << 2);
                var position = 16;
                if (mri.Spi is { } spi)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(c[position..], spi);
                    position += 4;
                }

                if (mri.SourcePort is not null || mri.DestinationPort is not null)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(c[position..], mri.SourcePort ?? 0);
                    BinaryPrimitives.WriteUInt16BigEndian(c[(position + 2)..], mri.DestinationPort ?? 0);
                }

                break;
            case GistLooseEndMri mri:
                c[0] = GistLooseEndMri.Mrm;
                c[1] = (byte)(mri.NatTranslationNotNeeded ? 0x80 : 0);
                c[2] = (byte)((4 << 4) | (mri.Upstream ? LooseEndDFlag : 0));
                mri.SourceAddress.Write(c[4..]);
                mri.DestinationAddress.Write(c[8..]);
                break;
            case GistUnsupportedMri mri:
                mri.Content.Span.CopyTo(c);
                break;
            case GistSessionId sessionId:
                sessionId.WriteBytes(c);
                break;
            case GistNetworkLayerInformation nli:
                c[0] = (byte)nli.PeerIdentity.Length;
                c[1] = nli.IpTtl;
                c[2] = 4 << 4;
                BinaryPrimitives.WriteUInt32BigEndian(c[4..], nli.RoutingStateValidityTime);
                nli.PeerIdentity.Span.CopyTo(c[8..]);
                nli.InterfaceAddress.Write(c[(8 + GistObjectRules.Pad(nli.PeerIdentity.Length))..]);
                break;
            case GistStackProposal proposal:
                c[0] = (byte)proposal.Profiles.Count;
                var at = 4;
                foreach (var profile in proposal.Profiles)
                {
                    c[at] = (byte)profile.Protocols.Count;
                    profile.Protocols.AsSpan().CopyTo(c[(at + 1)..]);
                    at += GistObjectRules.Pad(1 + profile.Protocols.Count);
                }

                break;
            case GistStackConfigurationData configuration:
                c[0] = (byte)configuration.Options.Count;
                BinaryPrimitives.WriteUInt32BigEndian(c[4..], configuration.MaHoldTime);
                var next = 8;
                foreach (var option in configuration.Options)
                {
                    c[next] = option.ProtocolId;
                    c[next + 1] = option.Profile;
                    c[next + 2] = (byte)option.Data.Length;
                    c[next + 3] = option.DoNotUse ? MaOptionDFlag : (byte)0;
                    option.Data.Span.CopyTo(c[(next + 4)..]);
                    next += 4 + GistObjectRules.Pad(option.Data.Length);
                }

                break;
            case GistQueryCookie cookie:
                cookie.Value.Span.CopyTo(c);
                break;
            case GistResponderCookie cookie:
                cookie.Value.Span.CopyTo(c);
                break;
            case GistNatTraversal nat:
                nat.Content.Span.CopyTo(c);
                break;
            case GistNslpData data:
                data.Payload.Span.CopyTo(c);
                break;
            case GistErrorObject errorObject:
                WriteErrorObject(errorObject, c);
                break;
            case GistHelloId helloId:
                BinaryPrimitives.WriteUInt32BigEndian(c, helloId.Value);
                break;
            case GistUnknownObject unknown:
                unknown.Content.Span.CopyTo(c);
                break;
        }
    }

    private static void WriteErrorObject(GistErrorObject e, Span<byte> c)
    {
        c[0] = (byte)e.ErrorClass;
        BinaryPrimitives.WriteUInt16BigEndian(c[1..], (ushort)e.ErrorCode);
        c[3] = e.Subcode;
        var flags = (e.SessionId is null ? 0 : ErrorSFlag) | (e.Mri is null ? 0 : ErrorMFlag) | (e.DebugComment is null ? 0 : ErrorCFlag)
            | (e.DatagramMode ? ErrorDFlag : 0) | (e.QModeEncapsulated ? ErrorQFlag : 0);
        BinaryPrimitives.WriteUInt16BigEndian(c[4..], (ushort)flags);
        var mriLength = e.Mri is null ? 0 : GetContentLength(e.Mri);
        c[6] = (byte)(mriLength / 4);
        c[7] = (byte)e.AdditionalInfo.Count;
        e.OriginalHeader.TryWrite(c[8..]);
        var position = 16;
        if (e.SessionId is not null)
        {
            e.SessionId.WriteBytes(c[position..]);
            position += GistSessionId.Length;
        }

        if (e.Mri is not null)
        {
            WriteContent(e.Mri, c.Slice(position, mriLength));
            position += mriLength;
        }

        foreach (var info in e.AdditionalInfo)
        {
            var length = AdditionalInfoLength(info);
            BinaryPrimitives.WriteUInt16BigEndian(c[position..], info.AiType);
            BinaryPrimitives.WriteUInt16BigEndian(c[(position + 2)..], (ushort)(length / 4));
            var value = c.Slice(position + 4, length);
            switch (info)
            {
                case GistMessageLengthInfo messageLength:
                    BinaryPrimitives.WriteUInt16BigEndian(value, messageLength.CalculatedLength);
                    break;
                case GistMtuInfo mtu:
                    BinaryPrimitives.WriteUInt16BigEndian(value, mtu.LinkMtu);
                    break;
                case GistObjectTypeInfo objectType:
                    BinaryPrimitives.WriteUInt16BigEndian(value, objectType.ObjectType);
                    break;
                case GistObjectValueInfo objectValue:
                    BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)(objectValue.OffendingObject.Length / 4));
                    BinaryPrimitives.WriteUInt16BigEndian(value[2..], objectValue.Offset);
                    objectValue.OffendingObject.Span.CopyTo(value[4..]);
                    break;
                case GistUnknownAdditionalInfo unknown:
                    unknown.Value.Span.CopyTo(value);
                    break;
            }

            position += 4 + length;
        }

        if (e.DebugComment is not null)
        {
            Encoding.UTF8.GetBytes(e.DebugComment, c[position..]);
        }
    }
}
