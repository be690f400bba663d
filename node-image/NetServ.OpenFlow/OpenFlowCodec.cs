using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NetServ.OpenFlow;

/// <summary>
/// Reads and writes whole OpenFlow 1.3 messages (OpenFlow Switch Specification 1.3.x, appendix A). Pure: bytes in,
/// values out. Decoding never throws: every malformed input gives an <see cref="OpenFlowError"/>. Padding bytes
/// are written as zeros and not checked on reading, as the specification asks of receivers; OXM fields, actions,
/// instructions and messages this library does not model are kept as they came rather than refused.
/// </summary>
public static class OpenFlowCodec
{
    private const int MatchHeaderLength = 4;
    private const ushort MatchTypeOxm = 1;
    private const int PacketInFixed = 16;
    private const int PacketOutFixed = 16;
    private const int FlowModFixed = 40;
    private const int FlowRemovedFixed = 40;
    private const int MultipartFixed = 8;
    private const int FlowStatsRequestFixed = 32;
    private const int FlowStatsFixed = 48;
    private const int PortStatsLength = 112;
    private const int FeaturesReplyBody = 24;
    private const int SwitchConfigBody = 4;
    private const int PortStatsRequestBody = 8;

    /// <summary>The length of <paramref name="length"/> bytes padded to a multiple of eight.</summary>
    public static int PaddedLength(int length) => (length + 7) & ~7;

    /// <summary>
    /// The header at the start of a stream: how a TCP stream is cut into messages. False if fewer than eight bytes
    /// are given.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out OpenFlowHeader header) => OpenFlowHeader.TryRead(source, out header);

    /// <summary>Decodes exactly one message that fills <paramref name="input"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, [NotNullWhen(true)] out OpenFlowMessage? message, out OpenFlowError error)
    {
        message = null;
        if (!OpenFlowHeader.TryRead(input, out var header))
        {
            error = new(OpenFlowErrorKind.Truncated, $"{input.Length} bytes, too few for the header", 0);
            return false;
        }

        if (header.Length < OpenFlowConstants.HeaderLength || header.Length != input.Length)
        {
            error = new(OpenFlowErrorKind.BadMessageLength, $"the header says {header.Length} bytes, the message has {input.Length}", 2);
            return false;
        }

        if (header.Type > OpenFlowMessageType.MeterMod)
        {
            error = new(OpenFlowErrorKind.UnknownMessageType, $"type {(byte)header.Type} is not an OpenFlow 1.3 message type", 1);
            return false;
        }

        // A HELLO of any version is how a peer tells its versions; anything else must be 1.3 once negotiated.
        if (header.Type != OpenFlowMessageType.Hello && header.Version != OpenFlowConstants.Version13)
        {
            error = new(OpenFlowErrorKind.BadVersion, $"version 0x{header.Version:x2} is not OpenFlow 1.3 (0x04)", 0);
            return false;
        }

        var body = new Reader(input, OpenFlowConstants.HeaderLength);
        error = default;
        message = header.Type switch
        {
            OpenFlowMessageType.Hello => ReadHello(header, body, ref error),
            OpenFlowMessageType.Error => ReadError(header, body, ref error),
            OpenFlowMessageType.EchoRequest => new EchoRequestMessage(header.Xid, body.Rest()),
            OpenFlowMessageType.EchoReply => new EchoReplyMessage(header.Xid, body.Rest()),
            OpenFlowMessageType.FeaturesRequest => Empty(body, new FeaturesRequestMessage(header.Xid), ref error),
            OpenFlowMessageType.FeaturesReply => ReadFeaturesReply(header, body, ref error),
            OpenFlowMessageType.SetConfig => ReadSetConfig(header, body, ref error),
            OpenFlowMessageType.PacketIn => ReadPacketIn(header, body, ref error),
            OpenFlowMessageType.PacketOut => ReadPacketOut(header, body, ref error),
            OpenFlowMessageType.FlowMod => ReadFlowMod(header, body, ref error),
            OpenFlowMessageType.FlowRemoved => ReadFlowRemoved(header, body, ref error),
            OpenFlowMessageType.PortStatus => ReadPortStatus(header, body, ref error),
            OpenFlowMessageType.BarrierRequest => Empty(body, new BarrierRequestMessage(header.Xid), ref error),
            OpenFlowMessageType.BarrierReply => Empty(body, new BarrierReplyMessage(header.Xid), ref error),
            OpenFlowMessageType.MultipartRequest => ReadMultipartRequest(header, body, ref error),
            OpenFlowMessageType.MultipartReply => ReadMultipartReply(header, body, ref error),
            _ => new UnparsedMessage(header.Xid, header.Type, body.Rest()),
        };
        return message is not null;
    }

    /// <summary>The bytes <paramref name="message"/> takes on the wire.</summary>
    /// <exception cref="ArgumentException">The message cannot be encoded (longer than 65535 bytes, a masked set-field).</exception>
    public static int GetEncodedLength(OpenFlowMessage message)
    {
        var writer = OpenFlowWriter.Measuring();
        Write(ref writer, message);
        return writer.Position;
    }

    /// <summary>Writes <paramref name="message"/>; false if the destination is too short.</summary>
    /// <exception cref="ArgumentException">The message cannot be encoded (longer than 65535 bytes, a masked set-field).</exception>
    public static bool TryEncode(OpenFlowMessage message, Span<byte> destination, out int written)
    {
        written = 0;
        var length = GetEncodedLength(message);
        if (destination.Length < length)
        {
            return false;
        }

        var writer = OpenFlowWriter.Into(destination);
        Write(ref writer, message);
        written = writer.Position;
        return true;
    }

