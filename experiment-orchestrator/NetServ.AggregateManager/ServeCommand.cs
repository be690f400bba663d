using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;
using NetServ.Geni.LocalAggregate;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;

namespace NetServ.AggregateManager;

/// <summary>What <c>netserv-am serve</c> runs with.</summary>
internal sealed record ServeSettings
{
    /// <summary>The local authority's directory (<c>netserv-am init</c>): its root is trusted and issues the server's certificate.</summary>
    public required string Directory { get; init; }

    /// <summary>The port on 127.0.0.1; 0 lets the system choose.</summary>
    public int Port { get; init; } = 12369;

    /// <summary>The image the nodes run.</summary>
    public string Image { get; init; } = DockerTestbedOptions.NodeImage;

    /// <summary>Where slices are kept across restarts (default: <c>state/</c> in <see cref="Directory"/>).</summary>
    public string? StateDirectory { get; init; }

    public string State => StateDirectory ?? Path.Combine(Directory, "state");
}

/// <summary>
/// <c>netserv-am serve</c>: the AM API v3 over HTTPS on 127.0.0.1, client certificates chained to the local
/// authority's trust directory required, slivers as containers of the Docker testbed. Runs until Ctrl-C or
/// SIGTERM, then tears down the containers it made.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The path GENI clients of ProtoGENI aggregates post to (any path is served).</summary>
    public const string AmPath = "/protogeni/xmlrpc/am/3.0";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = AmCommands.DirectoryOption();
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1", DefaultValueFactory = _ => 12369 };
        var testbed = new Option<string>("--testbed") { Description = "What the nodes are: docker (containers of the node image)", DefaultValueFactory = _ => "docker" };
        testbed.AcceptOnlyFromAmong("docker", "local");
        var image = new Option<string>("--image") { Description = "The image the nodes run", DefaultValueFactory = _ => DockerTestbedOptions.NodeImage };
        var command = new Command("serve", "Serve the GENI AM API v3 over HTTPS with client certificates on 127.0.0.1")
        {
            directory, port, testbed, image,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(testbed) == "local")
            {
                await error.WriteLineAsync("netserv-am serve: --testbed local (network namespaces) has no sliver provisioner yet; use --testbed docker").ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(port) is < 0 or > 65535)
            {
                await error.WriteLineAsync("netserv-am serve: --port takes 0 to 65535").ConfigureAwait(false);
                return 2;
            }

            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var settings = new ServeSettings { Directory = Path.GetFullPath(parse.GetValue(directory)!), Port = parse.GetValue(port), Image = parse.GetValue(image)! };
            // Ctrl-C and SIGTERM end the serving, whatever the web host makes of them: the slivers' containers are removed first.
            using var stop = new StopSignals("netserv-am", "stopping; removing the slivers' containers", cancellationToken);
            return await ServeAsync(settings, output, error, loggers, started: null, stop.Token).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled; <paramref name="started"/> is told the address once it listens.</summary>
    internal static async Task<int> ServeAsync(ServeSettings settings, TextWriter output, TextWriter error, ILoggerFactory? loggers, Action<Uri>? started, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var files = new LocalAuthorityFiles(settings.Directory);
        LocalAuthority authority;
        try
        {
            authority = files.Load(time);
        }
        catch (CredentialException e)
        {
            await error.WriteLineAsync($"netserv-am serve: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        using (authority)
        {
            using var certificate = ServerCertificate.Issue(authority, time);
            DockerSliverProvisioner provisioner;
            try
            {
                provisioner = await DockerSliverProvisioner.StartAsync(new DockerSliverOptions { StateDirectory = settings.State, Image = settings.Image }, loggers, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerUnavailableException e)
            {
                await error.WriteLineAsync($"netserv-am serve: the nodes are Docker containers, and {e.Message}").ConfigureAwait(false);
                return 1;
            }

            await using (provisioner.ConfigureAwait(false))
            {
                var options = new AggregateOptions
                {
                    Url = new Uri($"https://127.0.0.1:{settings.Port}{AmPath}"),
                    StateDirectory = settings.State,
                    TrustDirectory = files.TrustedRoots,
                };
                AggregateHost host;
                try
                {
                    host = await AggregateHost.StartAsync(options, new IPEndPoint(IPAddress.Loopback, settings.Port), certificate, provisioner, time, loggers, authority, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is CredentialException or IOException)
                {
                    await error.WriteLineAsync($"netserv-am serve: {e.Message}").ConfigureAwait(false);
                    return 1;
                }

                await using (host.ConfigureAwait(false))
                {
                    var url = new Uri(host.Address, AmPath);
                    await output.WriteLineAsync($"netserv-am: AM API v3 at {url} (client certificates of {files.TrustedRoots}; server certificate issued by {files.AuthorityCertificate})").ConfigureAwait(false);
                    await output.WriteLineAsync($"netserv-am: slices kept in {settings.State}; nodes are containers of {settings.Image}; Ctrl-C stops and removes them").ConfigureAwait(false);
                    started?.Invoke(url);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        await output.WriteLineAsync("netserv-am: stopping; removing the nodes").ConfigureAwait(false);
                    }
                }
            }
        }

        return 0;
    }
}
