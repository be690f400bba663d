using NetServ.RSpec;

namespace NetServ.Geni.AmApi;

/// <summary>A step of reserving a slice, for a progress line.</summary>
/// <param name="Text">What happened, for a person.</param>
/// <param name="Status">The Status answer it reports, while waiting for the slivers.</param>
public sealed record ReservationProgress(string Text, AmSliceStatus? Status = null);

/// <summary>Reserving failed: a call was refused, or the slivers did not all become ready; <see cref="Exception.Message"/> says which nodes and why.</summary>
public sealed class SliceReservationException : Exception
{
    public SliceReservationException()
    {
    }

    public SliceReservationException(string message)
        : base(message)
    {
    }

    public SliceReservationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The wait's outcome when the slivers did not become ready; <see langword="null"/> when a call failed.</summary>
    public StatusPollResult? Readiness { get; init; }
}

/// <summary>What Delete said: released, or refused (then the slivers stay until they expire).</summary>
/// <param name="Released">Whether the aggregate released the slivers.</param>
/// <param name="Description">For a person: what was released, or why not and until when the slivers stay.</param>
public sealed record ReleaseOutcome(bool Released, string Description);

/// <summary>
/// One slice at one aggregate, as a GENI client drives it: reserve (Allocate, Provision, PerformOperationalAction geni_start,
/// Status until every sliver is ready, Describe for the manifest) and release (Delete). The same calls serve
/// <c>netserv-lab run --aggregate</c> and <c>netserv-lab slice</c>.
/// </summary>
public sealed class SliceReservation(AmApiClient client, string sliceUrn, IReadOnlyList<AmCredential> credentials, StatusPoller? poller = null)
{
    private readonly StatusPoller poller = poller ?? new StatusPoller();

    public AmApiClient Client => client;

    public string SliceUrn => sliceUrn;

    public IReadOnlyList<AmCredential> Credentials => credentials;

    /// <summary>Allocate: the aggregate reserves what <paramref name="requestRSpec"/> asks for, until <paramref name="endTime"/> when given.</summary>
    public Task<AmManifestResult> AllocateAsync(string requestRSpec, DateTimeOffset? endTime, CancellationToken cancellationToken)
        => client.AllocateAsync(sliceUrn, credentials, requestRSpec, endTime, cancellationToken);

