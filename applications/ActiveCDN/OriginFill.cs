using System.Net;

namespace NetServ.Apps.ActiveCdn;

/// <summary>How an origin download ended, or whether it is still going.</summary>
internal enum FillState
{
    Downloading,
    Processing,
    Cached,
    Failed,
}

/// <summary>
/// One download of one object from the origin, shared by every request for the object while it
/// lasts (single flight). The body goes to a file in the cache directory; readers follow the file
/// as it grows, so the first client is served while the object is being cached (stream-through).
/// Objects that are processed before caching (watermarked video) are served once processed.
/// </summary>
internal sealed class OriginFill
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;

    public OriginFill(string key, string temporaryPath)
    {
        Key = key;
        TemporaryPath = temporaryPath;
    }

    public string Key { get; }

    public string TemporaryPath { get; }

    /// <summary>The origin's status once headers arrived: 200, or what it answered instead.</summary>
    public HttpStatusCode Status { get; private set; }

    public string ContentType { get; private set; } = "application/octet-stream";

    /// <summary>The object's length when the origin said it, else null until the download is complete.</summary>
    public long? Length { get; private set; }

    /// <summary>Whether clients are served from the download as it goes (false while content is to be processed first).</summary>
    public bool StreamThrough { get; private set; }

    public FillState State { get; private set; } = FillState.Downloading;

    /// <summary>Completes when the origin's status and headers are known.</summary>
    public Task HeadersKnown => _headers.Task;

    public long Written => Interlocked.Read(ref _written);

    public void SetHeaders(HttpStatusCode status, string? contentType, long? length, bool streamThrough)
    {
        Status = status;
        ContentType = string.IsNullOrEmpty(contentType) ? ContentType : contentType;
        Length = length;
        StreamThrough = streamThrough;
        _headers.TrySetResult();
    }

    /// <summary>Called by the downloader after it appended bytes to the file.</summary>
    public void Advance(long bytes)
    {
        Interlocked.Add(ref _written, bytes);
        Pulse();
    }

    /// <summary>The download and any processing ended: <paramref name="state"/> is Cached or Failed.</summary>
    public void Finish(FillState state, long? finalLength = null)
    {
        lock (_lock)
        {
            if (finalLength is { } length)
            {
                Length = length;
            }

            State = state;
        }

        _headers.TrySetResult();
        Pulse();
    }

    public void SetProcessing()
    {
        lock (_lock)
        {
            State = FillState.Processing;
        }
    }

    /// <summary>A task that completes at the next progress or state change.</summary>
    public Task NextProgress()
    {
        lock (_lock)
        {
            return _progress.Task;
        }
    }

    /// <summary>
    /// Copies bytes [<paramref name="offset"/>, <paramref name="end"/>) of the object to
    /// <paramref name="destination"/> as they arrive (to the end of the object when <paramref name="end"/> is null).
    /// Reports each chunk to <paramref name="copied"/>; returns the bytes copied; throws <see cref="IOException"/> if the download fails midway.
    /// </summary>
    public async Task<long> CopyToAsync(Stream destination, long offset, long? end, Action<int> copied, CancellationToken cancellationToken)
    {
        await using var file = ContentCache.OpenRead(TemporaryPath);
        file.Position = offset;
        var buffer = new byte[64 * 1024];
        var position = offset;
        while (end is null || position < end)
        {
            var progress = NextProgress();
            var available = Written - position;
            if (available > 0)
            {
                var want = (int)Math.Min(buffer.Length, Math.Min(available, (end ?? long.MaxValue) - position));
                var read = await file.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"the cache file of {Key} is shorter than written");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                copied(read);
                position += read;
                continue;
            }

            switch (State)
            {
                case FillState.Failed:
                    throw new IOException($"the origin download of {Key} failed after {position} bytes");
                case FillState.Cached or FillState.Processing when Written <= position:
                    return position - offset;
            }

            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return position - offset;
    }

    private void Pulse()
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            previous = _progress;
            _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