    /// <summary>Writes <paramref name="message"/> into <paramref name="output"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">The message cannot be encoded (longer than 65535 bytes, a masked set-field).</exception>
    public static int Encode(OpenFlowMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var length = GetEncodedLength(message);
        var writer = OpenFlowWriter.Into(output.GetSpan(length));
        Write(ref writer, message);
        output.Advance(length);
        return length;
    }

    /// <summary>The message's bytes in a new array.</summary>
    /// <exception cref="ArgumentException">The message cannot be encoded (longer than 65535 bytes, a masked set-field).</exception>
    public static byte[] Encode(OpenFlowMessage message)
    {
        var bytes = new byte[GetEncodedLength(message)];
        var writer = OpenFlowWriter.Into(bytes);
        Write(ref writer, message);
        return bytes;
    }

    /// <summary>
    /// Decodes a standalone ofp_match (with its padding) at the start of <paramref name="input"/>;
    /// <paramref name="consumed"/> is its padded length.
    /// </summary>
    public static bool TryDecodeMatch(ReadOnlySpan<byte> input, [NotNullWhen(true)] out OpenFlowMatch? match, out int consumed, out OpenFlowError error)
    {
        var reader = new Reader(input, 0);
        error = default;
        match = ReadMatch(ref reader, ref error);
        consumed = reader.Position;
        return match is not null;
    }

    private static OpenFlowMessage? Empty(Reader body, OpenFlowMessage message, ref OpenFlowError error) =>
        body.Remaining == 0 ? message : Fail<OpenFlowMessage>(ref error, OpenFlowErrorKind.BadMessageLength, $"a {message.Type} has no body, this one has {body.Remaining} bytes", body.Offset);

    private static HelloMessage? ReadHello(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        uint? bitmap = null;
        while (body.Remaining > 0)
        {
            var at = body.Offset;
            if (body.Remaining < 4)
            {
                return Fail<HelloMessage>(ref error, OpenFlowErrorKind.BadLength, $"{body.Remaining} bytes, too few for a HELLO element header", at);
            }

            var type = body.U16();
            var length = body.U16();
            if (length < 4 || length - 4 > body.Remaining)
            {
                return Fail<HelloMessage>(ref error, OpenFlowErrorKind.BadLength, $"a HELLO element of length {length} with {body.Remaining + 4} bytes left", at);
            }

            var content = body.Take(length - 4);

            // Unknown element types are ignored (OpenFlow 1.3 7.5.1); the last element may lack its padding.
            if (type == OpenFlowConstants.HelloElementVersionBitmap)
            {
                if (content.Remaining % 4 != 0 || content.Remaining == 0)
                {
                    return Fail<HelloMessage>(ref error, OpenFlowErrorKind.BadLength, $"a version bitmap of {content.Remaining} bytes is not a whole number of 32-bit words", at);
                }

                bitmap = content.U32();
            }

            body.Skip(Math.Min(PaddedLength(length) - length, body.Remaining));
        }

        return new HelloMessage(header.Xid, header.Version, bitmap);
    }

    private static ErrorMessage? ReadError(OpenFlowHeader header, Reader body, ref OpenFlowError error) =>
        body.Remaining < 4
            ? Fail<ErrorMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for an error's type and code", body.Offset)
            : new ErrorMessage(header.Xid, (OpenFlowErrorType)body.U16(), body.U16(), body.Rest());

    private static FeaturesReplyMessage? ReadFeaturesReply(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        if (body.Remaining != FeaturesReplyBody)
        {
            return Fail<FeaturesReplyMessage>(ref error, OpenFlowErrorKind.BadMessageLength, $"a FEATURES_REPLY body is {FeaturesReplyBody} bytes, this one {body.Remaining}", body.Offset);
        }

        var datapath = body.U64();
        var buffers = body.U32();
        var tables = body.U8();
        var auxiliary = body.U8();
        body.Skip(2);
        var capabilities = (SwitchCapabilities)body.U32();
        return new FeaturesReplyMessage(header.Xid, datapath, buffers, tables, auxiliary, capabilities);
    }

    private static SetConfigMessage? ReadSetConfig(OpenFlowHeader header, Reader body, ref OpenFlowError error) =>
        body.Remaining != SwitchConfigBody
            ? Fail<SetConfigMessage>(ref error, OpenFlowErrorKind.BadMessageLength, $"a SET_CONFIG body is {SwitchConfigBody} bytes, this one {body.Remaining}", body.Offset)
            : new SetConfigMessage(header.Xid, (FragmentHandling)body.U16(), body.U16());

    private static PacketInMessage? ReadPacketIn(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        if (body.Remaining < PacketInFixed)
        {
            return Fail<PacketInMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a PACKET_IN", body.Offset);
        }

        var bufferId = body.U32();
        var totalLength = body.U16();
        var reason = (PacketInReason)body.U8();
        var tableId = body.U8();
        var cookie = body.U64();
        if (ReadMatch(ref body, ref error) is not { } match)
        {
            return null;
        }

        if (body.Remaining < 2)
        {
            return Fail<PacketInMessage>(ref error, OpenFlowErrorKind.Truncated, "the PACKET_IN ends before the 2 bytes of padding that precede the frame", body.Offset);
        }

        body.Skip(2);
        return new PacketInMessage(header.Xid, bufferId, totalLength, reason, tableId, cookie, match, body.Rest());
    }

