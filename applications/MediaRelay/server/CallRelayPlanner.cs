namespace NetServ.Apps.MediaRelay.Server;

/// <summary>The SDP bodies of a relayed call, pointed at the relay: the offer for the callee, the answer for the caller.</summary>
internal sealed record RelayedCall(RelayAllocation Allocation, string OfferForCallee, string AnswerForCaller);

/// <summary>
/// Sets up relaying for a call between two registered user agents (Figure 9): picks the relay
/// nearest the caller — or the callee, when only that one has a NetServ node near it — allocates a
/// session there, and rewrites both SDP bodies so each agent sends its media to the relay's port
/// facing it. No relay near either agent: the call goes without one.
/// </summary>
internal sealed class CallRelayPlanner(RelayDirectory directory, IRelayControl control)
{
    public async Task<RelayedCall?> PlanAsync(string callId, string callerAor, string calleeAor, string offer, string answer, CancellationToken cancellationToken)
    {
        var relay = directory.Find(callerAor)?.Relay ?? directory.Find(calleeAor)?.Relay;
        if (relay is null)
        {
            return null;
        }

        var allocation = await control.AllocateAsync(relay, callId, cancellationToken).ConfigureAwait(false);
        if (allocation is null)
        {
            return null;
        }

        // The callee sends to the port facing it (B), the caller to the port facing it (A).
        if (!SdpRewriter.TryRewrite(offer, relay, allocation.CalleeSide.Port, out var offerForCallee)
            || !SdpRewriter.TryRewrite(answer, relay, allocation.CallerSide.Port, out var answerForCaller))
        {
            await control.ReleaseAsync(relay, callId, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return new RelayedCall(allocation, offerForCallee, answerForCaller);
    }

    /// <summary>Closes the call's session on its relay (BYE).</summary>
    public async Task<bool> HangUpAsync(string callId, string callerAor, string calleeAor, CancellationToken cancellationToken) =>
        (directory.Find(callerAor)?.Relay ?? directory.Find(calleeAor)?.Relay) is { } relay
        && await control.ReleaseAsync(relay, callId, cancellationToken).ConfigureAwait(false);
}
