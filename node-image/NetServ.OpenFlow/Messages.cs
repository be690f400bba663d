namespace NetServ.OpenFlow;

/// <summary>
/// An OpenFlow 1.3 message. <see cref="Xid"/> is the transaction id: a reply carries the id of its request.
/// </summary>
public abstract record OpenFlowMessage(uint Xid)
{
    public abstract OpenFlowMessageType Type { get; }
}

/// <summary>
/// OFPT_HELLO. <paramref name="Version"/> is the header's version, the highest the sender supports;
/// <paramref name="VersionBitmap"/> the first word of its OFPHET_VERSIONBITMAP element (bit n: wire version n),
/// or null if it sent none (OpenFlow 1.0 and some 1.3 peers).
/// </summary>
public sealed record HelloMessage(uint Xid, byte Version = OpenFlowConstants.Version13, uint? VersionBitmap = 1u << OpenFlowConstants.Version13) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.Hello;
}

/// <summary>OFPT_ERROR: <paramref name="Data"/> holds at least the first 64 bytes of the failed request (or text for HELLO_FAILED).</summary>
public sealed record ErrorMessage(uint Xid, OpenFlowErrorType ErrorType, ushort Code, OpenFlowBytes Data = default) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.Error;

    public override string ToString() => $"ERROR {ErrorType}/{CodeName} xid={Xid}";

    /// <summary>The code's name for the error types whose codes this library names, else the number.</summary>
    public string CodeName => ErrorType switch
    {
        OpenFlowErrorType.HelloFailed when Enum.IsDefined((OpenFlowHelloFailedCode)Code) => ((OpenFlowHelloFailedCode)Code).ToString(),
        OpenFlowErrorType.BadRequest when Enum.IsDefined((OpenFlowBadRequestCode)Code) => ((OpenFlowBadRequestCode)Code).ToString(),
        OpenFlowErrorType.FlowModFailed when Enum.IsDefined((OpenFlowFlowModFailedCode)Code) => ((OpenFlowFlowModFailedCode)Code).ToString(),
        _ => Code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>OFPT_ECHO_REQUEST, answered by an ECHO_REPLY with the same xid and data.</summary>
public sealed record EchoRequestMessage(uint Xid, OpenFlowBytes Data = default) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.EchoRequest;
}

/// <summary>OFPT_ECHO_REPLY.</summary>
public sealed record EchoReplyMessage(uint Xid, OpenFlowBytes Data = default) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.EchoReply;
}

/// <summary>OFPT_FEATURES_REQUEST.</summary>
public sealed record FeaturesRequestMessage(uint Xid) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.FeaturesRequest;
}

/// <summary>OFPT_FEATURES_REPLY (ofp_switch_features).</summary>
public sealed record FeaturesReplyMessage(uint Xid, ulong DatapathId, uint BufferCount, byte TableCount, byte AuxiliaryId, SwitchCapabilities Capabilities)
    : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.FeaturesReply;
}

/// <summary>OFPT_SET_CONFIG (ofp_switch_config): fragment handling and how many bytes of a packet a PACKET_IN carries.</summary>
public sealed record SetConfigMessage(uint Xid, FragmentHandling Flags, ushort MissSendLength) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.SetConfig;
}

/// <summary>OFPT_PACKET_IN: a packet the switch hands to the controller, with the fields it matched on (in_port at least).</summary>
public sealed record PacketInMessage(
    uint Xid, uint BufferId, ushort TotalLength, PacketInReason Reason, byte TableId, ulong Cookie, OpenFlowMatch Match, OpenFlowBytes Data)
    : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.PacketIn;
}

/// <summary>OFPT_PACKET_OUT: the controller sends a packet (its bytes, or a buffered one by id) through actions.</summary>
public sealed record PacketOutMessage(uint Xid, uint BufferId, uint InPort, ValueList<OpenFlowAction> Actions, OpenFlowBytes Data = default)
    : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.PacketOut;
}