    private static PacketOutMessage? ReadPacketOut(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        if (body.Remaining < PacketOutFixed)
        {
            return Fail<PacketOutMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a PACKET_OUT", body.Offset);
        }

        var bufferId = body.U32();
        var inPort = body.U32();
        var actionsLength = body.U16();
        body.Skip(6);
        if (actionsLength > body.Remaining)
        {
            return Fail<PacketOutMessage>(ref error, OpenFlowErrorKind.BadLength, $"actions_len {actionsLength} runs past the message ({body.Remaining} bytes left)", body.Offset - 8);
        }

        var actionBytes = body.Take(actionsLength);
        return ReadActions(actionBytes, ref error) is { } actions
            ? new PacketOutMessage(header.Xid, bufferId, inPort, actions, body.Rest())
            : null;
    }

    private static FlowModMessage? ReadFlowMod(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        if (body.Remaining < FlowModFixed)
        {
            return Fail<FlowModMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a FLOW_MOD", body.Offset);
        }

        var cookie = body.U64();
        var cookieMask = body.U64();
        var tableId = body.U8();
        var commandAt = body.Offset;
        var command = (FlowModCommand)body.U8();
        if (command > FlowModCommand.DeleteStrict)
        {
            return Fail<FlowModMessage>(ref error, OpenFlowErrorKind.BadValue, $"flow_mod command {(byte)command} is not defined", commandAt);
        }

        var idle = body.U16();
        var hard = body.U16();
        var priority = body.U16();
        var bufferId = body.U32();
        var outPort = body.U32();
        var outGroup = body.U32();
        var flags = (FlowModOptions)body.U16();
        body.Skip(2);
        if (ReadMatch(ref body, ref error) is not { } match || ReadInstructions(body, ref error) is not { } instructions)
        {
            return null;
        }

        return new FlowModMessage(header.Xid, command, match)
        {
            Cookie = cookie, CookieMask = cookieMask, TableId = tableId, IdleTimeout = idle, HardTimeout = hard, Priority = priority,
            BufferId = bufferId, OutPort = outPort, OutGroup = outGroup, Flags = flags, Instructions = instructions,
        };
    }

    private static FlowRemovedMessage? ReadFlowRemoved(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        if (body.Remaining < FlowRemovedFixed)
        {
            return Fail<FlowRemovedMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a FLOW_REMOVED", body.Offset);
        }

        var cookie = body.U64();
        var priority = body.U16();
        var reason = (FlowRemovedReason)body.U8();
        var tableId = body.U8();
        var seconds = body.U32();
        var nanoseconds = body.U32();
        var idle = body.U16();
        var hard = body.U16();
        var packets = body.U64();
        var bytes = body.U64();
        if (ReadMatch(ref body, ref error) is not { } match)
        {
            return null;
        }

        return body.Remaining != 0
            ? Fail<FlowRemovedMessage>(ref error, OpenFlowErrorKind.BadMessageLength, $"{body.Remaining} bytes follow the FLOW_REMOVED's match", body.Offset)
            : new FlowRemovedMessage(header.Xid, cookie, priority, reason, tableId, seconds, nanoseconds, idle, hard, packets, bytes, match);
    }

    private static PortStatusMessage? ReadPortStatus(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        const int bodyLength = OpenFlowConstants.PortStatusLength - OpenFlowConstants.HeaderLength;
        if (body.Remaining != bodyLength)
        {
            return Fail<PortStatusMessage>(ref error, body.Remaining < bodyLength ? OpenFlowErrorKind.Truncated : OpenFlowErrorKind.BadMessageLength, $"a PORT_STATUS body is {bodyLength} bytes, this one {body.Remaining}", body.Offset);
        }

        var reasonAt = body.Offset;
        var reason = (PortStatusReason)body.U8();
        if (reason > PortStatusReason.Modify)
        {
            return Fail<PortStatusMessage>(ref error, OpenFlowErrorKind.BadValue, $"port status reason {(byte)reason} is not defined", reasonAt);
        }

        body.Skip(7);
        return new PortStatusMessage(header.Xid, reason, ReadPort(ref body));
    }

    /// <summary>One ofp_port; the caller has checked that <see cref="OpenFlowConstants.PortLength"/> bytes are there.</summary>
    private static PortDescription ReadPort(ref Reader body)
    {
        var number = body.U32();
        body.Skip(4);
        var mac = body.Bytes(6);
        body.Skip(2);
        var name = body.Bytes(OpenFlowConstants.MaxPortNameLength).Span;
        var end = name.IndexOf((byte)0);
        var text = System.Text.Encoding.ASCII.GetString(end < 0 ? name : name[..end]);
        return new PortDescription(
            number, EthernetAddress.Read(mac.Span), text, (PortConfig)body.U32(), (PortState)body.U32(),
            body.U32(), body.U32(), body.U32(), body.U32(), body.U32(), body.U32());
    }

