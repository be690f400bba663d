namespace NetServ.OpenFlow;

/// <summary>Numbers fixed by the OpenFlow Switch Specification 1.3.x (wire protocol 0x04), section 7 and appendix A.</summary>
public static class OpenFlowConstants
{
    /// <summary>The wire version of OpenFlow 1.3 (ofp_header.version).</summary>
    public const byte Version13 = 0x04;

    /// <summary>The wire version of OpenFlow 1.0, the version older switches offer.</summary>
    public const byte Version10 = 0x01;

    /// <summary>sizeof(struct ofp_header).</summary>
    public const int HeaderLength = 8;

    /// <summary>The largest message the 16-bit length field can describe.</summary>
    public const int MaxMessageLength = ushort.MaxValue;

    /// <summary>OFP_NO_BUFFER: the packet is not buffered on the switch; the message carries all of it.</summary>
    public const uint NoBuffer = 0xffffffff;

    /// <summary>OFPG_ANY: any group (flow deletion and statistics filters).</summary>
    public const uint AnyGroup = 0xffffffff;

    /// <summary>OFPTT_ALL: every table (flow deletion and statistics filters).</summary>
    public const byte AllTables = 0xff;

    /// <summary>OFPCML_MAX: the largest max_len that asks for a specific number of bytes.</summary>
    public const ushort ControllerMaxLength = 0xffe5;

    /// <summary>OFPCML_NO_BUFFER: send the whole packet to the controller, do not buffer it.</summary>
    public const ushort ControllerNoBuffer = 0xffff;

    /// <summary>OFPHET_VERSIONBITMAP: the HELLO element that lists the versions a peer supports.</summary>
    public const ushort HelloElementVersionBitmap = 1;

    /// <summary>sizeof(struct ofp_port): one port's description in a PORT_STATUS and a PORT_DESC reply.</summary>
    public const int PortLength = 64;

    /// <summary>sizeof(struct ofp_port_status): header, reason, 7 bytes of padding and the port.</summary>
    public const int PortStatusLength = 80;

    /// <summary>OFP_MAX_PORT_NAME_LEN: a port's name with its terminating NUL.</summary>
    public const int MaxPortNameLength = 16;
}

/// <summary>Reserved port numbers (ofp_port_no).</summary>
public static class OpenFlowPort
{
    /// <summary>OFPP_MAX: the largest number of a physical or logical port.</summary>
    public const uint Max = 0xffffff00;

    /// <summary>OFPP_IN_PORT: send the packet out the port it came in on.</summary>
    public const uint InPort = 0xfffffff8;

    /// <summary>OFPP_TABLE: submit the packet to the first flow table (PACKET_OUT only).</summary>
    public const uint Table = 0xfffffff9;

    /// <summary>OFPP_NORMAL: forward with the switch's non-OpenFlow pipeline.</summary>
    public const uint Normal = 0xfffffffa;

    /// <summary>OFPP_FLOOD: every port but the ingress port and those with flooding disabled.</summary>
    public const uint Flood = 0xfffffffb;

    /// <summary>OFPP_ALL: every port but the ingress port.</summary>
    public const uint All = 0xfffffffc;

    /// <summary>OFPP_CONTROLLER: send to the controller as a PACKET_IN.</summary>
    public const uint Controller = 0xfffffffd;

    /// <summary>OFPP_LOCAL: the switch's local networking stack.</summary>
    public const uint Local = 0xfffffffe;

    /// <summary>OFPP_ANY: no port (wildcard in deletions and statistics, "none" as in_port of a PACKET_OUT).</summary>
    public const uint Any = 0xffffffff;
}

