using NetServ.Networking;

namespace NetServ.Signaling.Gist;

/// <summary>Which way an NSLP message travels relative to the flow its MRI describes.</summary>
public enum GistDirection
{
    /// <summary>From the flow's source toward its destination (the way a Query goes).</summary>
    Downstream,

    /// <summary>From the flow's destination back toward its source (the way responses go).</summary>
    Upstream,
}

/// <summary>How a session's signaling ended without an answer.</summary>
public enum GistSessionOutcome
{
    /// <summary>No GIST peer answered the Query downstream: this node is the last one on the path.</summary>
    NoPeerFound,

    /// <summary>There is no peer in the asked direction (for example no upstream peer to answer).</summary>
    NoRoutingState,

    /// <summary>A peer answered with a GIST Error message.</summary>
    PeerError,

    /// <summary>The NSLP message is longer than one NSLP-Data object holds (RFC 5971 A.2); nothing was sent.</summary>
    MessageTooLarge,
}

/// <summary>An adjacent GIST peer: where it signals from and how to reach it.</summary>
/// <param name="Address">The peer's interface address (from its Network-Layer-Information).</param>
/// <param name="DatagramPort">The UDP port the peer sends D-mode messages from, and receives them on.</param>
/// <param name="PeerIdentity">The peer's opaque identity.</param>
/// <param name="StreamPort">The TCP port the peer accepts messaging associations on, when it offers one.</param>
public sealed record GistPeer(Ipv4Address Address, ushort DatagramPort, GistBytes PeerIdentity, ushort? StreamPort)
{
    /// <summary>The identity as text, when it is printable (NetServ nodes use their name).</summary>
    public string Name => PeerIdentity.IsEmpty ? Address.ToString() : System.Text.Encoding.UTF8.GetString(PeerIdentity.Span);
}

/// <summary>Something the transport must do for the state machine: send, open, close, or tell the NSLP.</summary>
public abstract record GistAction;

/// <summary>Send a UDP datagram. Every datagram carries the magic number already; Q-mode ones go with the Router Alert option, toward the flow's destination.</summary>
internal sealed record SendDatagramAction(byte[] Datagram, Ipv4Address Address, ushort Port, bool QueryMode) : GistAction;

/// <summary>Open a TCP messaging association to a peer; messages sent on it before it connects wait.</summary>
internal sealed record OpenStreamAction(int StreamId, Ipv4Address Address, ushort Port) : GistAction;

/// <summary>Send one GIST message on a messaging association.</summary>
internal sealed record SendStreamAction(int StreamId, byte[] Message) : GistAction;

/// <summary>Close a messaging association.</summary>
internal sealed record CloseStreamAction(int StreamId) : GistAction;

/// <summary>Hand an NSLP message to the signaling application.</summary>
/// <param name="Session">The signaling session.</param>
/// <param name="Mri">The flow the message is about.</param>
/// <param name="Direction">Which way the message travels.</param>
/// <param name="NslpData">The NSLP message, possibly followed by zero padding.</param>
/// <param name="Peer">The adjacent peer it came from.</param>
public sealed record DeliverAction(GistSessionId Session, GistMessageRoutingInformation Mri, GistDirection Direction, byte[] NslpData, GistPeer Peer) : GistAction;

/// <summary>Tell the signaling application how a session fared.</summary>
/// <param name="Session">The signaling session.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Detail">The same, in words.</param>
/// <param name="PeerError">For <see cref="GistSessionOutcome.PeerError"/>: the class, code and subcode the peer's Error object gave.</param>
public sealed record SessionStatusAction(GistSessionId Session, GistSessionOutcome Outcome, string Detail, GistRfcError? PeerError = null) : GistAction;

/// <summary>Something worth a log line (a refused message, a retransmission).</summary>
/// <param name="Text">What happened.</param>
/// <param name="Discarded">Why a malformed or misplaced message was dropped (worth a warning and a count, not only a trace), or null when none was.</param>
/// <param name="PeerFault">Whether a peer's message had a fault that was worked around rather than dropped (worth a warning).</param>
internal sealed record TraceAction(string Text, GistDiscardReason? Discarded = null, bool PeerFault = false) : GistAction;

/// <summary>Why the GIST layer dropped a message.</summary>
public enum GistDiscardReason
{
    /// <summary>It did not decode.</summary>
    Malformed,

    /// <summary>It came on a messaging association the node does not know.</summary>
    UnknownAssociation,

    /// <summary>It came in C-mode but must be Q-mode encapsulated.</summary>
    WrongEncapsulation,

    /// <summary>A Confirm that did not match the node's state (RFC 5971 8.6).</summary>
    RefusedConfirm,
}
