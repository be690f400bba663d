using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The experimenter's side of signaling: one user key for the whole run (its public half goes into
/// every NetServ node's configuration), and a way to send signed requests from each node, started the first time a
/// node sends (<c>start</c>: the testbed's, see <see cref="IExperimentTestbed.StartSignalingAsync"/>).
/// Every request is signed and sent toward a destination; the NetServ nodes on the path answer.
/// </summary>
internal sealed class ExperimentSignaling(Func<ITestbedNode, UserPrivateKey, CancellationToken, Task<INodeSignaling>> start, TimeSpan timeout) : IAsyncDisposable
{
    private readonly UserPrivateKey _key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
    private readonly Dictionary<string, INodeSignaling> _clients = new(StringComparer.Ordinal);

    /// <summary>The user's public key, as the nodes are configured with it.</summary>
    public string PublicKeyPem => _key.PublicKey.ToPem();

    /// <summary>
    /// Writes the user's private key to <paramref name="path"/> (mode 0600) and its public half to
    /// <paramref name="path"/>.pub, as <c>netserv keygen</c> does, so that a module's own server can
    /// sign as the user during the run; returns the full path.
    /// </summary>
    public string WriteKey(string path)
    {
        path = Path.GetFullPath(path);
        File.Delete(path);
        var owner = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var writer = new StreamWriter(path, owner))
        {
            writer.WriteLine(_key.ToPem());
        }

        File.WriteAllText(path + ".pub", PublicKeyPem + "\n");
        return path;
    }

    /// <summary>Signs <paramref name="request"/> as the user and sends it from <paramref name="from"/> toward <paramref name="destination"/>.</summary>
    /// <exception cref="ExperimentException">The path did not answer, or answered without a response stack.</exception>
    public async Task<PathResponse> SendAsync(ITestbedNode from, Ipv4Address destination, NslpRequest request, CancellationToken cancellationToken, TimeSpan? timeoutOverride = null)
    {
        if (!_clients.TryGetValue(from.ClientId, out var client))
        {
            client = await start(from, _key, cancellationToken).ConfigureAwait(false);
            _clients.Add(from.ClientId, client);
        }

        try
        {
            return await client.SendAsync(destination, request, timeoutOverride ?? timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SignalingException e) when (e.Response is null)
        {
            throw new ExperimentException($"{NslpRequest.MethodName(request.Method)} from {from.ClientId} toward {destination}: {e.Message}", e);
        }
        catch (SignalingException e)
        {
            throw new ExperimentException(e.Message, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        _clients.Clear();
        _key.Dispose();
    }
}
