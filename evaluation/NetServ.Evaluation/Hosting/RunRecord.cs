using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Traffic;
using NetServ.Testbed.Nodes;
using Spectre.Console;

namespace NetServ.Evaluation.Hosting;

/// <summary>
/// What every benchmark run records besides its measurements: when and how it was called, the
/// machine and how busy other work kept it, and how the run ended; and the frame that keeps the
/// record (results written whether the run completed, failed or was stopped).
/// </summary>
internal abstract class RunRecord
{
    public DateTimeOffset Started { get; init; } = DateTimeOffset.Now;

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

    /// <summary>Sysctls the run set, with their previous values (restored at the end).</summary>
    public List<(string Key, string Previous, string Value)> Sysctls { get; } = [];

    public List<string> Errors { get; } = [];

    public List<string> Notes { get; } = [];

    public bool Completed { get; set; }

    /// <summary>
    /// The traffic generator that sent the run's measured traffic, set by the benchmark once it has chosen
    /// (<c>none</c> until then, and for a run that sends none): recorded in results.json and summary.md.
    /// </summary>
    public TrafficGeneratorUse TrafficGenerator { get; set; } = TrafficGeneratorUse.None("no measured traffic was sent");

    public string? StopReason { get; set; }

    /// <summary>How a results folder's name starts: the local time the run started.</summary>
    private const string FolderTimeFormat = "yyyyMMdd-HHmmss";

    /// <summary>A new results folder <c>&lt;output or evaluation/results&gt;/&lt;yyyyMMdd-HHmmss&gt;-&lt;name&gt;</c>, with its raw/ folder.</summary>
    public static string CreateFolder(string? output, DateTimeOffset started, string name)
    {
        var parent = output ?? Path.Combine(BuildOutputs.RepositoryRoot, "evaluation", "results");
        var folder = Path.Combine(parent, started.ToString(FolderTimeFormat, CultureInfo.InvariantCulture) + "-" + name);
        Directory.CreateDirectory(Path.Combine(folder, "raw"));
        return folder;
    }

    /// <summary>When the run of a results folder started, read back from the start of its name (<see cref="CreateFolder"/>); <see langword="false"/> when the name does not start with a time.</summary>
    public static bool TryParseFolderTime(string folder, out DateTimeOffset started)
    {
        started = default;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        if (name.Length < FolderTimeFormat.Length
            || !DateTime.TryParseExact(name[..FolderTimeFormat.Length], FolderTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time))
        {
            return false;
        }

        started = new DateTimeOffset(time);
        return true;
    }

    /// <summary>Records the load average and how busy other work keeps the CPUs, before the run starts.</summary>
    public async Task SampleMachineAsync(CancellationToken cancellationToken)
    {
        LoadAverageAtStart = MachineInfo.LoadAverage();
        MachineBusyAtStart = await CpuLoad.SampleAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="body"/>, records how it ended, and writes the results with <paramref name="write"/>
    /// whether it completed, failed or was stopped; the failure or the stop is then rethrown.
    /// </summary>
    public async Task RunAsync(string folder, IAnsiConsole console, Func<Task> body, Action write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            await body().ConfigureAwait(false);
            Completed = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            StopReason = "stopped by a signal before the end";
            throw;
        }
        catch (Exception e)
        {
            Errors.Add(e.ToString());
            StopReason = $"failed: {e.Message}";
            throw;
        }
        finally
        {
            Finished = DateTimeOffset.Now;
            LoadAverageAtEnd = MachineInfo.LoadAverage();
            try
            {
                write();
                console.MarkupLine($"wrote [blue]{Markup.Escape(folder)}[/]{(Completed ? string.Empty : " (partial)")}");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                console.MarkupLine($"[red]writing the results failed:[/] {Markup.Escape(e.Message)}");
            }
        }
    }

    /// <summary>The start of results.json: which benchmark, when, how it ended, the command that ran it and the run's namespaces.</summary>
    public JsonObject RunJson(string benchmark) => new()
    {
        ["benchmark"] = benchmark,
        ["started"] = Started.ToString("O", CultureInfo.InvariantCulture),
        ["finished"] = Finished.ToString("O", CultureInfo.InvariantCulture),
        ["durationSeconds"] = Math.Round((Finished - Started).TotalSeconds),
        ["completed"] = Completed,
        ["trafficGenerator"] = TrafficGenerator.ToJson(),
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

    /// <summary>
    /// results.json: the run's own fields (<see cref="RunJson"/>, then <paramref name="machine"/>), then
    /// the benchmark's <paramref name="fields"/> (moved, in their order), then the notes and errors.
    /// </summary>
    public JsonObject ToJson(string benchmark, JsonObject machine, JsonObject fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var json = RunJson(benchmark);
        json["machine"] = machine;
        foreach (var key in fields.Select(f => f.Key).ToArray())
        {
            var value = fields[key];
            fields.Remove(key);
            json[key] = value;
        }

        AddNotesAndErrors(json);
        return json;
    }

    /// <summary>The machine as results.json records it: its description, the CPU placement (when the run sets one), the sysctls set, the load and the other runs seen.</summary>
    public JsonObject MachineJson(CpuPlacement? placement = null)
    {
        var machine = Machine.DeepClone().AsObject();
        if (placement is not null)
        {
            machine["placement"] = placement.ToJson();
        }

        if (Sysctls.Count > 0)
        {
            machine["sysctls"] = new JsonObject(Sysctls.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)new JsonObject { ["during"] = s.Value, ["before"] = s.Previous })));
        }

        machine["loadAverageAtStart"] = LoadAverageAtStart;
        machine["loadAverageAtEnd"] = LoadAverageAtEnd;
        machine["busyWithOtherWorkAtStartPercent"] = Math.Round(MachineBusyAtStart * 100);
        machine["otherNamespacesSeen"] = new JsonArray(ForeignNamespacesSeen.Select(n => (JsonNode?)n).ToArray());
        return machine;
    }

    /// <summary>summary.md's opening: the title, the command line and how the run ended, the machine with <paramref name="busy"/> (how busy other work kept it), and the other runs seen.</summary>
    public void AppendSummaryHeader(StringBuilder md, string title, string busy)
    {
        ArgumentNullException.ThrowIfNull(md);
        md.AppendLine(CultureInfo.InvariantCulture, $"# {title}, {Started:yyyy-MM-dd HH:mm}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`netserv-eval {string.Join(' ', Arguments)}` — {(Completed ? "complete" : $"**partial**: {StopReason}")}, {(Finished - Started).TotalMinutes:0.0} min.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine["cpuModel"]}, {Machine["cores"]} CPUs{((bool?)Machine["virtualized"] == true ? " (virtual)" : string.Empty)}, kernel {Machine["kernel"]}, {Machine["dotnetRuntime"]}. Load average at start {LoadAverageAtStart}, at end {LoadAverageAtEnd}; {busy}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Traffic generator: {TrafficGenerator.Describe()}.");
        if (ForeignNamespacesSeen.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Other runs were active on the machine during the measurement (namespaces {string.Join(", ", ForeignNamespacesSeen)}): they share the CPUs and add noise.");
        }
    }
}
