using System.Net;

namespace NetServ.Apps.KeepAlive.Server;

/// <summary>
/// Counts keep-alives per user agent over a sliding window and says when a user agent's rate
/// passes the threshold — the moment the paper's NSIS-enabled SIP server starts signaling
/// (section 6.2). A user agent is signaled for at most once per window, so a SETUP that failed
/// is tried again while keep-alives keep coming.
/// </summary>
internal sealed class KeepAliveRate(int threshold, TimeSpan window, TimeProvider time)
{
    private readonly Dictionary<IPEndPoint, Agent> _agents = [];
    private readonly Lock _lock = new();

    /// <summary>Records a keep-alive from <paramref name="agent"/>; true when it is time to signal toward it.</summary>
    public bool Record(IPEndPoint agent, out int inWindow, out long total)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_agents.TryGetValue(agent, out var state))
            {
                state = new Agent();
                _agents[agent] = state;
            }

            state.Total++;
            state.Recent.Enqueue(now);
            while (state.Recent.Peek() <= now - window)
            {
                state.Recent.Dequeue();
            }

            inWindow = state.Recent.Count;
            total = state.Total;
            if (inWindow < threshold || (state.SignaledAt is { } last && now - last < window))
            {
                return false;
            }

            state.SignaledAt = now;
            return true;
        }
    }

    /// <summary>Keep-alives received from each user agent so far.</summary>
    public IReadOnlyDictionary<IPEndPoint, long> Totals()
    {
        lock (_lock)
        {
            return _agents.ToDictionary(p => p.Key, p => p.Value.Total);
        }
    }

    private sealed class Agent
    {
        public Queue<DateTimeOffset> Recent { get; } = new();

        public long Total { get; set; }

        public DateTimeOffset? SignaledAt { get; set; }
    }
}
