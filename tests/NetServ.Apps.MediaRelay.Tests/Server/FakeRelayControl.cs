using System.Net;
using NetServ.Apps.MediaRelay.Server;

namespace NetServ.Apps.MediaRelay.Tests.Server;

/// <summary>A relay that grants every call ports 30000 (caller's side) and 30002 (callee's side), and remembers what it was asked.</summary>
internal sealed class FakeRelayControl : IRelayControl
{
    public List<(IPAddress Relay, string CallId)> Allocated { get; } = [];

    public List<string> Released { get; } = [];

    /// <summary>Answer ALLOCATE with an error, as a relay out of ports does.</summary>
    public bool Refuse { get; set; }

    public Task<RelayAllocation?> AllocateAsync(IPAddress relay, string callId, CancellationToken cancellationToken)
    {
        Allocated.Add((relay, callId));
        return Task.FromResult(Refuse ? null : new RelayAllocation(callId, new IPEndPoint(relay, 30000), new IPEndPoint(relay, 30002)));
    }

    public Task<bool> ReleaseAsync(IPAddress relay, string callId, CancellationToken cancellationToken)
    {
        Released.Add(callId);
        return Task.FromResult(true);
    }
}
