using System.Text.Json.Nodes;

namespace NetServ.Orchestrator.Experiments;

/// <summary>The phases of an experiment, in the order they run. Release runs always.</summary>
internal enum ExperimentPhase
{
    /// <summary>Realise the rspec on the local testbed: namespaces, veth, addresses, routes.</summary>
    Reserve,

    /// <summary>Start netservd from the build output on the NetServ nodes.</summary>
    Deploy,

    /// <summary>Install the modules through signaling.</summary>
    Configure,

    /// <summary>Run the rspec's execute services and the traffic.</summary>
    Run,

    /// <summary>Gather logs, PROBE answers and counts into the results folder.</summary>
    Collect,

    /// <summary>REMOVE the modules, stop everything, remove the namespaces, check nothing is left.</summary>
    Release,
}

/// <summary>How a phase ended.</summary>
internal enum PhaseOutcome
{
    Ok,
    Failed,
    Stopped,
    Skipped,
}

/// <summary>What one phase did.</summary>
internal sealed record PhaseReport(ExperimentPhase Phase, PhaseOutcome Outcome, TimeSpan Duration, string? Error, IReadOnlyList<string> Notes)
{
    public string Name => ExperimentResult.NameOf(Phase);
}

/// <summary>A node of the realised experiment.</summary>
internal sealed record NodeReport(string Name, string Where, IReadOnlyList<string> Addresses, bool NetServ)
{
    /// <summary>netservd's process id on a NetServ node, once deployed.</summary>
    public int? NetServdPid { get; set; }

    /// <summary>The name netservd answers signaling with.</summary>
    public string? NetServName { get; set; }
}

/// <summary>A module installed through signaling.</summary>
internal sealed record ModuleReport(string Module, string From, string Toward, string? Filter, IReadOnlyList<string> InstalledOn, double SetupMilliseconds)
{
    /// <summary>Whether release REMOVEd it on every node that had it.</summary>
    public bool Removed { get; set; }

    /// <summary>What each node's PROBE said of it in collect: packets the module saw, and NetMonitor's flows when it is NetMonitor.</summary>
    public List<ModuleCount> Counts { get; } = [];
}

/// <summary>A node's account of a module (PROBE module).</summary>
internal sealed record ModuleCount(string Node, long? Packets, IReadOnlyList<FlowCount> Flows);

/// <summary>One row of NetMonitor's table.</summary>
internal sealed record FlowCount(string Source, string Destination, int Ttl, long Packets);

/// <summary>The traffic of the run phase and what arrived.</summary>
internal sealed record TrafficReport(string From, string To, string Destination, int Port, double PacketsPerSecond, long Requested, long Offered, long Refused, long Received, TimeSpan Elapsed)
{
    /// <summary>The generator that sent: <c>paced</c> or <c>click</c>.</summary>
    public string Generator { get; init; } = "paced";

    /// <summary>The rate really offered, as the generator measured it.</summary>
    public double OfferedRate { get; init; }

    /// <summary>Whether the generator fell more than 2 % short of the asked rate or count.</summary>
    public bool GeneratorLimited { get; init; }

    public long Lost => Offered - Refused - Received;
}

/// <summary>The NetServ user of the run: the key file its requests are signed with (kept in the results folder) and the ports it may listen on.</summary>
internal sealed record UserReport(string Name, string KeyFile, IReadOnlyList<int> AllowedPorts);

/// <summary>What an execute service of the rspec did.</summary>
internal sealed record ServiceReport(string Node, string Command, int? ExitCode, bool TimedOut, bool ReplacedByDeploy);

/// <summary>Everything a run did and saw; printed as a summary or as JSON, and written to the results folder.</summary>
internal sealed class ExperimentResult
{
    public required string RSpec { get; init; }

    public string? TestbedId { get; set; }

    public List<PhaseReport> Phases { get; } = [];

    /// <summary>The user of the run, once deploy has made its key.</summary>
    public UserReport? User { get; set; }

    public List<NodeReport> Nodes { get; } = [];

    /// <summary>The rspec's subnets outside 198.18.0.0/15 and where they were mapped (<c>--remap-addresses</c>), as <c>FROM -&gt; TO</c>.</summary>
    public List<string> AddressMap { get; } = [];

    /// <summary>The addresses the testbed chose for interfaces the rspec gives none, as <c>interface (node n): address/length</c>.</summary>
    public List<string> AssignedAddresses { get; } = [];

    public List<ServiceReport> Services { get; } = [];

    public List<ModuleReport> Modules { get; } = [];

    public TrafficReport? Traffic { get; set; }