    private static MultipartRequestMessage? ReadMultipartRequest(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        if (body.Remaining < MultipartFixed)
        {
            return Fail<MultipartRequestMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a multipart request", body.Offset);
        }

        var type = (MultipartType)body.U16();
        var flags = (MultipartOptions)body.U16();
        body.Skip(4);
        switch (type)
        {
            case MultipartType.Flow:
                if (body.Remaining < FlowStatsRequestFixed)
                {
                    return Fail<MultipartRequestMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a flow statistics request", body.Offset);
                }

                var tableId = body.U8();
                body.Skip(3);
                var outPort = body.U32();
                var outGroup = body.U32();
                body.Skip(4);
                var cookie = body.U64();
                var cookieMask = body.U64();
                if (ReadMatch(ref body, ref error) is not { } match)
                {
                    return null;
                }

                return body.Remaining != 0
                    ? Fail<MultipartRequestMessage>(ref error, OpenFlowErrorKind.BadMessageLength, $"{body.Remaining} bytes follow the flow statistics request's match", body.Offset)
                    : new FlowStatsRequestMessage(header.Xid, match, flags)
                    {
                        TableId = tableId, OutPort = outPort, OutGroup = outGroup, Cookie = cookie, CookieMask = cookieMask,
                    };
            case MultipartType.PortStats:
                if (body.Remaining != PortStatsRequestBody)
                {
                    return Fail<MultipartRequestMessage>(ref error, OpenFlowErrorKind.BadMessageLength, $"a port statistics request body is {PortStatsRequestBody} bytes, this one {body.Remaining}", body.Offset);
                }

                return new PortStatsRequestMessage(header.Xid, body.U32(), flags);
            case MultipartType.PortDescription:
                return body.Remaining != 0
                    ? Fail<MultipartRequestMessage>(ref error, OpenFlowErrorKind.BadMessageLength, $"a port description request has no body, this one has {body.Remaining} bytes", body.Offset)
                    : new PortDescriptionRequestMessage(header.Xid, flags);
            default:
                return new UnparsedMultipartRequestMessage(header.Xid, type, flags, body.Rest());
        }
    }

    private static MultipartReplyMessage? ReadMultipartReply(OpenFlowHeader header, Reader body, ref OpenFlowError error)
    {
        if (body.Remaining < MultipartFixed)
        {
            return Fail<MultipartReplyMessage>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a multipart reply", body.Offset);
        }

        var type = (MultipartType)body.U16();
        var flags = (MultipartOptions)body.U16();
        body.Skip(4);
        switch (type)
        {
            case MultipartType.Flow:
                var flows = new List<FlowStats>();
                while (body.Remaining > 0)
                {
                    if (ReadFlowStats(ref body, ref error) is not { } flow)
                    {
                        return null;
                    }

                    flows.Add(flow);
                }

                return new FlowStatsReplyMessage(header.Xid, new ValueList<FlowStats>([.. flows]), flags);
            case MultipartType.PortStats:
                if (body.Remaining % PortStatsLength != 0)
                {
                    return Fail<MultipartReplyMessage>(ref error, OpenFlowErrorKind.BadLength, $"a port statistics reply body of {body.Remaining} bytes is not a whole number of {PortStatsLength}-byte entries", body.Offset);
                }

                var ports = new PortStats[body.Remaining / PortStatsLength];
                for (var i = 0; i < ports.Length; i++)
                {
                    var port = body.U32();
                    body.Skip(4);
                    ports[i] = new PortStats(
                        port, body.U64(), body.U64(), body.U64(), body.U64(), body.U64(), body.U64(), body.U64(), body.U64(),
                        body.U64(), body.U64(), body.U64(), body.U64(), body.U32(), body.U32());
                }

                return new PortStatsReplyMessage(header.Xid, new ValueList<PortStats>(ports), flags);
            case MultipartType.PortDescription:
                if (body.Remaining % OpenFlowConstants.PortLength != 0)
                {
                    return Fail<MultipartReplyMessage>(ref error, OpenFlowErrorKind.BadLength, $"a port description reply body of {body.Remaining} bytes is not a whole number of {OpenFlowConstants.PortLength}-byte ports", body.Offset);
                }

                var descriptions = new PortDescription[body.Remaining / OpenFlowConstants.PortLength];
                for (var i = 0; i < descriptions.Length; i++)
                {
                    descriptions[i] = ReadPort(ref body);
                }

                return new PortDescriptionReplyMessage(header.Xid, new ValueList<PortDescription>(descriptions), flags);
            default:
                return new UnparsedMultipartReplyMessage(header.Xid, type, flags, body.Rest());
        }
    }

    private static FlowStats? ReadFlowStats(ref Reader body, ref OpenFlowError error)
    {
        var at = body.Offset;
        if (body.Remaining < FlowStatsFixed)
        {
            return Fail<FlowStats>(ref error, OpenFlowErrorKind.Truncated, $"{body.Remaining} bytes, too few for a flow statistics entry", at);
        }

        var length = body.U16();
        if (length < FlowStatsFixed || length - 2 > body.Remaining)
        {
            return Fail<FlowStats>(ref error, OpenFlowErrorKind.BadLength, $"a flow statistics entry of length {length} with {body.Remaining + 2} bytes left", at);
        }

        var entry = body.Take(length - 2);
        var tableId = entry.U8();
        entry.Skip(1);
        var seconds = entry.U32();
        var nanoseconds = entry.U32();
        var priority = entry.U16();
        var idle = entry.U16();
        var hard = entry.U16();
        var flags = (FlowModOptions)entry.U16();
        entry.Skip(4);
        var cookie = entry.U64();
        var packets = entry.U64();
        var bytes = entry.U64();
        if (ReadMatch(ref entry, ref error) is not { } match || ReadInstructions(entry, ref error) is not { } instructions)
        {
            return null;
        }

        return new FlowStats(tableId, seconds, nanoseconds, priority, idle, hard, flags, cookie, packets, bytes, match, instructions);
    }