    /// <summary>Provision then geni_start: the nodes are made, with login for <paramref name="users"/>' keys, and started.</summary>
    public async Task<IReadOnlyList<AmSliver>> ProvisionAndStartAsync(IReadOnlyList<AmUser> users, CancellationToken cancellationToken)
    {
        await client.ProvisionAsync([sliceUrn], credentials, users, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await client.PerformOperationalActionAsync([sliceUrn], credentials, OperationalAction.Start, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every sliver is ready; a failed or late sliver is a <see cref="SliceReservationException"/> naming its node.</summary>
    public async Task<StatusPollResult> WaitUntilReadyAsync(StatusPollerOptions options, ManifestRSpec? manifest, IProgress<ReservationProgress>? progress, CancellationToken cancellationToken)
    {
        var statuses = progress is null ? null : new StatusProgress(s => progress.Report(new ReservationProgress($"Status: {Summarise(s, manifest)}", s)));
        var ready = await poller.WaitUntilReadyAsync(client, [sliceUrn], credentials, options, manifest, statuses, cancellationToken).ConfigureAwait(false);
        return ready.Outcome == SliceReadiness.Ready
            ? ready
            : throw new SliceReservationException($"the slivers at {client.Aggregate} are not ready: {ready.Describe()}") { Readiness = ready };
    }

    /// <summary>The slice's manifest now (Describe), read.</summary>
    /// <exception cref="SliceReservationException">The aggregate's manifest cannot be read.</exception>
    public async Task<(AmManifestResult Result, ManifestRSpec Manifest)> DescribeAsync(CancellationToken cancellationToken)
    {
        var described = await client.DescribeAsync([sliceUrn], credentials, cancellationToken: cancellationToken).ConfigureAwait(false);
        return described.TryReadManifest(out var manifest, out var error)
            ? (described, manifest)
            : throw new SliceReservationException($"the manifest {client.Aggregate} gave for {sliceUrn} cannot be read: {error}");
    }

    /// <summary>The whole reservation: Allocate, Provision, geni_start, Status until ready, Describe; the manifest.</summary>
    /// <exception cref="AmApiException">A call was refused or got no answer.</exception>
    /// <exception cref="SliceReservationException">A sliver failed or was not ready in time (named per node), or the manifest cannot be read.</exception>
    public async Task<ManifestRSpec> ReserveAsync(
        string requestRSpec, IReadOnlyList<AmUser> users, StatusPollerOptions options, IProgress<ReservationProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new ReservationProgress($"Allocate {sliceUrn} at {client.Aggregate}"));
        var allocated = await AllocateAsync(requestRSpec, null, cancellationToken).ConfigureAwait(false);
        progress?.Report(new ReservationProgress($"allocated {allocated.Slivers.Count} slivers; Provision and geni_start"));
        await ProvisionAndStartAsync(users, cancellationToken).ConfigureAwait(false);
        var (_, provisional) = await DescribeAsync(cancellationToken).ConfigureAwait(false);
        await WaitUntilReadyAsync(options, provisional, progress, cancellationToken).ConfigureAwait(false);
        var (_, manifest) = await DescribeAsync(cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Delete; a refusal (or no answer) is an outcome that says so, with when the slivers expire on their own.</summary>
    public async Task<ReleaseOutcome> DeleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await client.DeleteAsync([sliceUrn], credentials, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ReleaseOutcome(true, $"Delete at {client.Aggregate} released {deleted.Count} slivers of {sliceUrn}");
        }
        catch (AmApiException e) when (e.Code == GeniCode.SEARCHFAILED)
        {
            return new ReleaseOutcome(true, $"{client.Aggregate} has no slivers of {sliceUrn} left");
        }
        catch (AmApiException e)
        {
            return new ReleaseOutcome(false, $"the aggregate did not release the slice: {e.Message} The slivers stay until they expire; delete them with netserv-lab slice delete or at the aggregate's portal.");
        }
    }

    /// <summary>What is left of the slice at the aggregate (Status): nothing when it knows the slice no more.</summary>
    public async Task<IReadOnlyList<string>> LeftoversAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await client.StatusAsync([sliceUrn], credentials, cancellationToken).ConfigureAwait(false);
            return [.. status.Slivers.Where(s => s.Allocation != AllocationState.Unallocated).Select(s => $"sliver {s.Urn} ({s.AllocationStatus}) at {client.Aggregate.Name}")];
        }
        catch (AmApiException e) when (e.Code == GeniCode.SEARCHFAILED)
        {
            return [];
        }
    }

    /// <summary>A Status answer in one line: how many slivers are in which state, naming the nodes not ready.</summary>
    public static string Summarise(AmSliceStatus status, ManifestRSpec? manifest)
    {
        ArgumentNullException.ThrowIfNull(status);
        var states = status.Slivers.GroupBy(s => s.OperationalStatus ?? s.AllocationStatus).Select(g => $"{g.Count()} {g.Key}");
        var waiting = status.Slivers.Where(s => s.Operational is not (OperationalState.Ready or OperationalState.ReadyBusy))
            .Select(s => manifest?.FindNodeOfSliver(s.Urn)?.ClientId ?? s.Urn).ToList();
        return $"{string.Join(", ", states)}{(waiting.Count > 0 ? $" (waiting for {string.Join(", ", waiting)})" : string.Empty)}";
    }

    /// <summary>Each Status answer handed on at once, on the poller's thread.</summary>
    private sealed class StatusProgress(Action<AmSliceStatus> report) : IProgress<AmSliceStatus>
    {
        public void Report(AmSliceStatus value) => report(value);
    }
}
