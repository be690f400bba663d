using System.Net;
using Microsoft.Extensions.Logging;

namespace NetServ.Apps.ActiveCdn;

/// <summary>
/// The cache and the origin downloads that fill it. A request for an object that is neither
/// cached nor being downloaded starts one download; requests that come while it lasts share it.
/// </summary>
internal sealed partial class EdgeCache : IAsyncDisposable
{
    private readonly ContentCache _cache;
    private readonly HttpClient _http;
    private readonly Uri _origin;
    private readonly IContentProcessor? _processor;
    private readonly CdnCounters _counters;
    private readonly ILogger _logger;
    private readonly Dictionary<string, OriginFill> _fills = new(StringComparer.Ordinal);
    private readonly List<Task> _downloads = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();

    public EdgeCache(ContentCache cache, HttpClient http, Uri origin, IContentProcessor? processor, CdnCounters counters, ILogger logger)
    {
        _cache = cache;
        _http = http;
        _origin = origin;
        _processor = processor;
        _counters = counters;
        _logger = logger;
    }

    public ContentCache Cache => _cache;

    public int DownloadsInProgress
    {
        get
        {
            lock (_lock)
            {
                return _fills.Count;
            }
        }
    }

    /// <summary>
    /// The download of <paramref name="key"/>: the one in progress, or a new one. Null when the
    /// object reached the cache meanwhile (look there again).
    /// </summary>
    public OriginFill? GetOrStartFill(string key)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (_fills.TryGetValue(key, out var fill))
            {
                return fill;
            }

            if (_cache.Contains(key))
            {
                return null;
            }

            fill = new OriginFill(key, _cache.NewTemporaryPath());
            _fills.Add(key, fill);
            _downloads.RemoveAll(t => t.IsCompleted);
            _downloads.Add(Task.Run(() => DownloadAsync(fill, _stopping.Token)));
            return fill;
        }
    }

    /// <summary>Cancels the downloads and processing in progress and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] downloads;
        lock (_lock)
        {
            _stopping.Cancel();
            downloads = [.. _downloads];
        }

        await Task.WhenAll(downloads).ConfigureAwait(false);
        _stopping.Dispose();
    }

    // By text, not new Uri(origin, key): a key like //elsewhere/x must not leave the origin.
    private Uri OriginUrlOf(string key) => new(_origin.GetLeftPart(UriPartial.Path).TrimEnd('/') + key);

    private async Task DownloadAsync(OriginFill fill, CancellationToken cancellationToken)
    {
        _counters.OriginFetch();
        var url = OriginUrlOf(fill.Key);
        string? processed = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var contentType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Log.OriginRefused(_logger, url.ToString(), (int)response.StatusCode);
                _counters.OriginFailure();
                fill.SetHeaders(response.StatusCode, contentType, null, streamThrough: false);
                End(fill, FillState.Failed);
                return;
            }

            var process = _processor?.Applies(fill.Key, contentType) == true;

            // The file exists before anyone is told to follow it. Unbuffered: readers see bytes as soon as they are counted.
            var file = new FileStream(fill.TemporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                fill.SetHeaders(HttpStatusCode.OK, contentType, response.Content.Headers.ContentLength, streamThrough: !process);
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    var buffer = new byte[64 * 1024];
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        _counters.FromOrigin(read);
                        fill.Advance(read);
                    }
                }
            }

            var finished = fill.TemporaryPath;
            if (process)
            {
                fill.SetProcessing();
                processed = _cache.NewTemporaryPath();
                try
                {
                    await _processor!.ProcessAsync(fill.Key, fill.TemporaryPath, processed, cancellationToken).ConfigureAwait(false);
                    _counters.Watermarked();
                    File.Delete(fill.TemporaryPath);
                    finished = processed;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The provider's content is still worth serving: cache it as the origin sent it.
                    Log.ProcessingFailed(_logger, fill.Key, e.Message);
                    _counters.Error();
                    File.Delete(processed);
                }
            }

            var length = new FileInfo(finished).Length;
            if (!_cache.Add(fill.Key, finished, fill.ContentType))
            {
                Log.TooLarge(_logger, fill.Key, length, _cache.CapacityBytes);
            }

            End(fill, FillState.Cached, length);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or UnauthorizedAccessException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                Log.DownloadFailed(_logger, url.ToString(), e.Message);
                _counters.OriginFailure();
            }

            fill.SetHeaders(HttpStatusCode.BadGateway, null, null, streamThrough: false);
            End(fill, FillState.Failed);
            TryDelete(fill.TemporaryPath);
            if (processed is not null)
            {
                TryDelete(processed);
            }
        }
    }

    private void End(OriginFill fill, FillState state, long? length = null)
    {
        lock (_lock)
        {
            _fills.Remove(fill.Key);
        }

        fill.Finish(state, length);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Warning, "The origin answered {Url} with {Status}")]
        public static partial void OriginRefused(ILogger logger, string url, int status);

        [LoggerMessage(3, LogLevel.Warning, "Downloading {Url} failed: {Error}")]
        public static partial void DownloadFailed(ILogger logger, string url, string error);

        [LoggerMessage(4, LogLevel.Warning, "Processing {Key} failed, caching it unprocessed: {Error}")]
        public static partial void ProcessingFailed(ILogger logger, string key, string error);

        [LoggerMessage(5, LogLevel.Information, "{Key} ({Length} bytes) is larger than the cache ({Capacity} bytes); served, not kept")]
        public static partial void TooLarge(ILogger logger, string key, long length, long capacity);
    }
}
