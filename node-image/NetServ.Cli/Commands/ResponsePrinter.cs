using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using NetServ.Contracts.Status;
using NetServ.Signaling.Nslp;

namespace NetServ.Cli.Commands;

/// <summary>Prints NSLP responses readably, or as JSON with --json.</summary>
internal static class ResponsePrinter
{
    public static int Print(NslpResponse response, bool json, TextWriter output)
    {
        var body = response.Body.IsEmpty ? null : Encoding.UTF8.GetString(response.Body.Span);
        JsonNode? bodyJson = null;
        if (body is not null)
        {
            try
            {
                bodyJson = JsonNode.Parse(body);
            }
            catch (JsonException)
            {
            }
        }

        if (json)
        {
            var headers = new JsonObject();
            foreach (var (name, value) in response.Headers)
            {
                headers[name] = value;
            }

            var document = new JsonObject
            {
                ["status"] = response.StatusCode,
                ["reason"] = response.Reason,
                ["headers"] = headers,
                ["body"] = bodyJson ?? (body is null ? null : JsonValue.Create(body)),
            };
            output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            output.WriteLine($"{response.StatusCode} {response.Reason}");
            foreach (var (name, value) in response.Headers)
            {
                if (name is not NslpHeaderNames.ContentType and not NslpHeaderNames.ContentLength)
                {
                    output.WriteLine($"  {name}: {value}");
                }
            }

            if (StatusPrinter.TryRead(bodyJson) is { } status)
            {
                StatusPrinter.Print(status, output);
            }
            else if (body is not null)
            {
                output.WriteLine(bodyJson?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? body);
            }
        }

        return response.IsSuccess ? 0 : 1;
    }
}

/// <summary>A node status as a short readable report.</summary>
internal static class StatusPrinter
{
    /// <summary>The body as a node status, or null when it is not one (another PROBE, or a node that answers differently).</summary>
    public static NodeStatus? TryRead(JsonNode? body)
    {
        if (body is not JsonObject json || !json.ContainsKey("containers"))
        {
            return null;
        }

        try
        {
            return json.Deserialize(StatusJsonContext.Default.NodeStatus);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static void Print(NodeStatus status, TextWriter output)
    {
        output.WriteLine($"node {status.Node} at {status.Time:O}");
        foreach (var container in status.Containers)
        {
            var pss = container.Memory?.PssBytes is long bytes and > 0 ? $", {bytes / (1024.0 * 1024):0.0} MB PSS" : string.Empty;
            output.WriteLine($"  container {container.User}: {StateName(container.State)} (pid {container.Pid}, queue {container.Queue}, restarts {container.Restarts}{pss})");
            if (container.Packets is { } packets)
            {
                output.WriteLine($"    packets: {packets.Received} received, {packets.Accepted} accepted, {packets.Dropped} dropped, {packets.Modified} modified");
            }

            foreach (var module in container.Modules)
            {
                output.WriteLine($"    module {module.Name}: filter {module.Filter ?? "none"}, expires in {module.ExpiresInSeconds} s");
                if (module.Live?.Counters is { } counters)
                {
                    var lastError = counters.LastError is null ? string.Empty : $" (last: {counters.LastError})";
                    output.WriteLine($"      {counters.Packets} packets, {counters.Dropped} dropped, {counters.Modified} modified, {counters.Errors} errors{lastError}");
                }

                if (module.Live?.Status is { } moduleStatus)
                {
                    foreach (var line in moduleStatus.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Split('\n'))
                    {
                        output.WriteLine($"      {line}");
                    }
                }
            }
        }

        output.WriteLine($"  forwarding rules ({status.Forwarding.Rules.Count}):");
        foreach (var rule in status.Forwarding.Rules)
        {
            output.WriteLine($"    {rule}");
        }

        if (status.RecentFailures.Count > 0)
        {
            output.WriteLine("  recent failures:");
            foreach (var failure in status.RecentFailures)
            {
                output.WriteLine($"    {failure.Time:O} {failure.User} {failure.Module}: {failure.Reason} {failure.Detail}");
            }
        }

        if (status.RecentRemovals.Count > 0)
        {
            output.WriteLine("  recent removals:");
            foreach (var removal in status.RecentRemovals)
            {
                output.WriteLine($"    {removal.Time:O} {removal.User} {removal.Module}: {WireName(removal.Reason, StatusJsonContext.Default.ModuleRemovalReason)} {removal.Detail}".TrimEnd());
            }
        }

        if (status.ProvenOwnership.Count > 0)
        {
            output.WriteLine("  proven ownership:");
            foreach (var proof in status.ProvenOwnership)
            {
                output.WriteLine($"    {proof.Time:O} {proof.User} {proof.Prefix} (password at {proof.Url})");
            }
        }

        var signaling = status.Signaling;
        var dropped = signaling.Dropped;
        output.WriteLine($"  signaling: {signaling.RepeatsAnswered} repeats answered from the first result, {signaling.RepeatsInProgress} while in progress; "
            + $"dropped {dropped.Malformed} malformed, {dropped.UnknownAssociation} on unknown associations, {dropped.WrongEncapsulation} wrongly encapsulated, {dropped.RefusedConfirm} refused Confirms");
    }

    /// <summary>The state as the status's JSON names it.</summary>
    public static string StateName(ContainerState state) => WireName(state, StatusJsonContext.Default.ContainerState);

    private static string WireName<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type).Trim('"');
}
