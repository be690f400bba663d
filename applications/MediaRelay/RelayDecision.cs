namespace NetServ.Apps.MediaRelay;

/// <summary>What the relay does with one datagram arriving on a session's port.</summary>
internal enum RelayDecision
{
    /// <summary>Send it to the far side's latched address from the far side's port.</summary>
    Forward,

    /// <summary>Not RTP or RTCP; dropped.</summary>
    Malformed,

    /// <summary>From an address other than the one this port latched; dropped.</summary>
    Foreign,

    /// <summary>The far side has sent nothing yet, so its address is unknown; dropped.</summary>
    FarSideUnlatched,
}