    private static OpenFlowMatch? ReadMatch(ref Reader reader, ref OpenFlowError error)
    {
        var at = reader.Offset;
        if (reader.Remaining < MatchHeaderLength)
        {
            return Fail<OpenFlowMatch>(ref error, OpenFlowErrorKind.Truncated, $"{reader.Remaining} bytes, too few for a match", at);
        }

        var type = reader.U16();
        var length = reader.U16();
        if (type != MatchTypeOxm)
        {
            return Fail<OpenFlowMatch>(ref error, OpenFlowErrorKind.BadMatch, $"match type {type} is not OFPMT_OXM (1)", at);
        }

        if (length < MatchHeaderLength || PaddedLength(length) - MatchHeaderLength > reader.Remaining)
        {
            return Fail<OpenFlowMatch>(ref error, OpenFlowErrorKind.BadLength, $"a match of length {length} (padded {PaddedLength(length)}) with {reader.Remaining + MatchHeaderLength} bytes left", at);
        }

        var oxms = reader.Take(length - MatchHeaderLength);
        reader.Skip(PaddedLength(length) - length);
        var fields = new List<Oxm>();
        while (oxms.Remaining > 0)
        {
            var oxmAt = oxms.Offset;
            if (ReadOxm(ref oxms, ref error) is not { } oxm)
            {
                return null;
            }

            foreach (var earlier in fields)
            {
                if (earlier.Class == oxm.Class && earlier.Field == oxm.Field)
                {
                    return Fail<OpenFlowMatch>(ref error, OpenFlowErrorKind.BadMatch, $"{oxm} appears twice in a match", oxmAt);
                }
            }

            fields.Add(oxm);
        }

        return fields.Count == 0 ? OpenFlowMatch.Any : new OpenFlowMatch(new ValueList<Oxm>([.. fields]));
    }

    private static Oxm? ReadOxm(ref Reader reader, ref OpenFlowError error)
    {
        var at = reader.Offset;
        if (reader.Remaining < Oxm.HeaderLength)
        {
            return FailValue<Oxm>(ref error, OpenFlowErrorKind.BadLength, $"{reader.Remaining} bytes, too few for an OXM header", at);
        }

        var oxmClass = (OxmClass)reader.U16();
        var fieldAndMask = reader.U8();
        var length = reader.U8();
        var field = (byte)(fieldAndMask >> 1);
        var hasMask = (fieldAndMask & 1) != 0;
        if (length > reader.Remaining)
        {
            return FailValue<Oxm>(ref error, OpenFlowErrorKind.BadLength, $"an OXM of {length} bytes with {reader.Remaining} left", at);
        }

        var expected = oxmClass == OxmClass.OpenFlowBasic ? Oxm.BasicValueLength(field) : 0;
        var valueLength = hasMask ? length / 2 : length;
        if ((hasMask && length % 2 != 0) || (expected != 0 && valueLength != expected))
        {
            return FailValue<Oxm>(ref error, OpenFlowErrorKind.BadMatch, $"OXM {(OxmField)field} of class {oxmClass} has length {length}{(hasMask ? " with a mask" : string.Empty)}", at);
        }

        var payload = reader.Take(length);
        return new Oxm(oxmClass, field, payload.Bytes(valueLength), hasMask ? payload.Rest() : default);
    }

    private static ValueList<OpenFlowInstruction>? ReadInstructions(Reader reader, ref OpenFlowError error)
    {
        var instructions = new List<OpenFlowInstruction>();
        while (reader.Remaining > 0)
        {
            var at = reader.Offset;
            if (reader.Remaining < 8)
            {
                return FailValue<ValueList<OpenFlowInstruction>>(ref error, OpenFlowErrorKind.BadInstruction, $"{reader.Remaining} bytes, too few for an instruction", at);
            }

            var type = (InstructionType)reader.U16();
            var length = reader.U16();
            if (length < 8 || length % 8 != 0 || length - 4 > reader.Remaining)
            {
                return FailValue<ValueList<OpenFlowInstruction>>(ref error, OpenFlowErrorKind.BadInstruction, $"a {type} instruction of length {length} with {reader.Remaining + 4} bytes left", at);
            }

            var content = reader.Take(length - 4);
            OpenFlowInstruction? instruction;
            switch (type)
            {
                case InstructionType.GotoTable when length == 8:
                    instruction = new GotoTableInstruction(content.U8());
                    break;
                case InstructionType.ClearActions when length == 8:
                    instruction = new ClearActionsInstruction();
                    break;
                case InstructionType.GotoTable or InstructionType.ClearActions:
                    return FailValue<ValueList<OpenFlowInstruction>>(ref error, OpenFlowErrorKind.BadInstruction, $"a {type} instruction is 8 bytes, this one {length}", at);
                case InstructionType.ApplyActions or InstructionType.WriteActions:
                    content.Skip(4);
                    if (ReadActions(content, ref error) is not { } actions)
                    {
                        return null;
                    }

                    instruction = type == InstructionType.ApplyActions ? new ApplyActionsInstruction(actions) : new WriteActionsInstruction(actions);
                    break;
                default:
                    instruction = new UnparsedInstruction(type, content.Rest());
                    break;
            }

            instructions.Add(instruction);
        }

        return new ValueList<OpenFlowInstruction>([.. instructions]);
    }

