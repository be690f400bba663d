using System.Globalization;
using System.Text.Json;
using NetServ.Networking;

namespace NetServ.Orchestrator.Grading;

/// <summary>
/// A module-writing exercise as <c>tutorial/exercises/&lt;name&gt;/exercise.json</c> describes it: how the
/// submission is installed (its SETUP's filter and properties) and the traffic scenarios that score it.
/// </summary>
internal sealed record Exercise(string Name, string Title, string Folder, ExerciseModule Module, IReadOnlyList<Scenario> Scenarios)
{
    /// <summary>The most points a submission can get.</summary>
    public int Total => Scenarios.Sum(s => s.Points);
}

/// <summary>How the submission is installed: the SETUP from the sender toward the receiver carries these.</summary>
/// <param name="Filter">udp, tcp, any, udp/PORT or tcp/PORT.</param>
/// <param name="Properties">key=value,key=value handed to the module, or null.</param>
internal sealed record ExerciseModule(string Filter, string? Properties);

/// <summary>One scored scenario: UDP flows sent together and counted at the receiver, or pings toward it.</summary>
internal sealed record Scenario(string Name, int Points, string Hint, IReadOnlyList<ScenarioFlow> Flows, PingCheck? Ping);

/// <summary>A bounded UDP flow from the sender to a port of the receiver, and how many of its packets may arrive.</summary>
/// <param name="Port">The destination port; the receiver's kernel counts each flow by it, so flows of a scenario differ in it.</param>
/// <param name="Packets">Exactly how many packets are offered.</param>
/// <param name="Rate">Packets per second.</param>
/// <param name="Source">The source address the frames carry; null for the sender's own.</param>
/// <param name="SourcePort">The UDP source port; null for <paramref name="Port"/>.</param>
/// <param name="Expect">How many may arrive.</param>
internal sealed record ScenarioFlow(int Port, long Packets, double Rate, Ipv4Address? Source, int? SourcePort, CountRange Expect);

/// <summary>Echo requests from the sender to the receiver, whose own kernel drops them when <paramref name="ReceiverDrops"/>.</summary>
internal sealed record PingCheck(int Count, bool ReceiverDrops, CountRange Expect);

/// <summary>How many packets (or replies) must arrive: at least <paramref name="Min"/>, at most <paramref name="Max"/>.</summary>
internal sealed record CountRange(long Min, long Max)
{
    public bool Contains(long count) => count >= Min && count <= Max;

    public override string ToString() => Min == Max ? Min.ToString(CultureInfo.InvariantCulture)
        : Max == long.MaxValue ? $"at least {Min}"
        : Min == 0 ? $"at most {Max}"
        : $"{Min} to {Max}";
}

/// <summary>An exercise that cannot be read: the message names the file and what is wrong.</summary>
internal sealed class ExerciseException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads <c>exercise.json</c>; apart from the file system so that tests give it text.</summary>
internal static class ExerciseReader
{
    public const string FileName = "exercise.json";

    /// <summary>The exercise in <paramref name="folder"/>.</summary>
    /// <exception cref="ExerciseException">The folder has no exercise.json, or it is not one.</exception>
    public static Exercise Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new ExerciseException($"{folder} is not an exercise: it has no {FileName}");
        }

        return Parse(File.ReadAllText(path), Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')), Path.GetFullPath(folder));
    }

    /// <summary>The exercise <paramref name="json"/> describes.</summary>
    /// <exception cref="ExerciseException">It does not describe one; the message says where.</exception>
    public static Exercise Parse(string json, string name, string folder)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 });
            var root = document.RootElement;
            var title = Text(root, "title", name);
            var module = Required(root, "module", name);
            var filter = Text(module, "filter", name);
            try
            {
                _ = Experiments.ExperimentArguments.ParseFilter(filter);
            }
            catch (FormatException e)
            {
                throw new ExerciseException($"{name}: module.filter: {e.Message}", e);
            }

            var properties = module.TryGetProperty("properties", out var p) ? p.GetString() : null;
            var scenarios = Required(root, "scenarios", name).EnumerateArray().Select((s, i) => ReadScenario(s, $"{name}: scenarios[{i}]")).ToArray();
            if (scenarios.Length == 0)
            {
                throw new ExerciseException($"{name}: no scenarios");
            }

            return new Exercise(name, title, folder, new ExerciseModule(filter, properties), scenarios);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ExerciseException($"{name}: {FileName} is not an exercise: {e.Message}", e);
        }
    }

    private static Scenario ReadScenario(JsonElement element, string where)
    {
        var name = Text(element, "name", where);
        var points = element.TryGetProperty("points", out var p) ? p.GetInt32() : 1;
        if (points < 1)
        {
            throw new ExerciseException($"{where}: points must be at least 1");
        }

        var flows = element.TryGetProperty("flows", out var f)
            ? f.EnumerateArray().Select((flow, i) => ReadFlow(flow, $"{where}.flows[{i}]")).ToArray()
            : [];
        var ping = element.TryGetProperty("ping", out var g)
            ? new PingCheck(g.GetProperty("count").GetInt32(), g.TryGetProperty("receiverDrops", out var d) && d.GetBoolean(), ReadRange(Required(g, "expect", where), $"{where}.ping"))
            : null;
        if (flows.Length == 0 && ping is null)
        {
            throw new ExerciseException($"{where}: a scenario has flows or a ping");
        }

        if (flows.Select(x => x.Port).Distinct().Count() != flows.Length)
        {
            throw new ExerciseException($"{where}: the flows of a scenario are counted by port, so each needs a port of its own");
        }

        return new Scenario(name, points, element.TryGetProperty("hint", out var h) ? h.GetString() ?? string.Empty : string.Empty, flows, ping);
    }

    private static ScenarioFlow ReadFlow(JsonElement element, string where)
    {
        var port = element.GetProperty("port").GetInt32();
        var packets = element.GetProperty("packets").GetInt64();
        var rate = element.GetProperty("rate").GetDouble();
        if (port is < 1 or > 65535 || packets is < 1 or > 100_000 || rate is <= 0 or > 100_000)
        {
            throw new ExerciseException($"{where}: port 1-65535, packets 1-100000 and rate 1-100000 packets/s (every load is bounded)");
        }

        var source = element.TryGetProperty("source", out var s) ? Ipv4Address.Parse(s.GetString() ?? string.Empty) : (Ipv4Address?)null;
        var sourcePort = element.TryGetProperty("sourcePort", out var sp) ? sp.GetInt32() : (int?)null;
        return new ScenarioFlow(port, packets, rate, source, sourcePort, ReadRange(Required(element, "expect", where), where));
    }

    private static CountRange ReadRange(JsonElement element, string where)
    {
        var min = element.TryGetProperty("min", out var a) ? a.GetInt64() : 0;
        var max = element.TryGetProperty("max", out var b) ? b.GetInt64() : long.MaxValue;
        return min <= max ? new CountRange(min, max) : throw new ExerciseException($"{where}: expect.min is above expect.max");
    }

    private static JsonElement Required(JsonElement element, string property, string where) =>
        element.TryGetProperty(property, out var value) ? value : throw new ExerciseException($"{where}: '{property}' is missing");

    private static string Text(JsonElement element, string property, string where) =>
        Required(element, property, where).GetString() is { Length: > 0 } text ? text : throw new ExerciseException($"{where}: '{property}' is empty");
}
