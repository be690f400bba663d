using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Signaling.Nslp;

namespace NetServ.Testbed.Nodes;

/// <summary>
/// netservd's admin API on a node reached over a session (a Docker testbed's container, a GENI node): the node image's
/// <c>netserv admin … --json</c> run there as root, its printed response read back. What the operator of a GENI node does.
/// </summary>
public sealed class SshNetServAdmin(INodeSession session) : INetServAdmin
{
    /// <summary>The node image's CLI (a login over SSH does not have /opt/netserv/bin on its PATH).</summary>
    public const string Cli = "/opt/netserv/bin/netserv";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The CLI printed no response (netservd is not running, say); the message has what it printed.</exception>
    public async Task<NslpResponse> SetupAsync(ModuleSetup setup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var result = await session.RunAsync(Cli, SetupArguments(setup), Timeout, string.Empty, cancellationToken).ConfigureAwait(false);
        return TryReadResponse(result.StandardOutput, out var response)
            ? response
            : throw new InvalidOperationException(
                $"{session.NodeName}: netserv admin setup {setup.Module} exited with {result.ExitCode}: {(result.StandardError + result.StandardOutput).Trim()}");
    }

    /// <summary><c>admin setup</c>'s command line for <paramref name="setup"/>, response as JSON.</summary>
    public static IReadOnlyList<string> SetupArguments(ModuleSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var arguments = new List<string> { "admin", "setup", setup.Module, "--user", setup.User, "--url", setup.Url.ToString(), "--digest", setup.Digest };
        void Add(string option, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                arguments.AddRange([option, value]);
            }
        }

        Add("--filter-proto", setup.FilterProtocol);
        Add("--filter-port", setup.FilterPort?.ToString(CultureInfo.InvariantCulture));
        Add("--filter-dst", setup.FilterDestination);
        Add("--properties", setup.Properties);
        Add("--ttl", setup.TtlSeconds?.ToString(CultureInfo.InvariantCulture));
        Add("--dependencies", setup.Dependencies);
        Add("--ownership-password", setup.OwnershipPassword);
        arguments.Add("--json");
        return arguments;
    }

    /// <summary>Reads the response <c>netserv admin … --json</c> printed: its status, reason and headers.</summary>
    public static bool TryReadResponse(string printed, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NslpResponse? response)
    {
        ArgumentNullException.ThrowIfNull(printed);
        response = null;
        try
        {
            if (JsonNode.Parse(printed) is not JsonObject json
                || json["status"] is not JsonValue status
                || !status.TryGetValue<int>(out var code)
                || code is < 100 or > 999)
            {
                return false;
            }

            response = new NslpResponse(code, json["reason"]?.GetValue<string>());
            foreach (var (name, value) in json["headers"] as JsonObject ?? [])
            {
                if (value is JsonValue text && text.TryGetValue<string>(out var header))
                {
                    response.Headers.Add(name, header);
                }
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}