    private static ValueList<OpenFlowAction>? ReadActions(Reader reader, ref OpenFlowError error)
    {
        var actions = new List<OpenFlowAction>();
        while (reader.Remaining > 0)
        {
            var at = reader.Offset;
            if (reader.Remaining < 8)
            {
                return FailValue<ValueList<OpenFlowAction>>(ref error, OpenFlowErrorKind.BadAction, $"{reader.Remaining} bytes, too few for an action", at);
            }

            var type = (ActionType)reader.U16();
            var length = reader.U16();
            if (length < 8 || length % 8 != 0 || length - 4 > reader.Remaining)
            {
                return FailValue<ValueList<OpenFlowAction>>(ref error, OpenFlowErrorKind.BadAction, $"a {type} action of length {length} with {reader.Remaining + 4} bytes left", at);
            }

            var content = reader.Take(length - 4);
            switch (type)
            {
                case ActionType.Output:
                    if (length != 16)
                    {
                        return FailValue<ValueList<OpenFlowAction>>(ref error, OpenFlowErrorKind.BadAction, $"an output action is 16 bytes, this one {length}", at);
                    }

                    actions.Add(new OutputAction(content.U32(), content.U16()));
                    break;
                case ActionType.SetField:
                    if (ReadOxm(ref content, ref error) is not { } field)
                    {
                        return null;
                    }

                    if (field.HasMask || PaddedLength(4 + Oxm.HeaderLength + field.PayloadLength) != length)
                    {
                        return FailValue<ValueList<OpenFlowAction>>(ref error, OpenFlowErrorKind.BadAction, $"a set-field action of length {length} holding {field} (no mask allowed, padded to 8)", at);
                    }

                    actions.Add(new SetFieldAction(field));
                    break;
                default:
                    actions.Add(new UnparsedAction(type, content.Rest()));
                    break;
            }
        }

        return new ValueList<OpenFlowAction>([.. actions]);
    }

    private static T? Fail<T>(ref OpenFlowError error, OpenFlowErrorKind kind, string reason, int offset)
        where T : class
    {
        error = new OpenFlowError(kind, reason, offset);
        return null;
    }

    private static T? FailValue<T>(ref OpenFlowError error, OpenFlowErrorKind kind, string reason, int offset)
        where T : struct
    {
        error = new OpenFlowError(kind, reason, offset);
        return null;
    }

    private static void Write(ref OpenFlowWriter w, OpenFlowMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var version = message is HelloMessage hello ? hello.Version : OpenFlowConstants.Version13;
        w.U8(version);
        w.U8((byte)message.Type);
        w.U16(0);
        w.U32(message.Xid);
        switch (message)
        {
            case HelloMessage { VersionBitmap: { } bitmap }:
                w.U16(OpenFlowConstants.HelloElementVersionBitmap);
                w.U16(8);
                w.U32(bitmap);
                break;
            case HelloMessage:
            case FeaturesRequestMessage:
            case BarrierRequestMessage:
            case BarrierReplyMessage:
                break;
            case ErrorMessage e:
                w.U16((ushort)e.ErrorType);
                w.U16(e.Code);
                w.Bytes(e.Data.Span);
                break;
            case EchoRequestMessage e:
                w.Bytes(e.Data.Span);
                break;
            case EchoReplyMessage e:
                w.Bytes(e.Data.Span);
                break;
            case FeaturesReplyMessage f:
                w.U64(f.DatapathId);
                w.U32(f.BufferCount);
                w.U8(f.TableCount);
                w.U8(f.AuxiliaryId);
                w.Zeros(2);
                w.U32((uint)f.Capabilities);
                w.U32(0);
                break;
            case SetConfigMessage s:
                w.U16((ushort)s.Flags);
                w.U16(s.MissSendLength);
                break;
            case PacketInMessage p:
                w.U32(p.BufferId);
                w.U16(p.TotalLength);
                w.U8((byte)p.Reason);
                w.U8(p.TableId);
                w.U64(p.Cookie);
                WriteMatch(ref w, p.Match);
                w.Zeros(2);
                w.Bytes(p.Data.Span);
                break;
            case PacketOutMessage p:
                w.U32(p.BufferId);
                w.U32(p.InPort);
                var actionsLengthAt = w.Position;
                w.U16(0);
                w.Zeros(6);
                var actionsStart = w.Position;
                WriteActions(ref w, p.Actions);
                w.PatchU16(actionsLengthAt, w.Position - actionsStart, "the PACKET_OUT's actions");
                w.Bytes(p.Data.Span);
                break;
            case FlowModMessage f:
                w.U64(f.Cookie);
                w.U64(f.CookieMask);
                w.U8(f.TableId);
                w.U8((byte)f.Command);
                w.U16(f.IdleTimeout);
                w.U16(f.HardTimeout);
                w.U16(f.Priority);
                w.U32(f.BufferId);
                w.U32(f.OutPort);
                w.U32(f.OutGroup);
                w.U16((ushort)f.Flags);
                w.Zeros(2);
                WriteMatch(ref w, f.Match);
                WriteInstructions(ref w, f.Instructions);
                break;
            case FlowRemovedMessage f:
                w.U64(f.Cookie);
                w.U16(f.Priority);
                w.U8((byte)f.Reason);
                w.U8(f.TableId);
                w.U32(f.DurationSeconds);
                w.U32(f.DurationNanoseconds);
                w.U16(f.IdleTimeout);
                w.U16(f.HardTimeout);
                w.U64(f.PacketCount);
                w.U64(f.ByteCount);
                WriteMatch(ref w, f.Match);
                break;
            case PortStatusMessage p:
                w.U8((byte)p.Reason);
                w.Zeros(7);
                WritePort(ref w, p.Port);
                break;
            case MultipartRequestMessage m:
                WriteMultipartHeader(ref w, m.MultipartType, m.Flags);
                WriteMultipartRequestBody(ref w, m);
                break;
            case MultipartReplyMessage m:
                WriteMultipartHeader(ref w, m.MultipartType, m.Flags);
                WriteMultipartReplyBody(ref w, m);
                break;
            case UnparsedMessage u:
                w.Bytes(u.Body.Span);
                break;
            default:
                throw new ArgumentException($"{message.GetType().Name} cannot be encoded", nameof(message));
        }

        w.PatchU16(2, w.Position, $"the {message.Type} message");
    }

