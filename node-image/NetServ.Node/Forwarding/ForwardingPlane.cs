using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;

namespace NetServ.Node.Forwarding;

/// <summary>
/// The Linux forwarding plane: netservd's own chain in the filter table, jumped to from the
/// configured hooks, holding one NFQUEUE rule per filter destination of every installed module.
/// The chain is flushed and removed at start (whatever a crash left) and at stop.
/// </summary>
internal sealed partial class ForwardingPlane(IIptables iptables, IOptions<NodeConfiguration> options, ILogger<ForwardingPlane> logger) : IHostedService
{
    // A listing is kept only when no change of the chain was under way, began or ended while it was read.
    private long _version;
    private int _changing;
    private volatile Listing? _listing;

    private ForwardingConfiguration Settings => options.Value.Forwarding;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var change = Change();
        await RemoveChainAsync(cancellationToken).ConfigureAwait(false);
        await CheckAsync(["-N", Settings.Chain], cancellationToken).ConfigureAwait(false);
        if (options.Value.Signaling is { Enabled: true, Intercept: true } signaling)
        {
            // GIST Queries passing through go to netservd; what is not a NetServ Query is sent on unchanged.
            await CheckAsync(
                ["-A", Settings.Chain, "-p", "udp", "--dport", signaling.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "comment", "--comment", "netserv signaling", "-j", "NFQUEUE", "--queue-num", signaling.Queue.ToString(System.Globalization.CultureInfo.InvariantCulture), "--queue-bypass"],
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var hook in Settings.Hooks)
        {
            await CheckAsync(["-I", hook, "1", "-j", Settings.Chain], cancellationToken).ConfigureAwait(false);
        }

        Log.Ready(logger, Settings.Chain, string.Join(", ", Settings.Hooks));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var change = Change();
        await RemoveChainAsync(cancellationToken).ConfigureAwait(false);
        Log.Removed(logger, Settings.Chain);
    }

    /// <summary>Adds the rules of one module; on failure, the ones already added are taken out again.</summary>
    public async Task AddAsync(IReadOnlyList<FilterRule> rules, CancellationToken cancellationToken)
    {
        using var change = Change();
        var added = new List<FilterRule>();
        try
        {
            foreach (var rule in rules)
            {
                await CheckAsync(["-A", Settings.Chain, .. rule.Specification(Settings.QueueBypass)], cancellationToken).ConfigureAwait(false);
                added.Add(rule);
            }
        }
        catch
        {
            await RemoveAsync(added, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes rules; a rule already gone is not an error.</summary>
    public async Task RemoveAsync(IReadOnlyList<FilterRule> rules, CancellationToken cancellationToken)
    {
        using var change = Change();
        foreach (var rule in rules)
        {
            var result = await iptables.RunAsync(["-D", Settings.Chain, .. rule.Specification(Settings.QueueBypass)], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                Log.RemoveFailed(logger, rule.Comment, result.Error.Trim());
            }
        }
    }

    /// <summary>
    /// The modules' rules of the chain as iptables -S prints them (without the chain's own -N line and
    /// the signaling rule), read from the kernel once after each change this plane makes. Every status
    /// asks for them: running iptables each time made status requests (admin, PROBE) wait in line for
    /// a process start, which takes hundreds of milliseconds on a node whose CPUs are busy with packets.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var version = Interlocked.Read(ref _version);
        var quiet = Volatile.Read(ref _changing) == 0;
        if (quiet && _listing is { } kept && kept.Version == version)
        {
            return kept.Rules;
        }

        var result = await iptables.RunAsync(["-S", Settings.Chain], cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> rules = result.Succeeded
            ? result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.StartsWith("-A ", StringComparison.Ordinal) && !l.Contains("\"netserv signaling\"", StringComparison.Ordinal))
                .ToArray()
            : [];
        if (result.Succeeded && quiet && Volatile.Read(ref _changing) == 0 && Interlocked.Read(ref _version) == version)
        {
            _listing = new Listing(version, rules);
        }

        return rules;
    }

    /// <summary>Marks a change of the chain from now until disposed: listings read meanwhile are not kept.</summary>
    private ChainChange Change()
    {
        Interlocked.Increment(ref _changing);
        Interlocked.Increment(ref _version);
        return new ChainChange(this);
    }

    private sealed record Listing(long Version, IReadOnlyList<string> Rules);

    private readonly struct ChainChange(ForwardingPlane plane) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.Increment(ref plane._version);
            Interlocked.Decrement(ref plane._changing);
        }
    }

    private async Task RemoveChainAsync(CancellationToken cancellationToken)
    {
        // Every jump to the chain from any built-in chain, however many a crash left behind.
        foreach (var hook in new[] { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" })
        {
            var listing = await iptables.RunAsync(["-S", hook], cancellationToken).ConfigureAwait(false);
            if (!listing.Succeeded)
            {
                continue;
            }

            foreach (var line in listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var words = line.Split(' ');
                if (words.Length >= 4 && words[0] == "-A" && words[^2] == "-j" && words[^1] == Settings.Chain)
                {
                    await iptables.RunAsync(["-D", .. words[1..]], cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await iptables.RunAsync(["-F", Settings.Chain], cancellationToken).ConfigureAwait(false);
        await iptables.RunAsync(["-X", Settings.Chain], cancellationToken).ConfigureAwait(false);
    }

    private async Task CheckAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await iptables.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed: {result.Error.Trim()}");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Information, "Forwarding plane ready: chain {Chain} hooked into {Hooks}")]
        public static partial void Ready(ILogger logger, string chain, string hooks);

        [LoggerMessage(2102, LogLevel.Information, "Forwarding plane removed: chain {Chain} is gone")]
        public static partial void Removed(ILogger logger, string chain);

        [LoggerMessage(2103, LogLevel.Warning, "Could not remove rule ({Rule}): {Error}")]
        public static partial void RemoveFailed(ILogger logger, string rule, string error);
    }
}
