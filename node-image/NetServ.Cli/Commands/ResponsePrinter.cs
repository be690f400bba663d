using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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

            if (bodyJson is JsonObject status && status["containers"] is JsonArray containers)
            {
                StatusPrinter.Print(status, containers, output);
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
    public static void Print(JsonObject status, JsonArray containers, TextWriter output)
    {
        output.WriteLine($"node {status["node"]} at {status["time"]}");
        foreach (var container in containers.OfType<JsonObject>())
        {
            var packets = container["packets"] as JsonObject;
            var memory = container["memory"] as JsonObject;
            var pss = memory?["pssBytes"]?.GetValue<long>() is long bytes and > 0 ? $", {bytes / (1024.0 * 1024):0.0} MB PSS" : string.Empty;
            output.WriteLine($"  container {container["user"]}: {container["state"]} (pid {container["pid"]}, queue {container["queue"]}, restarts {container["restarts"]}{pss})");
            if (packets is not null)
            {
                output.WriteLine($"    packets: {packets["received"]} received, {packets["accepted"]} accepted, {packets["dropped"]} dropped, {packets["modified"]} modified");
            }

            foreach (var module in (container["modules"] as JsonArray ?? []).OfType<JsonObject>())
            {
                output.WriteLine($"    module {module["name"]}: filter {module["filter"] ?? "none"}, expires in {module["expiresInSeconds"]} s");
                if (module["live"]?["counters"] is JsonObject counters)
                {
                    output.WriteLine($"      {counters["packets"]} packets, {counters["dropped"]} dropped, {counters["modified"]} modified, {counters["errors"]} errors");
                }

                if (module["live"]?["status"] is JsonNode moduleStatus)
                {
                    foreach (var line in moduleStatus.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Split('\n'))
                    {
                        output.WriteLine($"      {line}");
                    }
                }
            }
        }

        if (status["forwarding"]?["rules"] is JsonArray rules)
        {
            output.WriteLine($"  forwarding rules ({rules.Count}):");
            foreach (var rule in rules)
            {
                output.WriteLine($"    {rule}");
            }
        }

        if (status["recentFailures"] is JsonArray { Count: > 0 } failures)
        {
            output.WriteLine("  recent failures:");
            foreach (var failure in failures.OfType<JsonObject>())
            {
                output.WriteLine($"    {failure["time"]} {failure["user"]} {failure["module"]}: {failure["reason"]} {failure["detail"]}");
            }
        }
    }
}
