using System.Net;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>The control channel of a Media Relay module on a node.</summary>
internal interface IRelayControl
{
    /// <summary>Allocates (or returns) the session of <paramref name="callId"/> on the relay at <paramref name="relay"/>; <see langword="null"/> when it refuses or does not answer.</summary>
    Task<RelayAllocation?> AllocateAsync(IPAddress relay, string callId, CancellationToken cancellationToken);

    /// <summary>Closes the session of <paramref name="callId"/>; whether the relay confirmed.</summary>
    Task<bool> ReleaseAsync(IPAddress relay, string callId, CancellationToken cancellationToken);
}
