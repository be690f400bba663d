namespace NetServ.Node.Control;

/// <summary>Where a request came from, which decides what it must prove.</summary>
internal enum RequestOrigin
{
    /// <summary>The local admin socket (root only): trusted, no signature needed.</summary>
    Admin,

    /// <summary>On-path signaling, already authenticated by the signaling layer.</summary>
    Signaling,
}