/// <summary>ofp_type: the message types of OpenFlow 1.3.</summary>
public enum OpenFlowMessageType : byte
{
    Hello = 0,
    Error = 1,
    EchoRequest = 2,
    EchoReply = 3,
    Experimenter = 4,
    FeaturesRequest = 5,
    FeaturesReply = 6,
    GetConfigRequest = 7,
    GetConfigReply = 8,
    SetConfig = 9,
    PacketIn = 10,
    FlowRemoved = 11,
    PortStatus = 12,
    PacketOut = 13,
    FlowMod = 14,
    GroupMod = 15,
    PortMod = 16,
    TableMod = 17,
    MultipartRequest = 18,
    MultipartReply = 19,
    BarrierRequest = 20,
    BarrierReply = 21,
    QueueGetConfigRequest = 22,
    QueueGetConfigReply = 23,
    RoleRequest = 24,
    RoleReply = 25,
    GetAsyncRequest = 26,
    GetAsyncReply = 27,
    SetAsync = 28,
    MeterMod = 29,
}

/// <summary>ofp_error_type: the error types of an ERROR message.</summary>
public enum OpenFlowErrorType : ushort
{
    HelloFailed = 0,
    BadRequest = 1,
    BadAction = 2,
    BadInstruction = 3,
    BadMatch = 4,
    FlowModFailed = 5,
    GroupModFailed = 6,
    PortModFailed = 7,
    TableModFailed = 8,
    QueueOpFailed = 9,
    SwitchConfigFailed = 10,
    RoleRequestFailed = 11,
    MeterModFailed = 12,
    TableFeaturesFailed = 13,
    Experimenter = 0xffff,
}

/// <summary>ofp_hello_failed_code.</summary>
public enum OpenFlowHelloFailedCode : ushort
{
    Incompatible = 0,
    PermissionDenied = 1,
}

/// <summary>ofp_bad_request_code.</summary>
public enum OpenFlowBadRequestCode : ushort
{
    BadVersion = 0,
    BadType = 1,
    BadMultipart = 2,
    BadExperimenter = 3,
    BadExperimenterType = 4,
    PermissionDenied = 5,
    BadLength = 6,
    BufferEmpty = 7,
    BufferUnknown = 8,
    BadTableId = 9,
    IsSlave = 10,
    BadPort = 11,
    BadPacket = 12,
    MultipartBufferOverflow = 13,
}

/// <summary>ofp_flow_mod_failed_code.</summary>
public enum OpenFlowFlowModFailedCode : ushort
{
    Unknown = 0,
    TableFull = 1,
    BadTableId = 2,
    Overlap = 3,
    PermissionDenied = 4,
    BadTimeout = 5,
    BadCommand = 6,
    BadFlags = 7,
}

/// <summary>ofp_flow_mod_command.</summary>
public enum FlowModCommand : byte
{
    Add = 0,
    Modify = 1,
    ModifyStrict = 2,
    Delete = 3,
    DeleteStrict = 4,
}

/// <summary>ofp_flow_mod_flags.</summary>
[Flags]
public enum FlowModOptions : ushort
{
    None = 0,
    SendFlowRemoved = 1 << 0,
    CheckOverlap = 1 << 1,
    ResetCounts = 1 << 2,
    NoPacketCounts = 1 << 3,
    NoByteCounts = 1 << 4,
}

/// <summary>ofp_port_reason: why a PORT_STATUS was sent.</summary>
public enum PortStatusReason : byte
{
    Add = 0,
    Delete = 1,
    Modify = 2,
}

/// <summary>ofp_port_config: how the controller configured a port.</summary>
[Flags]
public enum PortConfig : uint
{
    None = 0,

    /// <summary>OFPPC_PORT_DOWN: the port is administratively down.</summary>
    PortDown = 1 << 0,
    NoReceive = 1 << 2,
    NoForward = 1 << 5,
    NoPacketIn = 1 << 6,
}

/// <summary>ofp_port_state: the port's physical state.</summary>
[Flags]
public enum PortState : uint
{
    None = 0,

    /// <summary>OFPPS_LINK_DOWN: no physical link.</summary>
    LinkDown = 1 << 0,
    Blocked = 1 << 1,
    Live = 1 << 2,
}

/// <summary>ofp_packet_in_reason.</summary>
public enum PacketInReason : byte
{
    NoMatch = 0,
    Action = 1,
    InvalidTtl = 2,
}

/// <summary>ofp_flow_removed_reason.</summary>
public enum FlowRemovedReason : byte
{
    IdleTimeout = 0,
    HardTimeout = 1,
    Delete = 2,
    GroupDelete = 3,
}

