using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;

namespace NetServ.Apps.Signaling;

/// <summary>What the server installs, and as whom.</summary>
public sealed class ModuleSignalerOptions
{
    /// <summary>The module package (its name and digest are read from it).</summary>
    public required string PackagePath { get; init; }

    /// <summary>Where NetServ nodes download the package.</summary>
    public required Uri Url { get; init; }

    /// <summary>The NetServ user the server signals as.</summary>
    public required string User { get; init; }

    /// <summary>The user's private key file (netserv keygen).</summary>
    public required string KeyPath { get; init; }

    /// <summary>The filter's destination: UDP toward this address and port goes through the module; none for a server module.</summary>
    public IPEndPoint? FilterUdpDestination { get; init; }

    /// <summary>Names this client's signaling endpoint in logs.</summary>
    public string ClientName { get; init; } = "app-server";

    /// <summary>Module lifetime on the nodes (soft state); none means the node's default.</summary>
    public int? TtlSeconds { get; init; }

    /// <summary>Handed to the module, <c>key=value,key=value</c>.</summary>
    public string? Properties { get; init; }

    /// <summary>How long to wait for the path's answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What the path answered: its status (200 when every node succeeded, 0 when no node answered) and the NetServ nodes, nearest the server first.</summary>
public sealed record SignalingResult(int Status, IReadOnlyList<NodeResult> Nodes)
{
    /// <summary>The node that succeeded nearest the destination (the last on the path from the server), or <see langword="null"/>.</summary>
    public NodeResult? NearestToDestination => Nodes.LastOrDefault(n => n.Succeeded);

    /// <summary>Whether every node on the path did it.</summary>
    public bool Succeeded => Status is >= 200 and < 300;

    /// <summary>The addresses of the nodes that succeeded, nearest the server first.</summary>
    public IReadOnlyList<string> NodeAddresses => Nodes.Where(n => n.Succeeded).Select(n => n.Address).ToArray();
}

/// <summary>
/// Sends signed SETUP and REMOVE requests for a module toward a user with the signaling library,
/// as <c>netserv setup</c> does: every NetServ node on the path from the server to the user
/// installs the module — with a filter for UDP toward the server when one is given.
/// </summary>
public sealed partial class ModuleSignaler(ModuleSignalerOptions options, ILogger logger, TimeProvider time)
{
    private readonly ModuleSetup _setup = SetupOf(options);

    public string ModuleName => _setup.Module;

    /// <summary>Installs the module on the path toward <paramref name="agent"/>.</summary>
    public Task<SignalingResult> SetupAsync(Ipv4Address agent, CancellationToken cancellationToken) =>
        SendAsync(agent, _setup.ToRequest(), cancellationToken);

    /// <summary>Removes the module from the path toward <paramref name="agent"/>.</summary>
    public Task<SignalingResult> RemoveAsync(Ipv4Address agent, CancellationToken cancellationToken) =>
        SendAsync(agent, NslpRequests.Remove(ModuleName), cancellationToken);

    /// <summary>The SETUP of the package (its name and digest read from it), with the filter toward the server when one is given.</summary>
    private static ModuleSetup SetupOf(ModuleSignalerOptions options)
    {
        var setup = ModuleSetup.ForPackage(options.PackagePath, options.User, _ => options.Url) with
        {
            TtlSeconds = options.TtlSeconds,
            Properties = string.IsNullOrWhiteSpace(options.Properties) ? null : options.Properties,
        };
        return options.FilterUdpDestination is { } filter
            ? setup with
            {
                FilterProtocol = "udp",
                FilterPort = filter.Port,
                FilterDestination = $"{filter.Address}/32",
            }
            : setup;
    }

    private async Task<SignalingResult> SendAsync(Ipv4Address agent, NslpRequest request, CancellationToken cancellationToken)
    {
        var method = NslpRequest.MethodName(request.Method);
        if (!UserPrivateKey.TryParse(await File.ReadAllTextAsync(options.KeyPath, cancellationToken).ConfigureAwait(false), out var key, out var error))
        {
            throw new InvalidDataException($"{options.KeyPath}: {error}");
        }

        using (key)
        {
            Log.Signaling(logger, method, ModuleName, agent.ToString());
            try
            {
                await using var client = SignalingClient.Start($"{options.ClientName}-{Environment.ProcessId}", logger, time);
                var response = await new SignedRequestClient(client, options.User, key, time).SendAsync(agent, request, options.Timeout, cancellationToken).ConfigureAwait(false);
                IReadOnlyList<NodeResult> nodes = PathResponse.TryParse(response, out var stack, out _) ? stack.Nodes : [];
                var status = nodes.Count > 0 ? stack!.Status : response.StatusCode;
                Log.Signaled(logger, method, ModuleName, agent.ToString(), status, nodes.Count);
                return new SignalingResult(status, nodes);
            }
            catch (SignalingException e)
            {
                Log.SignalingFailed(logger, method, agent.ToString(), e.Message);
                return new SignalingResult(0, []);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "{Method} {Module} toward {Agent}")]
        public static partial void Signaling(ILogger logger, string method, string module, string agent);

        [LoggerMessage(21, LogLevel.Information, "{Method} {Module} toward {Agent}: {Status} from {Nodes} NetServ node(s)")]
        public static partial void Signaled(ILogger logger, string method, string module, string agent, int status, int nodes);

        [LoggerMessage(22, LogLevel.Warning, "{Method} toward {Agent} failed: {Error}")]
        public static partial void SignalingFailed(ILogger logger, string method, string agent, string error);
    }
}
