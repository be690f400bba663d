// A NetServ user on a node of a local testbed: the module package served from the node, signed signaling from its namespace.
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed.Http;

namespace NetServ.Testbed.Local;

/// <summary>
/// A NetServ user on one node of a local testbed, as a lab's sender is: a module package served over HTTP from the
/// node's address, and a signaling client in the node's namespace that signs the user's requests with the user's key.
/// Disposing stops both.
/// </summary>
public sealed class LocalNodeUser : IAsyncDisposable
{
    private readonly PackageServer _server;
    private readonly SignalingClient _client;
    private readonly SignedRequestClient _signed;

    private LocalNodeUser(PackageServer server, SignalingClient client, SignedRequestClient signed, ModuleSetup module)
    {
        (_server, _client, _signed, Module) = (server, client, signed, module);
    }

    /// <summary>The SETUP of the served package for the user (its URL on the node's server); add a filter with <c>with</c>.</summary>
    public ModuleSetup Module { get; }

    /// <summary>Serves <paramref name="package"/> from <paramref name="node"/> and starts a signaling client there for <paramref name="user"/>.</summary>
    public static LocalNodeUser Start(LocalTestbedNode node, string user, UserPrivateKey key, string package, string clientName)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(key);
        var server = PackageServer.Start(Path.GetDirectoryName(package)!, IPAddress.Parse(node.Address.ToString()), 0, node.Namespace);
        try
        {
            var client = node.Namespace.Run(() => SignalingClient.Start(clientName, NullLogger.Instance, TimeProvider.System));
            return new LocalNodeUser(server, client, new SignedRequestClient(client, user, key, TimeProvider.System), ModuleSetup.ForPackage(package, user, server.UrlOf));
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Sends <paramref name="request"/>, signed, toward <paramref name="destination"/>; every NetServ node on the path answers.</summary>
    public Task<PathResponse> SendForPathAsync(Ipv4Address destination, NslpRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        _signed.SendForPathAsync(destination, request, timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
