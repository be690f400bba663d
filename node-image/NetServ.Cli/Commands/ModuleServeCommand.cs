using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using NetServ.Testbed.Http;

namespace NetServ.Cli.Commands;

/// <summary>
/// <c>netserv module serve</c>: a provider node offers its module packages over HTTP, where a SETUP's module URL points
/// (the node image holds them in /opt/netserv/modules). The server is the one the testbeds' providers use.
/// </summary>
internal static class ModuleServeCommand
{
    /// <summary>Where the node image keeps the module packages it brings.</summary>
    public const string ImageModulesDirectory = "/opt/netserv/modules";

    public static Command Create()
    {
        var directory = new Option<string>("--dir") { Description = "the folder of module packages to serve", DefaultValueFactory = _ => ImageModulesDirectory };
        var address = new Option<string>("--address") { Description = "the address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var port = new Option<int>("--port") { Description = "the TCP port (0: any free one)", DefaultValueFactory = _ => 8080 };
        var command = new Command("serve", "Serve the module packages of a folder over HTTP (GET and HEAD) until stopped, printing each package's URL") { directory, address, port };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = result.InvocationConfiguration;
            var root = Path.GetFullPath(result.GetValue(directory)!);
            if (!Directory.Exists(root))
            {
                await console.Error.WriteLineAsync($"netserv: {root} is not a folder").ConfigureAwait(false);
                return 1;
            }

            if (!IPAddress.TryParse(result.GetValue(address), out var listen) || listen.AddressFamily != AddressFamily.InterNetwork)
            {
                await console.Error.WriteLineAsync($"netserv: --address '{result.GetValue(address)}' is not an IPv4 address").ConfigureAwait(false);
                return 2;
            }

            PackageServer server;
            try
            {
                server = PackageServer.Start(root, listen, result.GetValue(port));
            }
            catch (SocketException e)
            {
                await console.Error.WriteLineAsync($"netserv: cannot listen on {listen}:{result.GetValue(port)}: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            await using (server.ConfigureAwait(false))
            {
                var packages = Directory.GetFiles(root, "*.nupkg").Order(StringComparer.Ordinal).ToList();
                await console.Output.WriteLineAsync($"serving {packages.Count} module packages from {root} on http://{server.EndPoint}/ (Ctrl-C stops)").ConfigureAwait(false);
                foreach (var package in packages)
                {
                    await console.Output.WriteLineAsync($"  {server.UrlOf(Path.GetFileName(package))} sha256 {ModuleCommands.Sha256(package)}").ConfigureAwait(false);
                }

                await console.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                await console.Output.WriteLineAsync($"stopped after {server.Requests} requests").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