    /// <summary>The forwarding rules each NetServ node still held after the REMOVEs.</summary>
    public Dictionary<string, int> RulesAfterRemove { get; } = [];

    /// <summary>What release found left over (namespaces, processes); empty when all is gone.</summary>
    public List<string> Leftovers { get; } = [];

    public string? ResultsDirectory { get; set; }

    public bool Stopped => Phases.Any(p => p.Outcome == PhaseOutcome.Stopped);

    public bool Succeeded => Phases.Count > 0 && Phases.All(p => p.Outcome == PhaseOutcome.Ok);

    public IEnumerable<string> Errors => Phases.Where(p => p.Error is not null).Select(p => $"{p.Name}: {p.Error}");

    public static string NameOf(ExperimentPhase phase) => phase.ToString().ToLowerInvariant();

    public JsonObject ToJson() => new()
    {
        ["rspec"] = RSpec,
        ["testbed"] = TestbedId,
        ["succeeded"] = Succeeded,
        ["stopped"] = Stopped,
        ["phases"] = Array(Phases, p => new JsonObject
        {
            ["phase"] = p.Name,
            ["outcome"] = p.Outcome.ToString().ToLowerInvariant(),
            ["milliseconds"] = Math.Round(p.Duration.TotalMilliseconds, 1),
            ["error"] = p.Error,
            ["notes"] = Array(p.Notes, n => JsonValue.Create(n)),
        }),
        ["user"] = User is not { } u ? null : new JsonObject
        {
            ["name"] = u.Name,
            ["key"] = u.KeyFile,
            ["publicKey"] = u.KeyFile + ".pub",
            ["allowedPorts"] = ExperimentArguments.FormatPorts(u.AllowedPorts),
        },
        ["nodes"] = Array(Nodes, n => new JsonObject
        {
            ["name"] = n.Name,
            ["where"] = n.Where,
            ["addresses"] = Array(n.Addresses, a => JsonValue.Create(a)),
            ["netserv"] = n.NetServ,
            ["netservdPid"] = n.NetServdPid,
            ["netservName"] = n.NetServName,
        }),
        ["addressMap"] = Array(AddressMap, m => JsonValue.Create(m)),
        ["assignedAddresses"] = Array(AssignedAddresses, a => JsonValue.Create(a)),
        ["services"] = Array(Services, s => new JsonObject
        {
            ["node"] = s.Node,
            ["command"] = s.Command,
            ["exitCode"] = s.ExitCode,
            ["timedOut"] = s.TimedOut,
            ["replacedByDeploy"] = s.ReplacedByDeploy,
        }),
        ["modules"] = Array(Modules, m => new JsonObject
        {
            ["module"] = m.Module,
            ["from"] = m.From,
            ["toward"] = m.Toward,
            ["filter"] = m.Filter,
            ["installedOn"] = Array(m.InstalledOn, n => JsonValue.Create(n)),
            ["setupMilliseconds"] = Math.Round(m.SetupMilliseconds, 1),
            ["counts"] = Array(m.Counts, c => new JsonObject
            {
                ["node"] = c.Node,
                ["packets"] = c.Packets,
                ["flows"] = Array(c.Flows, f => new JsonObject { ["source"] = f.Source, ["destination"] = f.Destination, ["ttl"] = f.Ttl, ["packets"] = f.Packets }),
            }),
            ["removed"] = m.Removed,
        }),
        ["traffic"] = Traffic is not { } t ? null : new JsonObject
        {
            ["from"] = t.From,
            ["to"] = t.To,
            ["destination"] = t.Destination,
            ["port"] = t.Port,
            ["generator"] = t.Generator,
            ["packetsPerSecond"] = t.PacketsPerSecond,
            ["offeredPacketsPerSecond"] = Math.Round(t.OfferedRate, 1),
            ["generatorLimited"] = t.GeneratorLimited,
            ["requested"] = t.Requested,
            ["offered"] = t.Offered,
            ["refused"] = t.Refused,
            ["received"] = t.Received,
            ["lost"] = t.Lost,
            ["milliseconds"] = Math.Round(t.Elapsed.TotalMilliseconds, 1),
        },
        ["rulesAfterRemove"] = new JsonObject(RulesAfterRemove.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))),
        ["leftovers"] = Array(Leftovers, l => JsonValue.Create(l)),
        ["results"] = ResultsDirectory,
        ["errors"] = Array(Errors.ToArray(), e => JsonValue.Create(e)),
    };

    private static JsonArray Array<T>(IReadOnlyCollection<T> items, Func<T, JsonNode?> convert) => new(items.Select(convert).ToArray());
}
