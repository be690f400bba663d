using System.Xml;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Geni.Credentials;
using NetServ.RSpec;

namespace NetServ.Geni.LocalAggregate;

/// <summary>A sliver's status as every v3 call reports it.</summary>
public sealed record SliverStatus(string SliverUrn, DateTimeOffset Expires, string AllocationStatus, string OperationalStatus, string Error);

/// <summary>What Allocate, Provision, Describe and Status answer about a slice: its manifest (not for Status) and the slivers concerned.</summary>
public sealed record SliceAnswer(string SliceUrn, string? Manifest, IReadOnlyList<SliverStatus> Slivers);

/// <summary>
/// The local aggregate's GENI state, apart from XML-RPC and credentials: slices and their slivers
/// through allocation, provisioning and operational actions, expiry on the injected clock (an
/// expired allocation or sliver is released by the aggregate itself, at every call and on a timer),
/// and persistence to the state directory. Refusals are <see cref="AggregateRefusalException"/>s with their v3 code.
/// One call at a time: the state is small and provisioning is the slow part anyway.
/// </summary>
public sealed partial class AggregateManager : IAsyncDisposable
{
    private readonly AggregateOptions options;
    private readonly ISliverProvisioner provisioner;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SliceStore store;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, SliceState> slices = new(StringComparer.OrdinalIgnoreCase);
    private ITimer? expiryTimer;

    public AggregateManager(AggregateOptions options, ISliverProvisioner provisioner, TimeProvider time, ILogger<AggregateManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.provisioner = provisioner;
        this.time = time;
        this.logger = logger ?? NullLogger<AggregateManager>.Instance;
        store = new SliceStore(options.StateDirectory);
    }

    public AggregateOptions Options => options;

    /// <summary>
    /// Finds the slices of the state directory again; those whose slivers all expired while the
    /// aggregate was down are released and forgotten, unreadable files are set aside as <c>.bad</c>.
    /// Then scans for expiry every <see cref="AggregateOptions.ExpiryScanInterval"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (path, slice, problem) in store.LoadAll())
            {
                if (slice is null)
                {
                    Log.StateUnreadable(logger, path, problem ?? "");
                    File.Move(path, path + ".bad", overwrite: true);
                    continue;
                }

                slices[slice.SliceUrn] = slice;
                Log.SliceFound(logger, slice.SliceUrn, slice.Slivers.Count);
            }