    private static void WriteMultipartHeader(ref OpenFlowWriter w, MultipartType type, MultipartOptions flags)
    {
        w.U16((ushort)type);
        w.U16((ushort)flags);
        w.Zeros(4);
    }

    private static void WriteMultipartRequestBody(ref OpenFlowWriter w, MultipartRequestMessage message)
    {
        switch (message)
        {
            case FlowStatsRequestMessage f:
                w.U8(f.TableId);
                w.Zeros(3);
                w.U32(f.OutPort);
                w.U32(f.OutGroup);
                w.Zeros(4);
                w.U64(f.Cookie);
                w.U64(f.CookieMask);
                WriteMatch(ref w, f.Match);
                break;
            case PortStatsRequestMessage p:
                w.U32(p.PortNumber);
                w.Zeros(4);
                break;
            case PortDescriptionRequestMessage:
                break;
            case UnparsedMultipartRequestMessage u:
                w.Bytes(u.Body.Span);
                break;
            default:
                throw new ArgumentException($"{message.GetType().Name} cannot be encoded", nameof(message));
        }
    }

    private static void WriteMultipartReplyBody(ref OpenFlowWriter w, MultipartReplyMessage message)
    {
        switch (message)
        {
            case FlowStatsReplyMessage f:
                foreach (var flow in f.Flows)
                {
                    var start = w.Position;
                    w.U16(0);
                    w.U8(flow.TableId);
                    w.Zeros(1);
                    w.U32(flow.DurationSeconds);
                    w.U32(flow.DurationNanoseconds);
                    w.U16(flow.Priority);
                    w.U16(flow.IdleTimeout);
                    w.U16(flow.HardTimeout);
                    w.U16((ushort)flow.Flags);
                    w.Zeros(4);
                    w.U64(flow.Cookie);
                    w.U64(flow.PacketCount);
                    w.U64(flow.ByteCount);
                    WriteMatch(ref w, flow.Match);
                    WriteInstructions(ref w, flow.Instructions);
                    w.PatchU16(start, w.Position - start, "a flow statistics entry");
                }

                break;
            case PortStatsReplyMessage p:
                foreach (var port in p.Ports)
                {
                    w.U32(port.PortNumber);
                    w.Zeros(4);
                    w.U64(port.RxPackets);
                    w.U64(port.TxPackets);
                    w.U64(port.RxBytes);
                    w.U64(port.TxBytes);
                    w.U64(port.RxDropped);
                    w.U64(port.TxDropped);
                    w.U64(port.RxErrors);
                    w.U64(port.TxErrors);
                    w.U64(port.RxFrameErrors);
                    w.U64(port.RxOverrunErrors);
                    w.U64(port.RxCrcErrors);
                    w.U64(port.Collisions);
                    w.U32(port.DurationSeconds);
                    w.U32(port.DurationNanoseconds);
                }

                break;
            case PortDescriptionReplyMessage p:
                foreach (var port in p.Ports)
                {
                    WritePort(ref w, port);
                }

                break;
            case UnparsedMultipartReplyMessage u:
                w.Bytes(u.Body.Span);
                break;
            default:
                throw new ArgumentException($"{message.GetType().Name} cannot be encoded", nameof(message));
        }
    }

    private static void WritePort(ref OpenFlowWriter w, PortDescription port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (port.Name.Length >= OpenFlowConstants.MaxPortNameLength || !System.Text.Ascii.IsValid(port.Name))
        {
            throw new ArgumentException($"port name '{port.Name}' is not ASCII of at most {OpenFlowConstants.MaxPortNameLength - 1} characters", nameof(port));
        }

        w.U32(port.PortNumber);
        w.Zeros(4);
        w.U16((ushort)(port.HardwareAddress.Value >> 32));
        w.U32((uint)port.HardwareAddress.Value);
        w.Zeros(2);
        foreach (var c in port.Name)
        {
            w.U8((byte)c);
        }

        w.Zeros(OpenFlowConstants.MaxPortNameLength - port.Name.Length);
        w.U32((uint)port.Config);
        w.U32((uint)port.State);
        w.U32(port.CurrentFeatures);
        w.U32(port.AdvertisedFeatures);
        w.U32(port.SupportedFeatures);
        w.U32(port.PeerFeatures);
        w.U32(port.CurrentSpeed);
        w.U32(port.MaxSpeed);
    }

