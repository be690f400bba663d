using System.Globalization;
using System.Text.Json.Nodes;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using Spectre.Console;

namespace NetServ.Evaluation.Hosting;

/// <summary>What every benchmark run records about itself, beside its measurements: when, where, on what machine, and how it ended.</summary>
internal abstract class BenchmarkRecord
{
    public DateTimeOffset Started { get; } = DateTimeOffset.Now;

    public DateTimeOffset Finished { get; set; }

    public required string[] Arguments { get; init; }

    public JsonObject Machine { get; set; } = [];

    public string LoadAverageAtStart { get; set; } = string.Empty;

    /// <summary>Busy fraction of all CPUs just before the run, from other work.</summary>
    public double MachineBusyAtStart { get; set; }

    public string LoadAverageAtEnd { get; set; } = string.Empty;

    /// <summary>Namespaces of other runs present during the measurement: they share the CPUs.</summary>
    public List<string> ForeignNamespacesSeen { get; } = [];

    /// <summary>The namespaces of the run's measurement path (gone again at the end).</summary>
    public List<string> Namespaces { get; } = [];

    public List<(string Key, string Previous, string Value)> Sysctls { get; } = [];

    public List<string> Errors { get; } = [];

    public List<string> Notes { get; } = [];

    public bool Completed { get; set; }

    public string? StopReason { get; set; }

    /// <summary>The start of results.json: which benchmark, when, how it ended, and the command that ran it.</summary>
    public JsonObject RunJson(string benchmark) => new()
    {
        ["benchmark"] = benchmark,
        ["started"] = Started.ToString("O", CultureInfo.InvariantCulture),
        ["finished"] = Finished.ToString("O", CultureInfo.InvariantCulture),
        ["durationSeconds"] = Math.Round((Finished - Started).TotalSeconds),
        ["completed"] = Completed,
        ["stopReason"] = StopReason,
        ["command"] = "netserv-eval " + string.Join(' ', Arguments),
        ["namespaces"] = new JsonArray(Namespaces.Select(n => (JsonNode?)n).ToArray()),
    };

    /// <summary>The end of results.json: the run's notes and its errors in full.</summary>
    public void AddNotesAndErrors(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json["notes"] = new JsonArray(Notes.Select(n => (JsonNode?)n).ToArray());
        json["errors"] = new JsonArray(Errors.Select(e => (JsonNode?)e).ToArray());
    }

    /// <summary>The machine as results.json records it: its description, CPU placement, sysctls, load and other runs seen.</summary>
    public JsonObject MachineJson(CpuPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        var machine = Machine.DeepClone().AsObject();
        machine["placement"] = placement.ToJson();
        machine["sysctls"] = new JsonObject(Sysctls.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)new JsonObject { ["during"] = s.Value, ["before"] = s.Previous })));
        machine["loadAverageAtStart"] = LoadAverageAtStart;
        machine["loadAverageAtEnd"] = LoadAverageAtEnd;
        machine["busyWithOtherWorkAtStartPercent"] = Math.Round(MachineBusyAtStart * 100);
        machine["otherNamespacesSeen"] = new JsonArray(ForeignNamespacesSeen.Select(n => (JsonNode?)n).ToArray());
        return machine;
    }
}

/// <summary>
/// The frame of every benchmark run: its results folder, the machine's description, the backlog
/// sysctl set for the run and restored after, and the results written however the run ends
/// (complete, failed or stopped by a signal).
/// </summary>
internal static class BenchmarkRun
{
    public const string BacklogSysctl = "net.core.netdev_max_backlog";

    /// <summary>
    /// Runs <paramref name="body"/> with the folder's raw/ subfolder, then hands the results and the
    /// folder to <paramref name="write"/>. Throws what the body threw (cancellation included) after that.
    /// </summary>
    public static async Task<string> RunAsync<TRecord>(
        string name,
        string title,
        string? output,
        int netdevMaxBacklog,
        TRecord results,
        IAnsiConsole console,
        Func<string, CancellationToken, Task> body,
        Action<TRecord, string> write,
        CancellationToken cancellationToken)
        where TRecord : BenchmarkRecord
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(write);
        CheckPrerequisites();
        var parent = output ?? Path.Combine(BuildOutputs.RepositoryRoot, "evaluation", "results");
        var folder = Path.Combine(parent, $"{results.Started:yyyyMMdd-HHmmss}-{name}");
        var raw = Path.Combine(folder, "raw");
        Directory.CreateDirectory(raw);

        results.Machine = MachineInfo.Describe();
        results.LoadAverageAtStart = MachineInfo.LoadAverage();
        results.MachineBusyAtStart = await CpuLoad.SampleAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        console.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
        console.MarkupLine($"results: [blue]{Markup.Escape(folder)}[/]");
        console.MarkupLine($"machine: {Markup.Escape($"{results.Machine["cpuModel"]}, {results.Machine["cores"]} CPUs, kernel {results.Machine["kernel"]}, {results.Machine["dotnetRuntime"]}")}; load average {results.LoadAverageAtStart}, CPUs {results.MachineBusyAtStart:0%} busy with other work");

        var settings = new SystemSettings();
        try
        {
            settings.Set(BacklogSysctl, netdevMaxBacklog.ToString(CultureInfo.InvariantCulture));
            console.MarkupLine($"sysctl {BacklogSysctl}: {settings.Changed[^1].Previous} → {netdevMaxBacklog} for the run");
            await body(raw, cancellationToken).ConfigureAwait(false);
            results.Completed = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            results.StopReason = "stopped by a signal before the end";
            throw;
        }
        catch (Exception e)
        {
            results.Errors.Add(e.ToString());
            results.StopReason = $"failed: {e.Message}";
            throw;
        }
        finally
        {
            results.Sysctls.AddRange(settings.Changed);
            settings.Dispose();
            results.Finished = DateTimeOffset.Now;
            results.LoadAverageAtEnd = MachineInfo.LoadAverage();
            try
            {
                write(results, folder);
                console.MarkupLine($"wrote [blue]{Markup.Escape(folder)}[/]{(results.Completed ? string.Empty : " (partial)")}");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                console.MarkupLine($"[red]writing the results failed:[/] {Markup.Escape(e.Message)}");
            }
        }

        return folder;
    }

    /// <summary>Notes the run's own namespaces (tagged <paramref name="ownId"/>), and (in the results and on the console) those of other runs: they share the CPUs.</summary>
    public static void NoteNamespaces(BenchmarkRecord results, string ownId, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(console);
        results.Namespaces.AddRange(NetworkNamespace.List().Where(n => n.Contains(ownId, StringComparison.Ordinal)));
        results.ForeignNamespacesSeen.AddRange(MachineInfo.ForeignNamespaces(ownId));
        if (results.ForeignNamespacesSeen.Count > 0)
        {
            console.MarkupLine($"[yellow]other namespaces on the machine (other runs share the CPUs):[/] {Markup.Escape(string.Join(' ', results.ForeignNamespacesSeen))}");
        }
    }

    private static void CheckPrerequisites()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("the benchmark needs root: it creates network namespaces, netfilter rules and cgroups, and sets sysctls");
        }

        foreach (var tool in new[] { "ip", "iptables", "nsenter", "sysctl" })
        {
            if (CommandRunner.FindOnPath(tool) is null)
            {
                throw new InvalidOperationException($"{tool} is missing (./lab build installs what is needed)");
            }
        }
    }
}
