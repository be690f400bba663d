namespace NetServ.Signaling.Gist;

/// <summary>
/// A GIST message (RFC 5971 5.1): the common header's fields and the message's objects. Each message type is a
/// record whose required constructor arguments are the grammar's mandatory objects and whose init properties
/// are its optional ones; header flags that a type may not set are not offered on it.
/// </summary>
public abstract record GistMessage
{
    public abstract GistMessageType MessageType { get; }

    public ushort NslpId { get; init; } = GistConstants.NetServNslpId;

    public byte GistHops { get; init; } = GistConstants.DefaultGistHops;

    /// <summary>S: the IP source address is the signalling source address.</summary>
    public bool SourceAddressing { get; init; }

    /// <summary>
    /// Objects of unknown types that arrived with AB=01 (ignore) or AB=10 (forward). A node that forwards the
    /// message keeps those with <see cref="GistUnknownObject.MustBeForwarded"/>. They are written after the
    /// known objects.
    /// </summary>
    public EquatableArray<GistUnknownObject> UnknownObjects { get; init; }

    internal virtual bool CFlag => false;

    internal virtual bool RFlag => false;

    internal virtual bool EFlag => false;
}

/// <summary>
/// Query = Common-Header [ NAT-Traversal-Object ] Message-Routing-Information Session-Identification
/// Network-Layer-Information Query-Cookie [ Stack-Proposal Stack-Configuration-Data ] [ NSLP-Data ].
/// Always Q-mode encapsulated (C=1).
/// </summary>
public sealed record GistQuery(
    GistMessageRoutingInformation Mri,
    GistSessionId SessionId,
    GistNetworkLayerInformation Nli,
    GistQueryCookie QueryCookie) : GistMessage
{
    public override GistMessageType MessageType => GistMessageType.Query;

    public GistNatTraversal? NatTraversal { get; init; }

    /// <summary>Present together with <see cref="StackConfiguration"/> or not at all.</summary>
    public GistStackProposal? StackProposal { get; init; }

    public GistStackConfigurationData? StackConfiguration { get; init; }

    public GistNslpData? NslpData { get; init; }

    internal override bool CFlag => true;

    // RFC 5971 A.1: "The R flag MUST always be set (R=1) in Query messages".
    internal override bool RFlag => true;
}

/// <summary>
/// Response = Common-Header [ NAT-Traversal-Object ] Message-Routing-Information Session-Identification
/// Network-Layer-Information Query-Cookie [ Responder-Cookie [ Stack-Proposal Stack-Configuration-Data ] ]
/// [ NSLP-Data ].
/// </summary>
internal sealed record GistResponse(
    GistMessageRoutingInformation Mri,
    GistSessionId SessionId,
    GistNetworkLayerInformation Nli,
    GistQueryCookie QueryCookie) : GistMessage
{
    public override GistMessageType MessageType => GistMessageType.Response;

    public GistNatTraversal? NatTraversal { get; init; }

    public GistResponderCookie? ResponderCookie { get; init; }

    /// <summary>Only with a <see cref="ResponderCookie"/>, and together with <see cref="StackConfiguration"/>.</summary>
    public GistStackProposal? StackProposal { get; init; }

    public GistStackConfigurationData? StackConfiguration { get; init; }

    public GistNslpData? NslpData { get; init; }

    /// <summary>R: the querying node must send a Confirm.</summary>
    public bool ResponseRequested { get; init; }

    internal override bool RFlag => ResponseRequested;
}

/// <summary>
/// Confirm = Common-Header [ NAT-Traversal-Object ] Message-Routing-Information Session-Identification
/// Network-Layer-Information [ Responder-Cookie [ Stack-Proposal [ Stack-Configuration-Data ] ] ]
/// [ NSLP-Data ]. Never requests a reply (R=0).
/// </summary>
internal sealed record GistConfirm(
    GistMessageRoutingInformation Mri,
    GistSessionId SessionId,
    GistNetworkLayerInformation Nli) : GistMessage
{
    public override GistMessageType MessageType => GistMessageType.Confirm;

    public GistNatTraversal? NatTraversal { get; init; }

    public GistResponderCookie? ResponderCookie { get; init; }

    /// <summary>Only with a <see cref="ResponderCookie"/>.</summary>
    public GistStackProposal? StackProposal { get; init; }

    /// <summary>Only with a <see cref="StackProposal"/>.</summary>
    public GistStackConfigurationData? StackConfiguration { get; init; }

    public GistNslpData? NslpData { get; init; }
}

/// <summary>
/// Data = Common-Header [ NAT-Traversal-Object ] Message-Routing-Information Session-Identification
/// [ Network-Layer-Information ] NSLP-Data.
/// </summary>
internal sealed record GistData(
    GistMessageRoutingInformation Mri,
    GistSessionId SessionId,
    GistNslpData NslpData) : GistMessage
{
    public override GistMessageType MessageType => GistMessageType.Data;

    public GistNatTraversal? NatTraversal { get; init; }

    public GistNetworkLayerInformation? Nli { get; init; }

    /// <summary>C: sent Q-mode encapsulated, like a Query, when no routing state exists yet.</summary>
    public bool QModeEncapsulated { get; init; }

    /// <summary>E: the message was explicitly routed (only Data may be).</summary>
    public bool ExplicitRouting { get; init; }

    internal override bool CFlag => QModeEncapsulated;

    internal override bool EFlag => ExplicitRouting;
}

/// <summary>
/// Error = Common-Header [ NAT-Traversal-Object ] Network-Layer-Information GIST-Error-Data.
/// Never requests a reply (R=0) and never carries NSLP-Data.
/// </summary>
internal sealed record GistErrorMessage(
    GistNetworkLayerInformation Nli,
    GistErrorObject ErrorObject) : GistMessage
{
    public override GistMessageType MessageType => GistMessageType.Error;

    public GistNatTraversal? NatTraversal { get; init; }
}

/// <summary>MA-Hello = Common-Header Hello-ID. Keeps a messaging association alive; R asks for a reply.</summary>
internal sealed record GistMaHello(GistHelloId HelloId) : GistMessage
{
    public override GistMessageType MessageType => GistMessageType.MaHello;

    public bool ResponseRequested { get; init; }

    internal override bool RFlag => ResponseRequested;
}
