namespace NetServ.Node.Control;

/// <summary>What <see cref="ModuleTable.CheckExpiry"/> found.</summary>
internal enum ExpiryCheck
{
    /// <summary>The module is no longer in the table (removed meanwhile, or replaced by a new install).</summary>
    Gone,

    /// <summary>A refresh moved the deadline; the timer is set for the rest.</summary>
    NotYet,

    /// <summary>The ttl ran out: the module is to be taken out.</summary>
    Due,
}

/// <summary>
/// The controller's soft state (paper section 4.2): the modules installed for each user, each with a
/// ttl. A module expires when its ttl runs out unless a SETUP refreshes it first; the timers run on
/// the injected <see cref="TimeProvider"/>. The table only keeps time: taking an expired module out
/// is the job of <see cref="Expired"/>, which runs under the user's lock.
/// </summary>
internal sealed class ModuleTable(TimeProvider time) : IAsyncDisposable
{
    // The timer may fire a little before the deadline as the wall clock reads it; the re-check waits this much past it.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(5);

    private readonly Dictionary<(string User, string Module), ModuleRecord> _modules = [];
    private long _sequence;

    /// <summary>
    /// Called when a module's timer runs out. A refresh may have come while the call waited for the
    /// user's lock, so the handler asks <see cref="CheckExpiry"/> before it acts.
    /// </summary>
    public Func<ModuleRecord, Task>? Expired { get; set; }

    /// <summary>The next installation number: modules are reinstalled in the order they were installed.</summary>
    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public ModuleRecord? Find(string user, string module)
    {
        lock (_modules)
        {
            return _modules.TryGetValue((user, module), out var record) ? record : null;
        }
    }

    /// <summary>Every module of every user, in no particular order.</summary>
    public ModuleRecord[] Records()
    {
        lock (_modules)
        {
            return _modules.Values.ToArray();
        }
    }

    /// <summary>A user's modules in the order they were installed.</summary>
    public ModuleRecord[] RecordsOf(string user) => Records().Where(r => r.User == user).OrderBy(r => r.Sequence).ToArray();

    /// <summary>Enters an installed module; it expires <see cref="ModuleRecord.Ttl"/> from now unless refreshed.</summary>
    public void Add(ModuleRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.ExpiryTimer = time.CreateTimer(_ => _ = OnTimerAsync(record), null, record.Ttl, Timeout.InfiniteTimeSpan);
        lock (_modules)
        {
            _modules[(record.User, record.Name.ToString())] = record;
        }
    }

    /// <summary>A SETUP for an installed module: it now lives <paramref name="ttl"/> from now.</summary>
    public void Refresh(ModuleRecord record, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.RefreshedAt = time.GetUtcNow();
        record.Ttl = ttl;
        record.ExpiryTimer?.Change(ttl, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether <paramref name="record"/>, whose timer ran out, is still here and due; if a refresh moved its deadline, sets the timer for the rest.</summary>
    public ExpiryCheck CheckExpiry(ModuleRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!ReferenceEquals(Find(record.User, record.Name.ToString()), record))
        {
            return ExpiryCheck.Gone;
        }

        // Wait for the rest, never give up: a module that missed its expiry would stay installed for good.
        var left = record.ExpiresAt - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            record.ExpiryTimer?.Change(left + Slack, Timeout.InfiniteTimeSpan);
            return ExpiryCheck.NotYet;
        }

        return ExpiryCheck.Due;
    }

    /// <summary>Takes a module out of the table and stops its timer.</summary>
    public async Task RemoveAsync(ModuleRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_modules)
        {
            _modules.Remove((record.User, record.Name.ToString()));
        }

        if (record.ExpiryTimer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var record in Records())
        {
            if (record.ExpiryTimer is { } timer)
            {
                await timer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private Task OnTimerAsync(ModuleRecord record) => Expired is { } expired ? expired(record) : Task.CompletedTask;
}
