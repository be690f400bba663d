namespace NetServ.Netfilter.Queue;

/// <summary>Settings of a container's NFQUEUE reader. Plain defaults; <see cref="Validate"/> runs when the queue opens.</summary>
internal sealed class NetfilterQueueOptions
{
    /// <summary>Packets the kernel keeps waiting for a verdict (NFQA_CFG_QUEUE_MAXLEN) before failing open.</summary>
    public uint MaxLength { get; set; } = 4096;

    /// <summary>
    /// Whether a full queue (or a full socket buffer) lets packets through instead of dropping them
    /// (NFQA_CFG_F_FAIL_OPEN): an overloaded container must not cut the user's traffic.
    /// </summary>
    public bool FailOpen { get; set; } = true;

    /// <summary>The socket receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF capped by net.core.rmem_max).</summary>
    public int ReceiveBufferBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The socket send buffer: a netlink datagram must fit in it, so it bounds the verdicts (with modified packets) sent at once.</summary>
    public int SendBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long one receive waits (SO_RCVTIMEO), so the reading loop sees a stop request.</summary>
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Datagrams (in practice packets) one receive takes at most (recvmmsg's vlen).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>The copy range: bytes of each packet the kernel copies to us (capped by the kernel at 65531).</summary>
    public int MaxPacketBytes { get; set; } = 65535;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfZero(MaxLength, nameof(MaxLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveBufferBytes, 4096, nameof(ReceiveBufferBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendBufferBytes, 4096, nameof(SendBufferBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReceiveTimeout, TimeSpan.Zero, nameof(ReceiveTimeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ReceiveTimeout, TimeSpan.FromHours(1), nameof(ReceiveTimeout));

        // recvmmsg takes at most UIO_MAXIOV (1024) messages per call.
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSize, 1024, nameof(BatchSize));

        // 20 bytes of IPv4 header are the least a module can look at.
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPacketBytes, 20, nameof(MaxPacketBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxPacketBytes, 65535, nameof(MaxPacketBytes));
    }
}