/// <summary>OFPT_FLOW_MOD: add, modify or delete flow entries.</summary>
public sealed record FlowModMessage(uint Xid, FlowModCommand Command, OpenFlowMatch Match) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.FlowMod;

    public ulong Cookie { get; init; }

    /// <summary>For modify and delete: which cookie bits must equal <see cref="Cookie"/>; 0 ignores the cookie.</summary>
    public ulong CookieMask { get; init; }

    public byte TableId { get; init; }

    public ushort IdleTimeout { get; init; }

    public ushort HardTimeout { get; init; }

    public ushort Priority { get; init; } = 0x8000;

    /// <summary>A buffered packet to apply the flow to, or <see cref="OpenFlowConstants.NoBuffer"/>.</summary>
    public uint BufferId { get; init; } = OpenFlowConstants.NoBuffer;

    /// <summary>For delete: only flows that output to this port; <see cref="OpenFlowPort.Any"/> for all.</summary>
    public uint OutPort { get; init; } = OpenFlowPort.Any;

    /// <summary>For delete: only flows that output to this group; <see cref="OpenFlowConstants.AnyGroup"/> for all.</summary>
    public uint OutGroup { get; init; } = OpenFlowConstants.AnyGroup;

    public FlowModOptions Flags { get; init; }

    public ValueList<OpenFlowInstruction> Instructions { get; init; }
}

/// <summary>OFPT_FLOW_REMOVED: a flow expired or was deleted (sent when it had OFPFF_SEND_FLOW_REM).</summary>
public sealed record FlowRemovedMessage(
    uint Xid, ulong Cookie, ushort Priority, FlowRemovedReason Reason, byte TableId, uint DurationSeconds, uint DurationNanoseconds,
    ushort IdleTimeout, ushort HardTimeout, ulong PacketCount, ulong ByteCount, OpenFlowMatch Match)
    : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.FlowRemoved;
}

/// <summary>
/// One port of the switch (ofp_port). The four feature words (ofp_port_features bits: speeds, medium, pause) are
/// kept as numbers; speeds are in kbit/s.
/// </summary>
public sealed record PortDescription(
    uint PortNumber, EthernetAddress HardwareAddress, string Name, PortConfig Config, PortState State,
    uint CurrentFeatures, uint AdvertisedFeatures, uint SupportedFeatures, uint PeerFeatures, uint CurrentSpeed, uint MaxSpeed)
{
    /// <summary>The port can carry traffic: neither configured down nor without link.</summary>
    public bool IsUp => (Config & PortConfig.PortDown) == 0 && (State & PortState.LinkDown) == 0;
}

/// <summary>OFPT_PORT_STATUS: the switch tells of a port added, deleted or changed (link down or up, configured down).</summary>
public sealed record PortStatusMessage(uint Xid, PortStatusReason Reason, PortDescription Port) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.PortStatus;
}

/// <summary>OFPT_BARRIER_REQUEST: the switch answers once it has processed every earlier message.</summary>
public sealed record BarrierRequestMessage(uint Xid) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.BarrierRequest;
}

/// <summary>OFPT_BARRIER_REPLY.</summary>
public sealed record BarrierReplyMessage(uint Xid) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.BarrierReply;
}

/// <summary>An OFPT_MULTIPART_REQUEST; the body depends on <see cref="MultipartType"/>.</summary>
public abstract record MultipartRequestMessage(uint Xid, MultipartOptions Flags) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.MultipartRequest;

    public abstract MultipartType MultipartType { get; }
}

/// <summary>OFPMP_FLOW request (ofp_flow_stats_request): statistics of the flows that match the filter.</summary>
public sealed record FlowStatsRequestMessage(uint Xid, OpenFlowMatch Match, MultipartOptions Flags = MultipartOptions.None) : MultipartRequestMessage(Xid, Flags)
{
    public override MultipartType MultipartType => MultipartType.Flow;

    public byte TableId { get; init; } = OpenFlowConstants.AllTables;

    public uint OutPort { get; init; } = OpenFlowPort.Any;

    public uint OutGroup { get; init; } = OpenFlowConstants.AnyGroup;

    public ulong Cookie { get; init; }

    public ulong CookieMask { get; init; }
}

