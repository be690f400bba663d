using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NetServ.Apps.ActiveCdn;

/// <summary>
/// Answers one client request (paper Figure 7, steps 9 and 10): from the cache when the object is
/// there, otherwise from the origin download it starts or joins. GET and HEAD, single byte ranges.
/// </summary>
internal sealed partial class ContentEndpoint(EdgeCache edge, CdnCounters counters, ILogger logger)
{
    private const int Attempts = 3;

    public async Task HandleAsync(HttpContext context)
    {
        counters.Request();
        try
        {
            await ServeAsync(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the download, if any, goes on for the cache.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException or InvalidOperationException)
        {
            counters.Error();
            Log.RequestFailed(logger, context.Request.Path.Value ?? string.Empty, e.Message);
            if (context.Response.HasStarted)
            {
                // Part of the body is out: only a broken connection tells the client it is incomplete.
                context.Abort();
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
            }
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            counters.BadRequest();
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        if (!TryKeyOf(request, out var key))
        {
            counters.BadRequest();
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var aborted = context.RequestAborted;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (edge.Cache.TryOpen(key) is var (cached, stream))
            {
                await using (stream.ConfigureAwait(false))
                {
                    // A request counts once: a hit when the object was cached when it came, else a miss.
                    if (attempt == 0)
                    {
                        counters.Hit();
                    }

                    await ServeCachedAsync(context, cached, stream).ConfigureAwait(false);
                    return;
                }
            }

            if (edge.GetOrStartFill(key) is not { } fill)
            {
                continue;
            }

            if (attempt == 0)
            {
                counters.Miss();
            }

            await fill.HeadersKnown.WaitAsync(aborted).ConfigureAwait(false);
            if (fill.Status != HttpStatusCode.OK)
            {
                response.StatusCode = fill.Status == HttpStatusCode.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status502BadGateway;
                return;
            }

            if (!fill.StreamThrough)
            {
                // Processed content: served once processed and cached.
                while (fill.State is FillState.Downloading or FillState.Processing)
                {
                    await fill.NextProgress().WaitAsync(aborted).ConfigureAwait(false);
                }

                continue;
            }

            try
            {
                await ServeFillAsync(context, fill).ConfigureAwait(false);
                return;
            }
            catch (FileNotFoundException) when (!response.HasStarted)
            {
                // The download finished and its file moved into the cache just now.
            }
        }

        response.StatusCode = StatusCodes.Status502BadGateway;
    }

    private async Task ServeCachedAsync(HttpContext context, CachedObject cached, Stream stream)
    {
        var response = context.Response;
        response.ContentType = cached.ContentType;
        response.Headers.AcceptRanges = "bytes";
        var (offset, length) = SelectRange(context, cached.Length);
        if (length < 0)
        {
            return;
        }

        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        stream.Position = offset;
        var buffer = new byte[64 * 1024];
        var left = length;
        while (left > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"the cache file of {cached.Key} ended early");
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
            left -= read;
            counters.Served(read);
        }
    }

    private async Task ServeFillAsync(HttpContext context, OriginFill fill)
    {
        var response = context.Response;
        response.ContentType = fill.ContentType;
        long offset = 0;
        long? end = null;
        if (fill.Length is { } total)
        {
            // The length is known before the bytes are: ranges can be answered as the download goes.
            response.Headers.AcceptRanges = "bytes";
            var (first, length) = SelectRange(context, total);
            if (length < 0)
            {
                return;
            }

            response.ContentLength = length;
            offset = first;
            end = first + length;
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        // Open the file before the first byte goes out, so a fill that just finished can still be retried from the cache.
        await fill.CopyToAsync(response.Body, offset, end, bytes => counters.Served(bytes), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Sets the status for the request's Range; returns the byte span to send, or a negative length when there is no body (416).</summary>
    private static (long Offset, long Length) SelectRange(HttpContext context, long total)
    {
        var response = context.Response;
        switch (ByteRange.Parse(context.Request.Headers.Range.ToString(), total, out var range))
        {
            case RangeKind.Partial:
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = range.ContentRange(total);
                return (range.First, range.Length);
            case RangeKind.Unsatisfiable:
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{total}");
                return (0, -1);
            default:
                response.StatusCode = StatusCodes.Status200OK;
                return (0, total);
        }
    }

    /// <summary>The cache key: the request target as the origin will see it.</summary>
    private static bool TryKeyOf(HttpRequest request, out string key)
    {
        var path = request.Path.Value;
        key = string.Empty;
        if (string.IsNullOrEmpty(path) || path[0] != '/' || path.StartsWith("//", StringComparison.Ordinal) || path.Length > 2048)
        {
            return false;
        }

        key = path + request.QueryString.Value;
        return Uri.TryCreate("http://origin" + key, UriKind.Absolute, out _);
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "Serving {Path} failed: {Error}")]
        public static partial void RequestFailed(ILogger logger, string path, string error);
    }
}
