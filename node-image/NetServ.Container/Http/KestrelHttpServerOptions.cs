namespace NetServ.Container.Http;

/// <summary>Limits of the HTTP server building block: small, since a container's memory is bounded.</summary>
internal sealed class KestrelHttpServerOptions
{
    public long MaxConcurrentConnections { get; init; } = 256;

    public int MaxRequestHeadersTotalSize { get; init; } = 16 * 1024;

    public int MaxRequestLineSize { get; init; } = 8 * 1024;

    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stopping server waits for requests in flight before it aborts their connections.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