/// <summary>OFPMP_PORT_STATS request (ofp_port_stats_request): one port, or <see cref="OpenFlowPort.Any"/> for all.</summary>
public sealed record PortStatsRequestMessage(uint Xid, uint PortNumber = OpenFlowPort.Any, MultipartOptions Flags = MultipartOptions.None) : MultipartRequestMessage(Xid, Flags)
{
    public override MultipartType MultipartType => MultipartType.PortStats;
}

/// <summary>OFPMP_PORT_DESC request: the descriptions of every port; its body is empty.</summary>
public sealed record PortDescriptionRequestMessage(uint Xid, MultipartOptions Flags = MultipartOptions.None) : MultipartRequestMessage(Xid, Flags)
{
    public override MultipartType MultipartType => MultipartType.PortDescription;
}

/// <summary>A multipart request of a type this library does not model, with its body as it came.</summary>
public sealed record UnparsedMultipartRequestMessage(uint Xid, MultipartType Kind, MultipartOptions Flags, OpenFlowBytes Body) : MultipartRequestMessage(Xid, Flags)
{
    public override MultipartType MultipartType => Kind;
}

/// <summary>An OFPT_MULTIPART_REPLY; with <see cref="MultipartOptions.More"/>, more parts with the same xid follow.</summary>
public abstract record MultipartReplyMessage(uint Xid, MultipartOptions Flags) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => OpenFlowMessageType.MultipartReply;

    public abstract MultipartType MultipartType { get; }
}

/// <summary>One flow's statistics (ofp_flow_stats).</summary>
public sealed record FlowStats(
    byte TableId, uint DurationSeconds, uint DurationNanoseconds, ushort Priority, ushort IdleTimeout, ushort HardTimeout,
    FlowModOptions Flags, ulong Cookie, ulong PacketCount, ulong ByteCount, OpenFlowMatch Match, ValueList<OpenFlowInstruction> Instructions);

/// <summary>OFPMP_FLOW reply.</summary>
public sealed record FlowStatsReplyMessage(uint Xid, ValueList<FlowStats> Flows, MultipartOptions Flags = MultipartOptions.None) : MultipartReplyMessage(Xid, Flags)
{
    public override MultipartType MultipartType => MultipartType.Flow;
}

/// <summary>One port's counters (ofp_port_stats); counters a switch does not keep are all ones.</summary>
public sealed record PortStats(
    uint PortNumber, ulong RxPackets, ulong TxPackets, ulong RxBytes, ulong TxBytes, ulong RxDropped, ulong TxDropped,
    ulong RxErrors, ulong TxErrors, ulong RxFrameErrors, ulong RxOverrunErrors, ulong RxCrcErrors, ulong Collisions,
    uint DurationSeconds, uint DurationNanoseconds);

/// <summary>OFPMP_PORT_STATS reply.</summary>
public sealed record PortStatsReplyMessage(uint Xid, ValueList<PortStats> Ports, MultipartOptions Flags = MultipartOptions.None) : MultipartReplyMessage(Xid, Flags)
{
    public override MultipartType MultipartType => MultipartType.PortStats;
}

/// <summary>OFPMP_PORT_DESC reply: an array of ofp_port.</summary>
public sealed record PortDescriptionReplyMessage(uint Xid, ValueList<PortDescription> Ports, MultipartOptions Flags = MultipartOptions.None) : MultipartReplyMessage(Xid, Flags)
{
    public override MultipartType MultipartType => MultipartType.PortDescription;
}

/// <summary>A multipart reply of a type this library does not model (tables, groups), with its body as it came.</summary>
public sealed record UnparsedMultipartReplyMessage(uint Xid, MultipartType Kind, MultipartOptions Flags, OpenFlowBytes Body) : MultipartReplyMessage(Xid, Flags)
{
    public override MultipartType MultipartType => Kind;
}

/// <summary>
/// A message of a defined OpenFlow 1.3 type this library does not model (ROLE_REPLY, GET_ASYNC_REPLY, ...), with the
/// body after the header as it came: a switch sends some of these unasked, and they must not end the connection.
/// </summary>
public sealed record UnparsedMessage(uint Xid, OpenFlowMessageType Kind, OpenFlowBytes Body) : OpenFlowMessage(Xid)
{
    public override OpenFlowMessageType Type => Kind;
}
