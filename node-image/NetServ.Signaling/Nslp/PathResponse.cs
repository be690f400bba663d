using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NetServ.Signaling.Nslp;

/// <summary>What one NetServ node on the path did with a request: an entry of the response stack (paper Figure 5).</summary>
public sealed record NodeResult
{
    /// <summary>The node's name.</summary>
    public required string Node { get; init; }

    /// <summary>The address the node signals from.</summary>
    public required string Address { get; init; }

    /// <summary>The node's status code (see <see cref="NslpStatus"/>).</summary>
    public required int Status { get; init; }

    /// <summary>Why the node refused, when it did.</summary>
    public string? Error { get; init; }

    /// <summary>What the node reports: PROBE data, or the module's expiry for a SETUP.</summary>
    public JsonObject? Data { get; init; }

    /// <summary>Whether the node succeeded.</summary>
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>
/// The response to a request that travelled a path: one <see cref="NodeResult"/> per NetServ node,
/// in path order from the requester. The last node starts it; every node on the way back puts its
/// own entry in front. For a TRIGGER it carries the response of the request it encapsulated.
/// </summary>
public sealed class PathResponse
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The method of the request this answers.</summary>
    public required NslpMethod Method { get; init; }

    /// <summary>The request's target.</summary>
    public required string Target { get; init; }

    /// <summary>The node entries, in path order from the requester.</summary>
    public IReadOnlyList<NodeResult> Nodes { get; init; } = [];

    /// <summary>For a TRIGGER: the response to the encapsulated request, from the upstream flow the last node started.</summary>
    public PathResponse? Triggered { get; init; }

    /// <summary>The response with <paramref name="node"/> in front: what a node sends upstream.</summary>
    public PathResponse Prepend(NodeResult node) => new() { Method = Method, Target = Target, Nodes = [node, .. Nodes], Triggered = Triggered };

    /// <summary>The overall status: 200 when every node succeeded, otherwise the first failing node's status.</summary>
    public int Status =>
        Triggered is { } triggered && triggered.Status != NslpStatus.Ok ? triggered.Status
        : Nodes.FirstOrDefault(n => !n.Succeeded)?.Status ?? NslpStatus.Ok;

    /// <summary>Encodes as an NSLP response whose body is the stack as JSON.</summary>
    public NslpResponse ToMessage()
    {
        var failed = Nodes.Count(n => !n.Succeeded);
        var response = new NslpResponse(Status, failed == 0 ? null : $"{failed} of {Nodes.Count} nodes refused");
        response.Headers.Add("method", NslpRequest.MethodName(Method));
        response.Headers.Add("target", Target);
        response.Headers.Add("nodes", Nodes.Count.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add(NslpHeaderNames.ContentType, "application/json");
        response.Body = Encoding.UTF8.GetBytes(ToJson().ToJsonString(Indented));
        return response;
    }

    /// <summary>The stack as JSON.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["method"] = NslpRequest.MethodName(Method),
            ["target"] = Target,
            ["status"] = Status,
            ["nodes"] = new JsonArray(Nodes.Select(n => (JsonNode?)new JsonObject
            {
                ["node"] = n.Node,
                ["address"] = n.Address,
                ["status"] = n.Status,
                ["error"] = n.Error,
                ["data"] = n.Data?.DeepClone(),
            }).ToArray()),
        };
        if (Triggered is not null)
        {
            json["triggered"] = Triggered.ToJson();
        }

        return json;
    }

    /// <summary>Reads a response produced by <see cref="ToMessage"/>.</summary>
    public static bool TryParse(NslpResponse message, [NotNullWhen(true)] out PathResponse? response, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        response = null;
        try
        {
            if (JsonNode.Parse(message.Body.Span) is not JsonObject json)
            {
                error = "the response body is not a JSON object";
                return false;
            }

            return TryFromJson(json, out response, out error);
        }
        catch (JsonException e)
        {
            error = $"the response body is not JSON: {e.Message}";
            return false;
        }
    }

    private static JsonNode Required(JsonNode? node, string name) =>
        node?[name] ?? throw new FormatException($"a node entry has no {name}");

    /// <summary>
    /// Reads a stack written by <see cref="ToJson"/> (as <c>netserv setup|remove|probe --json</c> prints it; members
    /// it does not know, such as the destination the command adds, are ignored).
    /// </summary>
    public static bool TryFromJson(JsonObject json, [NotNullWhen(true)] out PathResponse? response, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        response = null;
        try
        {
            var method = json["method"]?.GetValue<string>() switch
            {
                "SETUP" => NslpMethod.Setup,
                "REMOVE" => NslpMethod.Remove,
                "PROBE" => NslpMethod.Probe,
                "TRIGGER" => NslpMethod.Trigger,
                var other => throw new FormatException($"unknown method '{other}'"),
            };
            var nodes = (json["nodes"] as JsonArray ?? []).Select(n => new NodeResult
            {
                Node = Required(n, "node").GetValue<string>(),
                Address = Required(n, "address").GetValue<string>(),
                Status = Required(n, "status").GetValue<int>(),
                Error = n?["error"]?.GetValue<string>(),
                Data = n?["data"]?.DeepClone() as JsonObject,
            }).ToArray();
            PathResponse? triggered = null;
            if (json["triggered"] is JsonObject inner && !TryFromJson(inner, out triggered, out error))
            {
                return false;
            }

            response = new PathResponse { Method = method, Target = json["target"]?.GetValue<string>() ?? string.Empty, Nodes = nodes, Triggered = triggered };
            error = null;
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            error = $"the response stack is malformed: {e.Message}";
            return false;
        }
    }
}