            await ExpireLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        expiryTimer = time.CreateTimer(_ => _ = ScanAsync(), null, options.ExpiryScanInterval, options.ExpiryScanInterval);
    }

    /// <summary>Releases every expired sliver now.</summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ExpireLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The advertisement: every node, or only the free ones.</summary>
    public Task<string> ListResourcesAsync(bool availableOnly, CancellationToken cancellationToken)
        => Locked(() => Task.FromResult(AggregateRSpecs.Advertisement(options, UsedComponents(), availableOnly)), cancellationToken);

    /// <summary>The slice the <paramref name="urns"/> of a call name (a slice URN, or slivers of one slice): the target its credentials must be for.</summary>
    public Task<string> SliceOfAsync(IReadOnlyList<string> urns, CancellationToken cancellationToken)
        => Locked(() => Task.FromResult(Resolve(urns).Slice.SliceUrn), cancellationToken);

    /// <summary>Allocates a sliver for each node of <paramref name="rspec"/> until the earliest of the allocation lifetime, <paramref name="credentialExpires"/> and <paramref name="endTime"/>.</summary>
    public Task<SliceAnswer> AllocateAsync(string sliceUrn, string rspec, DateTimeOffset credentialExpires, DateTimeOffset? endTime, CancellationToken cancellationToken)
        => Locked(() => Task.FromResult(Allocate(sliceUrn, rspec, credentialExpires, endTime)), cancellationToken);

    /// <summary>Provisions the allocated slivers among <paramref name="urns"/> through the provisioner, with the users' keys.</summary>
    public Task<SliceAnswer> ProvisionAsync(IReadOnlyList<string> urns, DateTimeOffset credentialExpires, DateTimeOffset? endTime, IReadOnlyList<SliverUser> users, CancellationToken cancellationToken)
        => Locked(() => ProvisionLockedAsync(urns, credentialExpires, endTime, users, cancellationToken), cancellationToken);

    public Task<SliceAnswer> DescribeAsync(IReadOnlyList<string> urns, CancellationToken cancellationToken)
        => Locked(
            async () =>
            {
                var (slice, slivers) = Resolve(urns);
                return new SliceAnswer(slice.SliceUrn, Manifest(slice, slivers), await RealStatusesAsync(slice, slivers, cancellationToken).ConfigureAwait(false));
            },
            cancellationToken);

    /// <summary>The slivers' states, a provisioned node's as the provisioner finds it: one that should run and does not, or is gone, is <c>geni_failed</c> with why.</summary>
    public Task<SliceAnswer> StatusAsync(IReadOnlyList<string> urns, CancellationToken cancellationToken)
        => Locked(
            async () =>
            {
                var (slice, slivers) = Resolve(urns);
                return new SliceAnswer(slice.SliceUrn, null, await RealStatusesAsync(slice, slivers, cancellationToken).ConfigureAwait(false));
            },
            cancellationToken);

    /// <summary>Renews the slivers until <paramref name="requested"/>; refused (OUT_OF_RANGE) when that is past, or later than the lease the aggregate allows (for allocated slivers, the allocation lifetime) or the credential lasts.</summary>
    public Task<IReadOnlyList<SliverStatus>> RenewAsync(IReadOnlyList<string> urns, DateTimeOffset requested, DateTimeOffset credentialExpires, CancellationToken cancellationToken)
        => Locked(() => Task.FromResult(Renew(urns, requested, credentialExpires)), cancellationToken);

    /// <summary>geni_start, geni_restart or geni_stop on provisioned slivers. With <paramref name="bestEffort"/>, slivers in the wrong state get a <c>geni_error</c> and the others go on.</summary>
    public Task<IReadOnlyList<SliverStatus>> PerformOperationalActionAsync(IReadOnlyList<string> urns, string action, bool bestEffort, CancellationToken cancellationToken)
        => Locked(() => ActAsync(urns, action, bestEffort, cancellationToken), cancellationToken);

    /// <summary>Releases the slivers and forgets them; a slice left without slivers is forgotten too.</summary>
    public Task<IReadOnlyList<SliverStatus>> DeleteAsync(IReadOnlyList<string> urns, CancellationToken cancellationToken)
        => Locked(
            async () =>
            {
                var (slice, slivers) = Resolve(urns);
                await ReleaseAsync(slice, slivers, cancellationToken).ConfigureAwait(false);
                Log.Deleted(logger, slice.SliceUrn, slivers.Count);
                return (IReadOnlyList<SliverStatus>)[.. slivers.Select(s => StatusOf(s) with { AllocationStatus = AllocationStatus.Unallocated, OperationalStatus = OperationalStatus.PendingAllocation })];
            },
            cancellationToken);

    /// <summary>Stops every running sliver of the slice and refuses anything more but Delete: the operator's emergency stop.</summary>
    public Task ShutdownAsync(string sliceUrn, CancellationToken cancellationToken)
        => Locked(
            async () =>
            {
                var slice = Find(sliceUrn);
                var running = slice.Slivers.Where(s => s.OperationalStatus == OperationalStatus.Ready).ToList();
                if (running.Count > 0)
                {
                    await provisioner.StopAsync(slice.SliceUrn, [.. running.Select(s => s.ClientId)], cancellationToken).ConfigureAwait(false);
                    running.ForEach(s => s.OperationalStatus = OperationalStatus.NotReady);
                }

                slice.ShutDown = true;
                store.Save(slice);
                Log.ShutDown(logger, slice.SliceUrn);
                return true;
            },
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (expiryTimer is not null)
        {
            await expiryTimer.DisposeAsync().ConfigureAwait(false);
        }

        gate.Dispose();
    }

    private async Task ScanAsync()
    {
        try
        {
            await ExpireAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The aggregate stopped while the timer fired.
        }
        catch (Exception e)
        {
            Log.ExpiryFailed(logger, e);
        }
    }

    private async Task<T> Locked<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // As the reference aggregate does: whatever expired is gone before a call sees the state.
            await ExpireLockedAsync(cancellationToken).ConfigureAwait(false);
            return await action().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ExpireLockedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var slice in slices.Values.ToList())
        {
            var expired = slice.Slivers.Where(s => s.Expires <= now).ToList();
            if (expired.Count > 0)
            {
                await ReleaseAsync(slice, expired, cancellationToken).ConfigureAwait(false);
                Log.Expired(logger, slice.SliceUrn, expired.Count);
            }
        }
    }

    private async Task ReleaseAsync(SliceState slice, IReadOnlyList<SliverState> slivers, CancellationToken cancellationToken)
    {
        var provisioned = slivers.Where(s => s.AllocationStatus == AllocationStatus.Provisioned).Select(s => s.ClientId).ToList();
        if (provisioned.Count > 0)
        {
            await provisioner.ReleaseAsync(slice.SliceUrn, provisioned, cancellationToken).ConfigureAwait(false);
        }

        slice.Slivers.RemoveAll(slivers.Contains);
        if (slice.Slivers.Count == 0)
        {
            slices.Remove(slice.SliceUrn);
            store.Remove(slice.SliceUrn);
        }
        else
        {
            store.Save(slice);
        }
    }

    private SliceAnswer Allocate(string sliceUrn, string rspec, DateTimeOffset credentialExpires, DateTimeOffset? endTime)
    {
        if (GeniUrn.TryParse(sliceUrn) is not { Type: "slice" })
        {
            throw new AggregateRefusalException(GeniCode.BADARGS, $"{sliceUrn} is not a slice URN (urn:publicid:IDN+authority+slice+name)");
        }

        var request = ReadRequest(rspec);
        slices.TryGetValue(sliceUrn, out var slice);
        if (slice?.ShutDown == true)
        {
            throw new AggregateRefusalException(GeniCode.UNAVAILABLE, $"the slice {sliceUrn} is shut down: delete it");
        }

        if (slice is not null && request.Nodes.FirstOrDefault(n => slice.Slivers.Any(s => s.ClientId == n.ClientId)) is { } again)
        {
            throw new AggregateRefusalException(GeniCode.ALREADYEXISTS, $"the node {again.ClientId} is already a sliver of {sliceUrn}: delete it first or give the new node another client_id");
        }

        var used = UsedComponents();
        var free = Enumerable.Range(0, options.NodeCount).Select(i => AggregateRSpecs.ComponentId(options, i)).Where(c => !used.Contains(c)).ToList();
        if (request.Nodes.Count > free.Count)
        {
            throw new AggregateRefusalException(GeniCode.TOOBIG, $"the request asks for {request.Nodes.Count} nodes; this aggregate has {options.NodeCount}, of which {free.Count} are free");
        }

        var now = time.GetUtcNow();
        var expires = Earliest(now + options.AllocationLifetime, credentialExpires, endTime);
        if (expires <= now)
        {
            throw new AggregateRefusalException(GeniCode.OUTOFRANGE, $"the requested end time {endTime:u} is past");
        }

        slice ??= new SliceState { SliceUrn = sliceUrn };
        var added = request.Nodes.Select((node, i) => new SliverState
        {
            SliverUrn = $"urn:publicid:IDN+{options.AuthorityName}+sliver+{Guid.NewGuid():N}",
            ClientId = node.ClientId,
            ComponentId = free[i],
            AllocationStatus = AllocationStatus.Allocated,
            OperationalStatus = OperationalStatus.PendingAllocation,
            Expires = expires,
        }).ToList();
        slice.Requests.Add(rspec);
        slice.Slivers.AddRange(added);
        slices[sliceUrn] = slice;
        store.Save(slice);
        Log.Allocated(logger, sliceUrn, added.Count, expires);
        return new SliceAnswer(sliceUrn, Manifest(slice, slice.Slivers), [.. added.Select(StatusOf)]);
    }

    private async Task<SliceAnswer> ProvisionLockedAsync(IReadOnlyList<string> urns, DateTimeOffset credentialExpires, DateTimeOffset? endTime, IReadOnlyList<SliverUser> users, CancellationToken cancellationToken)
    {
        var (slice, slivers) = Resolve(urns);
        RefuseIfShutDown(slice);
        var pending = slivers.Where(s => s.AllocationStatus == AllocationStatus.Allocated).ToList();
        if (pending.Count > 0)
        {
            var whole = Combined(slice);
            var names = pending.Select(s => s.ClientId).ToHashSet(StringComparer.Ordinal);
            var interfaces = whole.Nodes.Where(n => names.Contains(n.ClientId)).SelectMany(n => n.Interfaces).Select(i => i.ClientId).ToHashSet(StringComparer.Ordinal);
            var part = whole with
            {
                Nodes = [.. whole.Nodes.Where(n => names.Contains(n.ClientId))],
                Links = [.. whole.Links.Where(l => l.InterfaceRefs.All(interfaces.Contains))],
            };
            IReadOnlyList<ProvisionedNode> nodes;
            try
            {
                nodes = await provisioner.ProvisionAsync(slice.SliceUrn, part, users, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not AggregateRefusalException)
            {
                Log.ProvisionFailed(logger, slice.SliceUrn, e);
                throw new AggregateRefusalException(GeniCode.SERVERERROR, $"provisioning {slice.SliceUrn} failed: {e.Message}");
            }

            var now = time.GetUtcNow();
            var expires = Earliest(now + options.SliverLifetime, credentialExpires, endTime);
            foreach (var sliver in pending)
            {
                sliver.AllocationStatus = AllocationStatus.Provisioned;
                sliver.OperationalStatus = OperationalStatus.NotReady;
                sliver.Expires = expires;
                sliver.Login = nodes.FirstOrDefault(n => n.ClientId == sliver.ClientId);
                sliver.Error = sliver.Login is null ? "the provisioner gave no login for this node" : "";
            }

            store.Save(slice);
            Log.Provisioned(logger, slice.SliceUrn, pending.Count, expires);
        }

        return new SliceAnswer(slice.SliceUrn, Manifest(slice, slice.Slivers), [.. slivers.Select(StatusOf)]);
    }

    private IReadOnlyList<SliverStatus> Renew(IReadOnlyList<string> urns, DateTimeOffset requested, DateTimeOffset credentialExpires)
    {
        var (slice, slivers) = Resolve(urns);
        RefuseIfShutDown(slice);
        var now = time.GetUtcNow();
        var latest = Earliest(now + options.MaxLease, credentialExpires, null);
        if (requested <= now)
        {
            throw new AggregateRefusalException(GeniCode.OUTOFRANGE, $"the requested expiration {requested:u} is not in the future (it is {now:u})");
        }

        if (requested > latest)
        {
            var why = latest == credentialExpires ? "the slice credential expires then" : $"this aggregate renews up to {options.MaxLease.TotalDays:0.#} days ahead";
            throw new AggregateRefusalException(GeniCode.OUTOFRANGE, $"the requested expiration {requested:u} is past {latest:u}, the latest allowed: {why}");
        }

        if (slivers.Any(s => s.AllocationStatus == AllocationStatus.Allocated) && requested > now + options.AllocationLifetime)
        {
            // Otherwise an allocation never provisioned could hold nodes for the whole lease.
            throw new AggregateRefusalException(GeniCode.OUTOFRANGE, $"the requested expiration {requested:u} is past {now + options.AllocationLifetime:u}: an allocation is held {options.AllocationLifetime.TotalMinutes:0.#} minutes at most; provision it to keep it longer");
        }

        slivers.ToList().ForEach(s => s.Expires = requested);
        store.Save(slice);
        return [.. slivers.Select(StatusOf)];
    }

    private async Task<IReadOnlyList<SliverStatus>> ActAsync(IReadOnlyList<string> urns, string action, bool bestEffort, CancellationToken cancellationToken)
    {
        var (from, to) = action switch
        {
            "geni_start" => (OperationalStatus.NotReady, OperationalStatus.Ready),
            "geni_restart" => (OperationalStatus.Ready, OperationalStatus.Ready),
            "geni_stop" => (OperationalStatus.Ready, OperationalStatus.NotReady),
            _ => throw new AggregateRefusalException(GeniCode.UNSUPPORTED, $"the action {action} is not one this aggregate performs (geni_start, geni_restart, geni_stop)"),
        };
        var (slice, slivers) = Resolve(urns);
        RefuseIfShutDown(slice);
        var errors = new Dictionary<SliverState, string>();
        foreach (var sliver in slivers.Where(s => s.AllocationStatus != AllocationStatus.Provisioned || s.OperationalStatus != from))
        {
            errors[sliver] = $"{sliver.ClientId} is {sliver.AllocationStatus}/{sliver.OperationalStatus}; {action} needs {AllocationStatus.Provisioned}/{from}";
        }

        if (errors.Count > 0 && !bestEffort)
        {
            throw new AggregateRefusalException(GeniCode.UNSUPPORTED, string.Join("; ", errors.Values));
        }

        var acting = slivers.Where(s => !errors.ContainsKey(s)).ToList();
        if (acting.Count > 0)
        {
            IReadOnlyList<string> ids = [.. acting.Select(s => s.ClientId)];
            if (action == "geni_stop")
            {
                acting.ForEach(s => s.OperationalStatus = OperationalStatus.Stopping);
                await provisioner.StopAsync(slice.SliceUrn, ids, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                acting.ForEach(s => s.OperationalStatus = OperationalStatus.Configuring);
                await provisioner.StartAsync(slice.SliceUrn, ids, cancellationToken).ConfigureAwait(false);
            }

            acting.ForEach(s => s.OperationalStatus = to);
            store.Save(slice);
        }

        return [.. slivers.Select(s => StatusOf(s) with { Error = errors.GetValueOrDefault(s, s.Error) })];
    }

    /// <summary>The slice and slivers a call's URNs name, all of one slice.</summary>
    private (SliceState Slice, IReadOnlyList<SliverState> Slivers) Resolve(IReadOnlyList<string> urns)
    {
        if (urns.Count == 0)
        {
            throw new AggregateRefusalException(GeniCode.BADARGS, "the call names no slice or sliver URN");
        }

        SliceState? slice = null;
        var slivers = new List<SliverState>();
        foreach (var urn in urns)
        {
            var parsed = GeniUrn.TryParse(urn) ?? throw new AggregateRefusalException(GeniCode.BADARGS, $"{urn} is not a GENI URN");
            SliceState found;
            if (string.Equals(parsed.Type, "slice", StringComparison.OrdinalIgnoreCase))
            {
                found = Find(urn);
                slivers.AddRange(found.Slivers.Except(slivers));
            }
            else if (string.Equals(parsed.Type, "sliver", StringComparison.OrdinalIgnoreCase))
            {
                found = slices.Values.FirstOrDefault(s => s.Slivers.Any(v => string.Equals(v.SliverUrn, urn, StringComparison.OrdinalIgnoreCase)))
                    ?? throw new AggregateRefusalException(GeniCode.SEARCHFAILED, $"no sliver {urn} here: it was deleted, expired or never allocated");
                slivers.Add(found.Slivers.First(v => string.Equals(v.SliverUrn, urn, StringComparison.OrdinalIgnoreCase)));
            }
            else
            {
                throw new AggregateRefusalException(GeniCode.BADARGS, $"{urn} is a {parsed.Type} URN; give a slice or sliver URN");
            }

            if (slice is not null && slice != found)
            {
                throw new AggregateRefusalException(GeniCode.BADARGS, $"the URNs name slivers of two slices ({slice.SliceUrn} and {found.SliceUrn}); one call is about one slice");
            }

            slice = found;
        }

        return (slice!, slivers);
    }

    private SliceState Find(string sliceUrn)
        => slices.TryGetValue(sliceUrn, out var slice)
            ? slice
            : throw new AggregateRefusalException(GeniCode.SEARCHFAILED, $"no slice {sliceUrn} here: it has no slivers (deleted, expired or never allocated)");

    private static void RefuseIfShutDown(SliceState slice)
    {
        if (slice.ShutDown)
        {
            throw new AggregateRefusalException(GeniCode.UNAVAILABLE, $"the slice {slice.SliceUrn} is shut down: delete it");
        }
    }

    private HashSet<string> UsedComponents() => slices.Values.SelectMany(s => s.Slivers).Select(s => s.ComponentId).ToHashSet(StringComparer.Ordinal);

    private string Manifest(SliceState slice, IReadOnlyCollection<SliverState> slivers) => AggregateRSpecs.Manifest(options, Combined(slice), slivers);

    /// <summary>The slice's requests as one: the nodes and links of each Allocate.</summary>
    private static RequestRSpec Combined(SliceState slice)
    {
        var requests = slice.Requests.Select(ReadRequest).ToList();
        return requests[0] with
        {
            Nodes = [.. requests.SelectMany(r => r.Nodes)],
            Links = [.. requests.SelectMany(r => r.Links)],
        };
    }

    /// <summary>Reads a request rspec: not a request → BADARGS with where; an rspec of another version → BADVERSION.</summary>
    internal static RequestRSpec ReadRequest(string rspec)
    {
        if (RSpecReader.TryRead(rspec, out var request, out var error))
        {
            return request;
        }

        if (error.Kind == RSpecErrorKind.WrongRoot && RootNamespace(rspec) is { } other)
        {
            throw new AggregateRefusalException(GeniCode.BADVERSION, $"the request is an rspec of namespace {other}; this aggregate reads GENI RSpec version 3 ({AggregateRSpecs.Rspec3.NamespaceName})");
        }

        throw new AggregateRefusalException(GeniCode.BADARGS, $"the request rspec is refused at line {error.Line}, column {error.Column}: {error.Message}");
    }

    /// <summary>The namespace of an <c>&lt;rspec&gt;</c> root that is not RSpec v3's, or <see langword="null"/>.</summary>
    private static string? RootNamespace(string rspec)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(rspec), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            reader.MoveToContent();
            return reader.LocalName == "rspec" && reader.NamespaceURI != AggregateRSpecs.Rspec3.NamespaceName ? reader.NamespaceURI : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset first, DateTimeOffset second, DateTimeOffset? third)
    {
        var earliest = first < second ? first : second;
        return third is { } t && t < earliest ? t : earliest;
    }

    private async Task<IReadOnlyList<SliverStatus>> RealStatusesAsync(SliceState slice, IReadOnlyList<SliverState> slivers, CancellationToken cancellationToken)
    {
        var provisioned = slivers.Where(s => s.AllocationStatus == AllocationStatus.Provisioned).Select(s => s.ClientId).ToList();
        var conditions = provisioned.Count == 0
            ? new Dictionary<string, NodeCondition>()
            : await provisioner.InspectAsync(slice.SliceUrn, provisioned, cancellationToken).ConfigureAwait(false);
        return [.. slivers.Select(s => Real(StatusOf(s), s, conditions.TryGetValue(s.ClientId, out var c) ? c : null))];
    }

    private static SliverStatus Real(SliverStatus status, SliverState sliver, NodeCondition? condition) => condition switch
    {
        NodeCondition.Gone => status with { OperationalStatus = OperationalStatus.Failed, Error = $"{sliver.ClientId} is gone from this aggregate (removed, or lost when the aggregate restarted): delete the slice and allocate again" },
        NodeCondition.Stopped when sliver.OperationalStatus == OperationalStatus.Ready => status with { OperationalStatus = OperationalStatus.Failed, Error = $"{sliver.ClientId} stopped by itself: geni_restart it, or delete the slice" },
        _ => status,
    };

    private static SliverStatus StatusOf(SliverState sliver)
        => new(sliver.SliverUrn, sliver.Expires, sliver.AllocationStatus, sliver.OperationalStatus, sliver.Error);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3531, Level = LogLevel.Information, Message = "Allocated {Count} slivers to {Slice} until {Expires}")]
        public static partial void Allocated(ILogger logger, string slice, int count, DateTimeOffset expires);

        [LoggerMessage(EventId = 3532, Level = LogLevel.Information, Message = "Provisioned {Count} slivers of {Slice} until {Expires}")]
        public static partial void Provisioned(ILogger logger, string slice, int count, DateTimeOffset expires);

        [LoggerMessage(EventId = 3533, Level = LogLevel.Information, Message = "Deleted {Count} slivers of {Slice}")]
        public static partial void Deleted(ILogger logger, string slice, int count);

        [LoggerMessage(EventId = 3534, Level = LogLevel.Information, Message = "Released {Count} expired slivers of {Slice}")]
        public static partial void Expired(ILogger logger, string slice, int count);

        [LoggerMessage(EventId = 3535, Level = LogLevel.Warning, Message = "Slice {Slice} shut down")]
        public static partial void ShutDown(ILogger logger, string slice);

        [LoggerMessage(EventId = 3536, Level = LogLevel.Error, Message = "Provisioning {Slice} failed")]
        public static partial void ProvisionFailed(ILogger logger, string slice, Exception exception);

        [LoggerMessage(EventId = 3537, Level = LogLevel.Error, Message = "Releasing expired slivers failed")]
        public static partial void ExpiryFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3538, Level = LogLevel.Warning, Message = "Set aside the unreadable slice state {Path}: {Problem}")]
        public static partial void StateUnreadable(ILogger logger, string path, string problem);

        [LoggerMessage(EventId = 3539, Level = LogLevel.Information, Message = "Found slice {Slice} again with {Count} slivers")]
        public static partial void SliceFound(ILogger logger, string slice, int count);
    }
}
