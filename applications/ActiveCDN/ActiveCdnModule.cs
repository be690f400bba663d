using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Apps.ActiveCdn;
using NetServ.Sdk;

[assembly: NetServModule(typeof(ActiveCdnModule))]

namespace NetServ.Apps.ActiveCdn;

/// <summary>
/// ActiveCDN (paper section 6.1): a content provider's cache on a NetServ node near its users.
/// It serves HTTP on <c>port</c>; an object not yet cached is downloaded from <c>origin</c> while it
/// is served and cached at once; videos are watermarked with <c>watermark</c> before caching.
/// Needs the <c>http-server</c> and <c>http-client</c> building blocks.
/// </summary>
public sealed partial class ActiveCdnModule : NetServModule, IModuleStatus, IAsyncDisposable
{
    private readonly CdnCounters _counters = new();
    private ActiveCdnSettings? _settings;
    private EdgeCache? _edge;
    private IAsyncDisposable? _server;
    private string? _cacheDirectory;

    /// <inheritdoc />
    public JsonObject GetStatus()
    {
        var status = _counters.ToJson();
        status["port"] = _settings?.Port;
        status["origin"] = _settings?.Origin.ToString();
        status["watermark"] = _settings?.Watermark;
        if (_edge is { } edge)
        {
            status["downloadsInProgress"] = edge.DownloadsInProgress;
            status["cachedObjects"] = edge.Cache.Count;
            status["cachedBytes"] = edge.Cache.Bytes;
            status["cacheCapacityBytes"] = edge.Cache.CapacityBytes;
            status["evictions"] = edge.Cache.Evictions;
        }

        return status;
    }

    /// <inheritdoc />
    protected override async Task OnStartAsync(CancellationToken cancellationToken)
    {
        var settings = ActiveCdnSettings.From(Context.Properties);
        _settings = settings;
        var http = Context.BuildingBlocks.Require<HttpClient>();
        var server = Context.BuildingBlocks.Require<IHttpServer>();
        _cacheDirectory = Path.Combine(Context.DataDirectory, "cache");
        var cache = new ContentCache(_cacheDirectory, settings.CacheBytes);
        var processor = settings.Watermark is { } text ? new VideoWatermarker(text, settings.FfmpegFolder, settings.Font) : null;
        _edge = new EdgeCache(cache, http, settings.Origin, processor, _counters, Context.Logger);
        var endpoint = new ContentEndpoint(_edge, _counters, Context.Logger);
        _server = await server.StartAsync(Context, settings.Port, endpoint.HandleAsync, cancellationToken).ConfigureAwait(false);
        Log.Serving(Context.Logger, settings.Port, settings.Origin.ToString(), settings.CacheBytes, settings.Watermark ?? "none");
    }

    /// <inheritdoc />
    protected override Task OnStopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync().ConfigureAwait(false);
        }

        if (_edge is { } edge)
        {
            _edge = null;
            await edge.DisposeAsync().ConfigureAwait(false);
        }

        if (_cacheDirectory is { } directory && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Serving on port {Port} from origin {Origin}, cache {CacheBytes} bytes, watermark: {Watermark}")]
        public static partial void Serving(ILogger logger, int port, string origin, long cacheBytes, string watermark);
    }
}
