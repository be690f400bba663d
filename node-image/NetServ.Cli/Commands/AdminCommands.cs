using System.CommandLine;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Transport;

namespace NetServ.Cli.Commands;

/// <summary><c>netserv admin</c>: the node operator's commands over netservd's local admin socket.</summary>
internal static class AdminCommands
{
    public const string DefaultSocket = "/run/netserv/netservd.sock";

    public static Command Create()
    {
        var socket = new Option<string>("--socket") { Description = "netservd's admin socket", DefaultValueFactory = _ => DefaultSocket, Recursive = true };
        var json = new Option<bool>("--json") { Description = "print the response as JSON", Recursive = true };
        var admin = new Command("admin", "Talk to the local netservd through its admin socket (root only)") { socket, json };
        admin.Subcommands.Add(Setup(socket, json));
        admin.Subcommands.Add(Remove(socket, json));
        admin.Subcommands.Add(Probe(socket, json));
        return admin;
    }

    private static Command Setup(Option<string> socket, Option<bool> json)
    {
        var module = new Argument<string>("module") { Description = "the module name: <package id>_<version>, e.g. NetServ.Apps.NetMonitor_1.0.0" };
        var user = new Option<string>("--user") { Description = "the NetServ user whose container runs the module", Required = true };
        var url = new Option<string>("--url") { Description = "where the node downloads the module package (http or https)", Required = true };
        var digest = new Option<string>("--digest") { Description = "the package's SHA-256 (netserv module digest prints it)", Required = true };
        var filterProto = new Option<string?>("--filter-proto") { Description = "udp, tcp or any: the packets the module processes" };
        var filterPort = new Option<int?>("--filter-port") { Description = "destination port of those packets" };
        var filterDst = new Option<string?>("--filter-dst") { Description = "destination prefix(es), comma-separated (default: the user's allowed prefixes)" };
        var properties = new Option<string?>("--properties") { Description = "key=value,key=value handed to the module" };
        var ttl = new Option<int?>("--ttl") { Description = "seconds until the module expires unless refreshed" };
        var dependencies = new Option<string?>("--dependencies") { Description = "building blocks the module needs, comma-separated" };
        var ownership = new Option<string?>("--ownership-password") { Description = "one-time password stored at http://<filter-dst>/.well-known/netserv-password, proving you own a single address outside your prefixes (paper section 5.2)" };
        var command = new Command("setup", "Install a module (SETUP)") { module, user, url, digest, filterProto, filterPort, filterDst, properties, ttl, dependencies, ownership };
        command.SetAction((result, cancellationToken) =>
        {
            if (!Uri.TryCreate(result.GetValue(url), UriKind.Absolute, out var moduleUrl))
            {
                result.InvocationConfiguration.Error.WriteLine($"netserv: --url '{result.GetValue(url)}' is not an absolute URL");
                return Task.FromResult(2);
            }

            var request = new ModuleSetup(result.GetValue(module)!, result.GetValue(user)!, moduleUrl, result.GetValue(digest)!)
            {
                FilterProtocol = result.GetValue(filterProto),
                FilterPort = result.GetValue(filterPort),
                FilterDestination = result.GetValue(filterDst),
                Properties = result.GetValue(properties),
                TtlSeconds = result.GetValue(ttl),
                Dependencies = result.GetValue(dependencies),
                OwnershipPassword = result.GetValue(ownership),
            }.ToRequest();
            return SendAsync(result, result.GetValue(socket)!, request, result.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static Command Remove(Option<string> socket, Option<bool> json)
    {
        var module = new Argument<string>("module") { Description = "the module name" };
        var user = new Option<string>("--user") { Description = "the module's user", Required = true };
        var command = new Command("remove", "Uninstall a module (REMOVE)") { module, user };
        command.SetAction((result, cancellationToken) =>
        {
            var request = NslpRequests.Remove(result.GetValue(module)!);
            request.Headers[NslpHeaderNames.User] = result.GetValue(user)!;
            return SendAsync(result, result.GetValue(socket)!, request, result.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static Command Probe(Option<string> socket, Option<bool> json)
    {
        var kind = new Argument<string>("what") { Description = "status, capabilities, policies, or a module name", DefaultValueFactory = _ => "status" };
        var user = new Option<string?>("--user") { Description = "only this user" };
        var collect = new Option<bool>("--collect") { Description = "collect garbage in the containers first, so unloaded modules are really gone from the counts" };
        var command = new Command("probe", "Ask the node for its status, capabilities, policies or a module (PROBE)") { kind, user, collect };
        command.Aliases.Add("status");
        command.SetAction((result, cancellationToken) =>
        {
            var request = NslpRequests.Probe(result.GetValue(kind)!);
            AddIfSet(request, NslpHeaderNames.User, result.GetValue(user));
            if (result.GetValue(collect))
            {
                request.Headers.Add("collect", "true");
            }

            return SendAsync(result, result.GetValue(socket)!, request, result.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static void AddIfSet(NslpRequest request, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            request.Headers.Add(name, value);
        }
    }

    private static async Task<int> SendAsync(ParseResult result, string socket, NslpRequest request, bool json, CancellationToken cancellationToken)
    {
        try
        {
            var client = await NslpStreamClient.ConnectUnixAsync(socket, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                return ResponsePrinter.Print(response, json, result.InvocationConfiguration.Output);
            }
        }
        catch (IOException e)
        {
            await result.InvocationConfiguration.Error.WriteLineAsync($"netserv: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
