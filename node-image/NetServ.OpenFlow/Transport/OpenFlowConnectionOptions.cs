namespace NetServ.OpenFlow.Transport;

/// <summary>Limits and timers of an <see cref="OpenFlowConnection"/>.</summary>
public sealed class OpenFlowConnectionOptions
{
    /// <summary>Messages whose header announces more bytes are malformed input and close the connection.</summary>
    public int MaxMessageLength { get; set; } = OpenFlowConstants.MaxMessageLength;

    /// <summary>How long the peer has to send its HELLO.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Received messages waiting for the reader of <see cref="OpenFlowConnection.Messages"/>; when full, the connection
    /// stops reading from the socket, so a slow consumer slows the switch down instead of growing memory.
    /// </summary>
    public int ReceiveQueueCapacity { get; set; } = 1024;

    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageLength, OpenFlowConstants.HeaderLength, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMessageLength, OpenFlowConstants.MaxMessageLength, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HelloTimeout, TimeSpan.Zero, nameof(HelloTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveQueueCapacity, 1, nameof(ReceiveQueueCapacity));
    }
}

/// <summary>Why an <see cref="OpenFlowConnection"/> ended.</summary>
public enum OpenFlowCloseReason
{
    /// <summary>This side closed it.</summary>
    Closed,

    /// <summary>The peer closed the TCP connection.</summary>
    PeerClosed,

    /// <summary>The peer sent bytes that are not a valid OpenFlow 1.3 message.</summary>
    Malformed,

    /// <summary>Version negotiation failed (for example a switch that speaks OpenFlow 1.0 only).</summary>
    IncompatibleVersion,

    /// <summary>The peer sent no HELLO in time, or something else first.</summary>
    HandshakeFailed,

    /// <summary>Reading or writing the socket failed.</summary>
    TransportError,
}

/// <summary>How a connection ended: the reason, the decoding or negotiation error if there was one, and words.</summary>
public sealed record OpenFlowConnectionClosed(OpenFlowCloseReason Reason, string Detail, OpenFlowError Error = default);

/// <summary>An OpenFlow connection could not be set up or ended before a request was answered.</summary>
public sealed class OpenFlowConnectionException : Exception
{
    public OpenFlowConnectionException()
    {
        Closed = new OpenFlowConnectionClosed(OpenFlowCloseReason.Closed, "closed");
    }

    public OpenFlowConnectionException(string message)
        : base(message)
    {
        Closed = new OpenFlowConnectionClosed(OpenFlowCloseReason.Closed, message);
    }

    public OpenFlowConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Closed = new OpenFlowConnectionClosed(OpenFlowCloseReason.Closed, message);
    }

    public OpenFlowConnectionException(OpenFlowConnectionClosed closed)
        : base($"OpenFlow connection closed ({closed?.Reason}): {closed?.Detail}")
    {
        ArgumentNullException.ThrowIfNull(closed);
        Closed = closed;
    }

    public OpenFlowConnectionClosed Closed { get; }
}
