using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using NetServ.Contracts.Configuration;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>A container environment to compare (DOTNET_ runtime settings); the container's code stays as it is.</summary>
internal sealed record MemoryVariant(string Name, IReadOnlyDictionary<string, string> Environment, string Description)
{
    public static MemoryVariant Baseline { get; } = new("baseline", new Dictionary<string, string>(), "the node's defaults (workstation GC, tiered compilation, ReadyToRun framework)");

    /// <summary>The settings tried one at a time against the baseline.</summary>
    public static IReadOnlyList<MemoryVariant> Candidates { get; } =
    [
        new("gen0 budget 1 MiB", Env("DOTNET_GCgen0size", "0x100000"), "a smaller gen0 allocation budget: fewer heap pages touched between collections"),
        new("heap hard limit 16 MiB", Env("DOTNET_GCHeapHardLimit", "0x1000000"), "caps the GC heap (the cgroup's 256 MiB limit otherwise sets 75 % of it)"),
        new("conserve memory", Env("DOTNET_GCConserveMemory", "7"), "the GC compacts more eagerly to keep the heap small"),
        new("no concurrent GC", Env("DOTNET_gcConcurrent", "0"), "no background GC thread and its structures"),
        new("no W^X double mapping", Env("DOTNET_EnableWriteXorExecute", "0"), "executable memory (JIT-compiled code, stubs) is mapped once, not through a shared-memory double mapping"),
        new("no tiered PGO", Env("DOTNET_TieredPGO", "0"), "no instrumented tier, so no profile data"),
        new("no quick JIT for loops", Env("DOTNET_TC_QuickJitForLoops", "0"), "methods with loops are compiled optimised at once"),
        new("no tiered compilation", Env("DOTNET_TieredCompilation", "0"), "every method compiled once, fully optimised"),
        new("no ReadyToRun", Env("DOTNET_ReadyToRun", "0"), "precompiled framework code ignored: everything is JIT-compiled into private memory"),
    ];

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["environment"] = new JsonObject(Environment.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["description"] = Description,
    };

    public string EnvironmentText => Environment.Count == 0 ? "(none)" : string.Join(' ', Environment.Select(p => $"{p.Key}={p.Value}"));

    public static MemoryVariant Combine(IReadOnlyList<MemoryVariant> variants) => new(
        "combined",
        variants.SelectMany(v => v.Environment).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        "the settings that each lowered the mean PSS, together: " + string.Join(", ", variants.Select(v => v.Name)));

    private static Dictionary<string, string> Env(string key, string value) => new() { [key] = value };
}

/// <summary>One container's memory, from its status and from /proc/&lt;pid&gt;/smaps_rollup read by the benchmark.</summary>
internal sealed record ContainerMemory(string User, int Pid, long PssBytes, long PssAnonBytes, long PssFileBytes, long RssBytes, long PrivateBytes, long StatusPssBytes, long GcHeapBytes, long GcCommittedBytes, long PssAfterCollectBytes)
{
    /// <summary>Reads the smaps_rollup of <paramref name="pid"/> now; <paramref name="status"/> is the container's own memory report, if at hand (-1 where not).</summary>
    public static ContainerMemory Read(string user, int pid, Contracts.Status.ContainerMemory? status = null)
    {
        var rollup = MemoryBenchmark.SmapsRollup(pid);
        return new ContainerMemory(
            user,
            pid,
            rollup.GetValueOrDefault("Pss"),
            rollup.GetValueOrDefault("Pss_Anon"),
            rollup.GetValueOrDefault("Pss_File"),
            rollup.GetValueOrDefault("Rss"),
            rollup.GetValueOrDefault("Private_Clean") + rollup.GetValueOrDefault("Private_Dirty"),
            status?.PssBytes ?? -1,
            status?.GcHeapBytes ?? -1,
            status?.GcCommittedBytes ?? -1,
            0);
    }
}

/// <summary>The memory of every container of one node start.</summary>
internal sealed record MemorySample(MemoryVariant Variant, int Containers, IReadOnlyList<ContainerMemory> PerContainer, TimeSpan StartTime, string? Error = null)
{
    public bool Succeeded => Error is null && PerContainer.Count == Containers;

    public double MeanMb => Mb(PerContainer.Select(c => c.PssBytes), Enumerable.Average);

    public double MedianMb => Mb(PerContainer.Select(c => c.PssBytes), Statistics.Median);

