using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;

namespace NetServ.Apps.ActiveCdn.Provider;

/// <summary>
/// Deploys ActiveCDN toward a region (paper Figure 7, steps 3 to 7): an on-path SETUP toward the
/// user who asked, then a PROBE for the module along the same path; the nodes that report it
/// installed go into the <see cref="RegionDirectory"/>.
/// </summary>
internal sealed partial class CdnDeployer(IOptions<ProviderOptions> options, RegionDirectory regions, TimeProvider time, ILogger<CdnDeployer> logger)
{
    private readonly ProviderOptions _options = options.Value;
    private long _deployments;

    public long Deployments => Interlocked.Read(ref _deployments);

    /// <summary>Deploys toward <paramref name="user"/> unless the region has nodes or a deployment already.</summary>
    public void DeployInBackground(IPAddress user, string region)
    {
        if (!regions.TryBeginDeployment(region, _options.RetryAfter))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            IReadOnlyList<string> nodes = [];
            try
            {
                nodes = await DeployAsync(Ipv4Address.Parse(user.MapToIPv4().ToString()), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SignalingException or IOException or System.Net.Sockets.SocketException or InvalidDataException or TimeoutException)
            {
                Log.DeploymentFailed(logger, region, e.Message);
            }
            finally
            {
                regions.EndDeployment(region, nodes);
            }
        });
    }

    /// <summary>Sends SETUP, then PROBE, toward <paramref name="user"/>; returns the addresses of the nodes that have the module, in path order.</summary>
    public async Task<IReadOnlyList<string>> DeployAsync(Ipv4Address user, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _deployments);
        using var key = UserPrivateKey.TryParse(await File.ReadAllTextAsync(_options.Key, cancellationToken).ConfigureAwait(false), out var parsed, out var error)
            ? parsed
            : throw new InvalidDataException($"{_options.Key}: {error}");
        await using var client = SignalingClient.Start($"activecdn-provider-{Environment.ProcessId}", logger, time);
        var signed = new SignedRequestClient(client, _options.User, key, time);

        var url = Uri.TryCreate(_options.ModuleUrl, UriKind.Absolute, out var parsedUrl)
            ? parsedUrl
            : throw new InvalidDataException($"Provider:ModuleUrl '{_options.ModuleUrl}' is not an absolute URL");
        var setup = new ModuleSetup(_options.ModuleName, _options.User, url, _options.ModuleDigest)
        {
            Properties = Properties(),
            Dependencies = $"{BuildingBlockNames.HttpServer},{BuildingBlockNames.HttpClient}",
            TtlSeconds = _options.TtlSeconds,
        };
        var setupResult = await signed.SendForPathAsync(user, setup.ToRequest(), _options.SignalingTimeout, cancellationToken).ConfigureAwait(false);
        Log.SetupSent(logger, user.ToString(), setupResult.Nodes.Count(n => n.Succeeded), setupResult.Nodes.Count);

        var probeResult = await signed.SendForPathAsync(user, NslpRequests.ProbeModule(_options.ModuleName), _options.SignalingTimeout, cancellationToken).ConfigureAwait(false);
        var nodes = probeResult.Nodes.Where(n => n.Succeeded).Select(n => n.Address).ToArray();
        Log.Probed(logger, user.ToString(), string.Join(", ", nodes));
        return nodes;
    }

    private string Properties()
    {
        var origin = $"origin={_options.Origin ?? $"http://{_options.Listen}"},port={_options.CdnPort.ToString(CultureInfo.InvariantCulture)}";
        return string.IsNullOrWhiteSpace(_options.Properties) ? origin : $"{origin},{_options.Properties}";
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SETUP toward {User}: {Installed} of {Nodes} NetServ nodes installed ActiveCDN")]
        public static partial void SetupSent(ILogger logger, string user, int installed, int nodes);

        [LoggerMessage(2, LogLevel.Information, "PROBE toward {User}: ActiveCDN runs on [{Nodes}]")]
        public static partial void Probed(ILogger logger, string user, string nodes);

        [LoggerMessage(3, LogLevel.Warning, "Deploying ActiveCDN toward {Region} failed: {Error}")]
        public static partial void DeploymentFailed(ILogger logger, string region, string error);
    }
}