    private static void WriteMatch(ref OpenFlowWriter w, OpenFlowMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var start = w.Position;
        w.U16(MatchTypeOxm);
        w.U16(0);
        foreach (var oxm in match.Fields)
        {
            WriteOxm(ref w, oxm);
        }

        w.PatchU16(start + 2, w.Position - start, "a match");
        w.PadTo8(start);
    }

    private static void WriteOxm(ref OpenFlowWriter w, Oxm oxm)
    {
        if (oxm.PayloadLength > byte.MaxValue || (oxm.HasMask && oxm.Mask.Length != oxm.Value.Length) || oxm.Field > 0x7f)
        {
            throw new ArgumentException($"OXM {oxm} cannot be encoded: field above 127, mask unlike the value, or more than 255 bytes");
        }

        w.U16((ushort)oxm.Class);
        w.U8((byte)((oxm.Field << 1) | (oxm.HasMask ? 1 : 0)));
        w.U8((byte)oxm.PayloadLength);
        w.Bytes(oxm.Value.Span);
        w.Bytes(oxm.Mask.Span);
    }

    private static void WriteInstructions(ref OpenFlowWriter w, ValueList<OpenFlowInstruction> instructions)
    {
        foreach (var instruction in instructions)
        {
            var start = w.Position;
            switch (instruction)
            {
                case GotoTableInstruction g:
                    w.U16((ushort)InstructionType.GotoTable);
                    w.U16(8);
                    w.U8(g.TableId);
                    w.Zeros(3);
                    break;
                case ApplyActionsInstruction a:
                    WriteActionsInstruction(ref w, InstructionType.ApplyActions, a.Actions);
                    break;
                case WriteActionsInstruction a:
                    WriteActionsInstruction(ref w, InstructionType.WriteActions, a.Actions);
                    break;
                case ClearActionsInstruction:
                    w.U16((ushort)InstructionType.ClearActions);
                    w.U16(8);
                    w.Zeros(4);
                    break;
                case UnparsedInstruction u:
                    w.U16((ushort)u.Type);
                    w.U16(0);
                    w.Bytes(u.Body.Span);
                    w.PadTo8(start);
                    w.PatchU16(start + 2, w.Position - start, "an instruction");
                    break;
                default:
                    throw new ArgumentException($"{instruction.GetType().Name} cannot be encoded", nameof(instructions));
            }
        }
    }

    private static void WriteActionsInstruction(ref OpenFlowWriter w, InstructionType type, ValueList<OpenFlowAction> actions)
    {
        var start = w.Position;
        w.U16((ushort)type);
        w.U16(0);
        w.Zeros(4);
        WriteActions(ref w, actions);
        w.PatchU16(start + 2, w.Position - start, $"a {type} instruction");
    }

    private static void WriteActions(ref OpenFlowWriter w, ValueList<OpenFlowAction> actions)
    {
        foreach (var action in actions)
        {
            var start = w.Position;
            switch (action)
            {
                case OutputAction o:
                    w.U16((ushort)ActionType.Output);
                    w.U16(16);
                    w.U32(o.Port);
                    w.U16(o.MaxLength);
                    w.Zeros(6);
                    break;
                case SetFieldAction s:
                    if (s.Field.HasMask)
                    {
                        throw new ArgumentException($"a set-field action takes no mask: {s.Field}", nameof(actions));
                    }

                    w.U16((ushort)ActionType.SetField);
                    w.U16(0);
                    WriteOxm(ref w, s.Field);
                    w.PadTo8(start);
                    w.PatchU16(start + 2, w.Position - start, "a set-field action");
                    break;
                case UnparsedAction u:
                    w.U16((ushort)u.Type);
                    w.U16(0);
                    w.Bytes(u.Body.Span);
                    w.PadTo8(start);
                    w.PatchU16(start + 2, w.Position - start, "an action");
                    break;
                default:
                    throw new ArgumentException($"{action.GetType().Name} cannot be encoded", nameof(actions));
            }
        }
    }

    /// <summary>A cursor over a bounded region of the input; <see cref="Offset"/> is relative to the whole message.</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _span;
        private readonly int _base;

        public Reader(ReadOnlySpan<byte> span, int position)
            : this(span, 0, position)
        {
        }

        private Reader(ReadOnlySpan<byte> span, int baseOffset, int position)
        {
            _span = span;
            _base = baseOffset;
            Position = position;
        }

        public int Position { get; private set; }

        public readonly int Remaining => _span.Length - Position;

        public readonly int Offset => _base + Position;

        public byte U8() => _span[Position++];

        public ushort U16()
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(_span[Position..]);
            Position += 2;
            return value;
        }

        public uint U32()
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(_span[Position..]);
            Position += 4;
            return value;
        }

        public ulong U64()
        {
            var value = BinaryPrimitives.ReadUInt64BigEndian(_span[Position..]);
            Position += 8;
            return value;
        }

        public void Skip(int count) => Position += count;

        /// <summary>A reader over the next <paramref name="count"/> bytes; this one moves past them.</summary>
        public Reader Take(int count)
        {
            var taken = new Reader(_span.Slice(Position, count), _base + Position, 0);
            Position += count;
            return taken;
        }

        public OpenFlowBytes Bytes(int count)
        {
            var bytes = new OpenFlowBytes(_span.Slice(Position, count));
            Position += count;
            return bytes;
        }

        public OpenFlowBytes Rest() => Bytes(Remaining);
    }
}
