namespace NetServ.Apps.MediaRelay;

/// <summary>The two sides of a relayed call: A is the caller's side, B the callee's.</summary>
internal enum RelayLegId
{
    A,
    B,
}