    public double MaxMb => Mb(PerContainer.Select(c => c.PssBytes), v => v.Max());

    public double MinMb => Mb(PerContainer.Select(c => c.PssBytes), v => v.Min());

    public double MeanAfterCollectMb => Mb(PerContainer.Select(c => c.PssAfterCollectBytes), Enumerable.Average);

    public double MeanPrivateMb => Mb(PerContainer.Select(c => c.PrivateBytes), Enumerable.Average);

    public double MeanFileMb => Mb(PerContainer.Select(c => c.PssFileBytes), Enumerable.Average);

    public double MeanAnonMb => Mb(PerContainer.Select(c => c.PssAnonBytes), Enumerable.Average);

    private static double Mb(IEnumerable<long> bytes, Func<IEnumerable<double>, double> aggregate)
    {
        var values = bytes.Select(b => b / 1024.0 / 1024.0).ToArray();
        return values.Length == 0 ? double.NaN : aggregate(values);
    }
}

/// <summary>
/// Memory per container: netservd with N users (u000..), every container ready and idle, each
/// container's proportional set size (shared pages divided among their users) read from
/// /proc/&lt;pid&gt;/smaps_rollup. The node runs in a namespace of its own.
/// </summary>
internal sealed class MemoryBenchmark(NodeRuntimeOptions options, Action<string> progress, string logDirectory)
{
    public async Task<MemorySample> MeasureAsync(MemoryVariant variant, int containers, CancellationToken cancellationToken)
    {
        using var network = LocalNetwork.Create();
        var host = network.AddHost("memory");
        var users = Enumerable.Range(0, containers)
            .Select(i => new UserConfiguration { Name = $"u{i:D3}", AllowedPrefixes = ["198.19.0.0/24"] })
            .ToArray();
        var log = Path.Combine(logDirectory, $"memory-{Sanitize(variant.Name)}-{containers}.log");
        await using var writer = new StreamWriter(log) { AutoFlush = true };
        var watch = Stopwatch.StartNew();
        NetServNodeProcess node;
        try
        {
            node = await NetServNodeProcess.StartAsync(
                host.Namespace,
                new NetServNodeOptions
                {
                    Node =
                    {
                        NodeName = $"mem-{network.Id}",
                        Users = [.. users],
                        Containers = { LogLevel = "Warning", Environment = new Dictionary<string, string>(variant.Environment) },
                    },
                    StartTimeout = TimeSpan.FromSeconds(60 + (3 * containers)),
                    LogSink = line =>
                    {
                        lock (writer)
                        {
                            writer.WriteLine(line);
                        }
                    },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return new MemorySample(variant, containers, [], watch.Elapsed, $"the node did not start: {FirstLine(e.Message)}");
        }

        await using (node.ConfigureAwait(false))
        {
            var startTime = watch.Elapsed;
            progress($"{containers} containers ready after {startTime.TotalSeconds:0.0} s; settling {options.MemorySettleSeconds:0.#} s");
            await Task.Delay(TimeSpan.FromSeconds(options.MemorySettleSeconds), cancellationToken).ConfigureAwait(false);

            var status = await node.StatusAsync(false, cancellationToken).ConfigureAwait(false);
            var measured = new List<ContainerMemory>();
            foreach (var container in status.Containers)
            {
                measured.Add(ContainerMemory.Read(container.User, container.Pid ?? 0, container.Memory));
            }

            // The same after every container collected its garbage: what an idle heap can shrink to.
            await node.StatusAsync(true, cancellationToken).ConfigureAwait(false);
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            measured = measured.Select(m => m with { PssAfterCollectBytes = SmapsRollup(m.Pid).GetValueOrDefault("Pss") }).ToList();
            var error = measured.Count == containers && measured.All(m => m.PssBytes > 0)
                ? null
                : $"{measured.Count(m => m.PssBytes > 0)} of {containers} containers could be measured";
            return new MemorySample(variant, containers, measured, startTime, error);
        }
    }

    /// <summary>The kB fields of /proc/&lt;pid&gt;/smaps_rollup, in bytes.</summary>
    public static Dictionary<string, long> SmapsRollup(int pid)
    {
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        if (pid <= 0)
        {
            return fields;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                {
                    fields[line[..colon]] = kb * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return fields;
    }

    private static string Sanitize(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '-'));

    private static string FirstLine(string text) => text.Split('\n')[0];
}
