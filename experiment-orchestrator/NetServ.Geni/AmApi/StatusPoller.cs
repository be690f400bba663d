using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.RSpec;

namespace NetServ.Geni.AmApi;

/// <summary>Options of a <see cref="StatusPoller"/>.</summary>
public sealed record StatusPollerOptions
{
    /// <summary>Between two Status calls. CloudLab machines take minutes to boot; asking more often than every few seconds only loads the aggregate.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for every sliver to be ready. Bare-metal nodes with a custom image can take a quarter of an hour.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>How waiting for a slice ended.</summary>
public enum SliceReadiness
{
    /// <summary>Every sliver is <c>geni_ready</c> (or <c>geni_ready_busy</c>).</summary>
    Ready,

    /// <summary>A sliver failed (<c>geni_failed</c>) or was released while waiting.</summary>
    Failed,

    /// <summary>Not every sliver was ready within the timeout.</summary>
    TimedOut,
}

/// <summary>How waiting ended, the last Status seen, and the slivers that failed or were not ready.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Last">The last Status answer; <see langword="null"/> when none came before the timeout.</param>
/// <param name="Culprits">The failed slivers (<see cref="SliceReadiness.Failed"/>) or those not ready (<see cref="SliceReadiness.TimedOut"/>), each with its node's name.</param>
/// <param name="Elapsed">How long the wait took.</param>
public sealed record StatusPollResult(SliceReadiness Outcome, AmSliceStatus? Last, IReadOnlyList<NamedSliver> Culprits, TimeSpan Elapsed)
{
    /// <summary>For a person: what happened, naming each node that failed or was not ready.</summary>
    public string Describe() => Outcome switch
    {
        SliceReadiness.Ready => $"every sliver is ready after {Elapsed.TotalSeconds:0} s",
        SliceReadiness.Failed => $"{string.Join("; ", Culprits.Select(c => $"{c} failed{(c.Sliver.Error is { } e ? $": {e}" : c.Sliver.Allocation == AllocationState.Unallocated ? ": the aggregate released it" : "")}"))}",
        _ => $"not ready after {Elapsed.TotalSeconds:0} s: {(Culprits.Count == 0 ? "the aggregate listed no slivers" : string.Join(", ", Culprits.Select(c => $"{c} is {c.Sliver.OperationalStatus ?? c.Sliver.AllocationStatus}")))}",
    };

    /// <summary>As <see cref="Describe"/>, so that logs say it.</summary>
    public override string ToString() => Describe();
}

/// <summary>A sliver with the name of the node it is (from the manifest), when known.</summary>
/// <param name="Name">The node's client id, or <see langword="null"/> when the manifest does not name the sliver.</param>
/// <param name="Sliver">The sliver.</param>
public sealed record NamedSliver(string? Name, AmSliver Sliver)
{
    public override string ToString() => Name is null ? Sliver.Urn : $"{Name} ({Sliver.Urn})";
}

/// <summary>
/// Calls Status until every sliver is ready, one fails, or the timeout passes, reporting each
/// answer as progress. BUSY answers (the aggregate is in the middle of something) are waited out.
/// Time is the injected <see cref="TimeProvider"/>, so tests move it rather than sleep.
/// </summary>
public sealed partial class StatusPoller
{
    private readonly TimeProvider time;
    private readonly ILogger logger;

    public StatusPoller(TimeProvider? time = null, ILogger<StatusPoller>? logger = null)
    {
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger<StatusPoller>.Instance;
    }

    /// <summary>Waits for the slivers <paramref name="urns"/> name at <paramref name="client"/>'s aggregate; a <paramref name="manifest"/>, when given, names them by their nodes.</summary>
    public Task<StatusPollResult> WaitUntilReadyAsync(
        AmApiClient client, IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, StatusPollerOptions? options = null,
        ManifestRSpec? manifest = null, IProgress<AmSliceStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return WaitUntilReadyAsync(token => client.StatusAsync(urns, credentials, token), options, manifest, progress, cancellationToken);
    }

    /// <summary>Waits, calling <paramref name="status"/> for each answer.</summary>
    /// <exception cref="AmApiException">A Status call failed with something other than BUSY.</exception>
    public async Task<StatusPollResult> WaitUntilReadyAsync(
        Func<CancellationToken, Task<AmSliceStatus>> status, StatusPollerOptions? options = null,
        ManifestRSpec? manifest = null, IProgress<AmSliceStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        options ??= new StatusPollerOptions();
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        AmSliceStatus? last = null;
        try
        {
            while (true)
            {
                try
                {
                    last = await status(linked.Token).ConfigureAwait(false);
                    progress?.Report(last);
                    if (Judge(last, manifest, time.GetElapsedTime(started)) is { } done)
                    {
                        return Finish(done);
                    }
                }
                catch (AmApiException e) when (e.Code is GeniCode.BUSY or GeniCode.SERVERBUSY)
                {
                    Log.Busy(logger, e.Aggregate.Name);
                }

                await Task.Delay(options.Interval, time, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Finish(TimedOut(last, manifest, time.GetElapsedTime(started)));
        }
        catch (AmApiException e) when (timeout.IsCancellationRequested && e.Failure == AmApiFailure.Unreachable && !cancellationToken.IsCancellationRequested)
        {
            // The timeout cancelled a Status call in flight: not the aggregate's failure.
            return Finish(TimedOut(last, manifest, time.GetElapsedTime(started)));
        }
    }

    private static StatusPollResult TimedOut(AmSliceStatus? last, ManifestRSpec? manifest, TimeSpan elapsed)
        => new(SliceReadiness.TimedOut, last, last?.Slivers.Where(s => !IsReady(s)).Select(s => Name(s, manifest)).ToList() ?? [], elapsed);

    private StatusPollResult Finish(StatusPollResult result)
    {
        Log.Done(logger, result.Outcome, result);
        return result;
    }

    private static StatusPollResult? Judge(AmSliceStatus status, ManifestRSpec? manifest, TimeSpan elapsed)
    {
        var failed = status.Slivers.Where(s => s.Operational == OperationalState.Failed || s.Allocation == AllocationState.Unallocated).ToList();
        if (failed.Count > 0)
        {
            return new StatusPollResult(SliceReadiness.Failed, status, failed.Select(s => Name(s, manifest)).ToList(), elapsed);
        }

        return status.Slivers.Count > 0 && status.Slivers.All(IsReady) ? new StatusPollResult(SliceReadiness.Ready, status, [], elapsed) : null;
    }

    private static bool IsReady(AmSliver sliver) => sliver.Operational is OperationalState.Ready or OperationalState.ReadyBusy;

    private static NamedSliver Name(AmSliver sliver, ManifestRSpec? manifest) => new(manifest?.FindNodeOfSliver(sliver.Urn)?.ClientId, sliver);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3521, Level = LogLevel.Information, Message = "Waiting for the slivers ended {Outcome}: {Description}")]
        public static partial void Done(ILogger logger, SliceReadiness outcome, StatusPollResult description);

        [LoggerMessage(EventId = 3522, Level = LogLevel.Debug, Message = "{Aggregate} is busy; asking for Status again later")]
        public static partial void Busy(ILogger logger, string aggregate);
    }
}
