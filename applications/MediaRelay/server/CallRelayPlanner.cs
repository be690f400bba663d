namespace NetServ.Apps.MediaRelay.Server;

/// <summary>
/// Sets up relaying for a call between two registered user agents (Figure 9): picks the relay
/// nearest the caller — or the callee, when only that one has a NetServ node near it — allocates a
/// session there, and points each SDP body at the relay port facing the agent that receives it, so
/// each agent sends its media to the relay. No relay near either agent: the call goes without one.
/// </summary>
internal sealed class CallRelayPlanner(RelayDirectory directory, IRelayControl control)
{
    /// <summary>Allocates the call's session on the caller's relay, else the callee's; <see langword="null"/> when neither has one or the relay refuses.</summary>
    public async Task<RelayAllocation?> AllocateAsync(string callId, string callerAor, string calleeAor, CancellationToken cancellationToken) =>
        (directory.Find(callerAor)?.Relay ?? directory.Find(calleeAor)?.Relay) is { } relay
            ? await control.AllocateAsync(relay, callId, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Rewrites an SDP offer or answer on its way to one agent: toward the callee it names the
    /// port facing the callee (B), toward the caller the port facing the caller (A), because each
    /// agent sends its media to what the SDP it receives says. <see langword="false"/> without an audio line.
    /// </summary>
    public static bool TryRewrite(RelayAllocation allocation, string sdp, bool towardCallee, out string rewritten)
    {
        var side = towardCallee ? allocation.CalleeSide : allocation.CallerSide;
        return SdpRewriter.TryRewrite(sdp, side.Address, side.Port, out rewritten);
    }

    /// <summary>Closes the call's session on its relay (BYE, or a call that failed); whether the relay confirmed.</summary>
    public Task<bool> ReleaseAsync(RelayAllocation allocation, CancellationToken cancellationToken) =>
        control.ReleaseAsync(allocation.CallerSide.Address, allocation.CallId, cancellationToken);
}
