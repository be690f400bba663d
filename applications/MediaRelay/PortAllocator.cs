namespace NetServ.Apps.MediaRelay;

/// <summary>
/// Hands out port pairs for call legs — RTP on an even port, RTCP on the next (RFC 3550 section 11) —
/// from the configured range, only where both ports are allowed by the node's policy.
/// Not thread-safe: the session table serializes its calls.
/// </summary>
internal sealed class PortAllocator
{
    private readonly int[] _pairs;
    private readonly HashSet<int> _inUse = [];
    private int _next;

    /// <summary>Creates an allocator over the even ports of [<paramref name="first"/>, <paramref name="last"/>] whose pair lies in the range and in <paramref name="allowedPorts"/>.</summary>
    public PortAllocator(int first, int last, IReadOnlySet<int> allowedPorts)
    {
        ArgumentNullException.ThrowIfNull(allowedPorts);
        var pairs = new List<int>();
        for (var port = first + (first & 1); port + 1 <= last; port += 2)
        {
            if (allowedPorts.Contains(port) && allowedPorts.Contains(port + 1))
            {
                pairs.Add(port);
            }
        }

        _pairs = [.. pairs];
    }

    /// <summary>How many pairs the range holds.</summary>
    public int Capacity => _pairs.Length;

    /// <summary>How many pairs are handed out.</summary>
    public int InUse => _inUse.Count;

    /// <summary>Takes a free pair, round-robin so a just-released port is not reused at once (late packets of the old call); <see langword="false"/> when all are taken.</summary>
    public bool TryAllocate(out int rtpPort)
    {
        for (var i = 0; i < _pairs.Length; i++)
        {
            var candidate = _pairs[(_next + i) % _pairs.Length];
            if (_inUse.Add(candidate))
            {
                _next = (_next + i + 1) % _pairs.Length;
                rtpPort = candidate;
                return true;
            }
        }

        rtpPort = 0;
        return false;
    }

    /// <summary>Gives a pair back.</summary>
    public void Release(int rtpPort) => _inUse.Remove(rtpPort);
}