/// <summary>ofp_config_flags: what the switch does with IP fragments.</summary>
public enum FragmentHandling : ushort
{
    Normal = 0,
    Drop = 1,
    Reassemble = 2,
}

/// <summary>ofp_capabilities of a FEATURES_REPLY.</summary>
[Flags]
public enum SwitchCapabilities : uint
{
    None = 0,
    FlowStats = 1 << 0,
    TableStats = 1 << 1,
    PortStats = 1 << 2,
    GroupStats = 1 << 3,
    IpReassembly = 1 << 5,
    QueueStats = 1 << 6,
    PortBlocked = 1 << 8,
}

/// <summary>ofp_multipart_type.</summary>
public enum MultipartType : ushort
{
    Description = 0,
    Flow = 1,
    Aggregate = 2,
    Table = 3,
    PortStats = 4,
    Queue = 5,
    Group = 6,
    GroupDescription = 7,
    GroupFeatures = 8,
    Meter = 9,
    MeterConfig = 10,
    MeterFeatures = 11,
    TableFeatures = 12,
    PortDescription = 13,
    Experimenter = 0xffff,
}

/// <summary>ofp_multipart_request_flags and ofp_multipart_reply_flags.</summary>
[Flags]
public enum MultipartOptions : ushort
{
    None = 0,

    /// <summary>OFPMPF_REQ_MORE / OFPMPF_REPLY_MORE: more parts follow with the same xid.</summary>
    More = 1,
}

/// <summary>ofp_action_type.</summary>
public enum ActionType : ushort
{
    Output = 0,
    CopyTtlOut = 11,
    CopyTtlIn = 12,
    SetMplsTtl = 15,
    DecMplsTtl = 16,
    PushVlan = 17,
    PopVlan = 18,
    PushMpls = 19,
    PopMpls = 20,
    SetQueue = 21,
    Group = 22,
    SetNwTtl = 23,
    DecNwTtl = 24,
    SetField = 25,
    PushPbb = 26,
    PopPbb = 27,
    Experimenter = 0xffff,
}

/// <summary>ofp_instruction_type.</summary>
public enum InstructionType : ushort
{
    GotoTable = 1,
    WriteMetadata = 2,
    WriteActions = 3,
    ApplyActions = 4,
    ClearActions = 5,
    Meter = 6,
    Experimenter = 0xffff,
}

/// <summary>oxm_ofb_match_fields: the OXM fields of class OFPXMC_OPENFLOW_BASIC.</summary>
public enum OxmField : byte
{
    InPort = 0,
    InPhysicalPort = 1,
    Metadata = 2,
    EthDst = 3,
    EthSrc = 4,
    EthType = 5,
    VlanVid = 6,
    VlanPcp = 7,
    IpDscp = 8,
    IpEcn = 9,
    IpProto = 10,
    Ipv4Src = 11,
    Ipv4Dst = 12,
    TcpSrc = 13,
    TcpDst = 14,
    UdpSrc = 15,
    UdpDst = 16,
    SctpSrc = 17,
    SctpDst = 18,
    Icmpv4Type = 19,
    Icmpv4Code = 20,
    ArpOp = 21,
    ArpSpa = 22,
    ArpTpa = 23,
    ArpSha = 24,
    ArpTha = 25,
    Ipv6Src = 26,
    Ipv6Dst = 27,
    Ipv6FlowLabel = 28,
    Icmpv6Type = 29,
    Icmpv6Code = 30,
    Ipv6NdTarget = 31,
    Ipv6NdSll = 32,
    Ipv6NdTll = 33,
    MplsLabel = 34,
    MplsTc = 35,
    MplsBos = 36,
    PbbIsid = 37,
    TunnelId = 38,
    Ipv6ExtHeader = 39,
}

/// <summary>ofp_oxm_class.</summary>
public enum OxmClass : ushort
{
    Nxm0 = 0x0000,
    Nxm1 = 0x0001,
    OpenFlowBasic = 0x8000,
    Experimenter = 0xffff,
}
