using System.Globalization;
using System.Text.Json.Nodes;
using NetServ.Contracts.Status;
using NetServ.RSpec;
using NetServ.Testbed;

namespace NetServ.Orchestrator.View;

/// <summary>
/// What the node view shows, as one JSON snapshot: the topology of the rspec (nodes with their addresses, links),
/// the run's phase, and for each NetServ node the modules installed with their packet counts and NetMonitor's flows,
/// from the nodes' own status. Thread-safe: the runner and the poller write, the page's requests read.
/// </summary>
internal sealed class NodeViewModel(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _status = new(StringComparer.Ordinal);
    private JsonArray _nodes = [];
    private JsonArray _links = [];
    private string _title = string.Empty;
    private string _phase = "starting";
    private long _version;

    /// <summary>Grows on every change; the event stream sends a snapshot when it did.</summary>
    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>The topology as realised: every node with its addresses and whether it runs NetServ, every link.</summary>
    public void SetTopology(string title, RequestRSpec request, ITestbed testbed, IReadOnlyCollection<string> netserv)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(testbed);
        var nodes = new JsonArray([.. testbed.Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n.ClientId,
            ["netserv"] = netserv.Contains(n.ClientId),
            ["addresses"] = new JsonArray([.. n.Interfaces.Select(i => (JsonNode?)JsonValue.Create($"{i.Address}/{i.PrefixLength}"))]),
        })]);
        var links = new JsonArray([.. request.Links.Select(l => (JsonNode)new JsonObject
        {
            ["name"] = l.ClientId,
            ["nodes"] = new JsonArray([.. l.InterfaceRefs.Select(r => request.FindNodeOfInterface(r)?.ClientId).OfType<string>().Distinct().Select(n => (JsonNode?)JsonValue.Create(n))]),
        })]);
        lock (_lock)
        {
            _title = title;
            _nodes = nodes;
            _links = links;
            _version++;
        }
    }

    public void SetPhase(string phase)
    {
        lock (_lock)
        {
            _phase = phase;
            _version++;
        }
    }

    /// <summary>What NetServ node <paramref name="node"/> said of itself, or why it did not.</summary>
    public void SetStatus(string node, NodeStatus? status, string? error = null)
    {
        var view = Describe(status, error);
        lock (_lock)
        {
            if (_status.TryGetValue(node, out var previous) && JsonNode.DeepEquals(previous, view))
            {
                return;
            }

            _status[node] = view;
            _version++;
        }
    }

    /// <summary>The snapshot the page draws.</summary>
    public JsonObject Snapshot()
    {
        lock (_lock)
        {
            var nodes = (JsonArray)_nodes.DeepClone();
            foreach (var node in nodes.OfType<JsonObject>())
            {
                if (_status.TryGetValue(node["name"]!.GetValue<string>(), out var status))
                {
                    node["status"] = status.DeepClone();
                }
            }

            return new JsonObject
            {
                ["title"] = _title,
                ["phase"] = _phase,
                ["time"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                ["version"] = _version,
                ["nodes"] = nodes,
                ["links"] = _links.DeepClone(),
            };
        }
    }

    /// <summary>A node's modules with their counters and NetMonitor's flows, from its status.</summary>
    internal static JsonObject Describe(NodeStatus? status, string? error)
    {
        if (status is null)
        {
            return new JsonObject { ["error"] = error ?? "no status yet", ["modules"] = new JsonArray() };
        }

        var modules = new JsonArray();
        foreach (var container in status.Containers)
        {
            foreach (var module in container.Modules)
            {
                var counters = module.Live?.Counters;
                var flows = module.Live?.Status?["flows"] as JsonArray ?? [];
                modules.Add(new JsonObject
                {
                    ["name"] = module.Name,
                    ["user"] = module.User,
                    ["filter"] = module.Filter,
                    ["packets"] = counters?.Packets ?? 0,
                    ["dropped"] = counters?.Dropped ?? 0,
                    ["errors"] = counters?.Errors ?? 0,
                    ["flows"] = new JsonArray([.. flows.OfType<JsonObject>().Select(f => (JsonNode)new JsonObject
                    {
                        ["source"] = f["source"]?.DeepClone(),
                        ["destination"] = f["destination"]?.DeepClone(),
                        ["packets"] = f["packets"]?.DeepClone(),
                    })]),
                });
            }
        }

        return new JsonObject
        {
            ["containers"] = new JsonArray([.. status.Containers.Select(c => (JsonNode)new JsonObject { ["user"] = c.User, ["state"] = c.State.ToString().ToLowerInvariant(), ["restarts"] = c.Restarts })]),
            ["modules"] = modules,
        };
    }
}
