using System.Net;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>
/// What the proxy remembers of a call, by Call-ID: where each side sends from, the caller's From
/// tag (which tells the two sides' in-dialog requests apart), the relay session, the branches the
/// proxy forwarded requests with, and how far the call has got.
/// </summary>
internal sealed class ProxiedCall(string callId, IPEndPoint caller, string? callerTag, IPEndPoint callee, RelayAllocation? relay, string inviteBranch, DateTimeOffset started)
{
    public string CallId { get; } = callId;

    /// <summary>Where the caller's INVITE came from (its NAT's public side).</summary>
    public IPEndPoint Caller { get; } = caller;

    /// <summary>The tag of the caller's From; <see langword="null"/> when it sent none (an RFC 2543 agent).</summary>
    public string? CallerTag { get; } = callerTag;

    /// <summary>Where the callee's REGISTER came from: the proxy sends there, not to the Contact it wrote, which may be behind its NAT.</summary>
    public IPEndPoint Callee { get; } = callee;

    /// <summary>The relay session; <see langword="null"/> when the call goes without one.</summary>
    public RelayAllocation? Relay { get; } = relay;

    /// <summary>The branch the initial INVITE was forwarded with: its final response decides whether the call was set up.</summary>
    public string InviteBranch { get; } = inviteBranch;

    /// <summary>The proxy's branches of this call's requests, forgotten with the call.</summary>
    public List<string> Branches { get; } = [];

    public DateTimeOffset LastActivity { get; set; } = started;

    /// <summary>A 2xx answered the initial INVITE.</summary>
    public bool Answered { get; set; }

    /// <summary>When BYE or an error final response ended the call.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>RELEASE has been sent for the relay session.</summary>
    public bool Released { get; set; }
}

/// <summary>A request the proxy forwarded, by its branch: where the responses go back to, and whether the caller sent it.</summary>
internal sealed record ProxyTransaction(ProxiedCall Call, IPEndPoint Source, bool FromCaller);
