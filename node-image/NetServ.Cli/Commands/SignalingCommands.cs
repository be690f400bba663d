using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.Sdk.Packaging;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;

namespace NetServ.Cli.Commands;

/// <summary>
/// <c>netserv setup | remove | probe | trigger</c>: the content provider's side. Each builds the
/// request, signs it with the user's key, sends it toward <c>--dest</c> in a GIST Query, waits for
/// the response stack of the NetServ nodes on the path and prints it.
/// </summary>
internal static class SignalingCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEnumerable<Command> Create(TextReader input)
    {
        yield return Setup(trigger: false);
        yield return Remove(trigger: false);
        yield return Probe(trigger: false);
        var trigger = new Command("trigger", "Send a SETUP, REMOVE or PROBE toward --dest inside a TRIGGER: the last NetServ node on the path sends it back toward you, so it acts on the reverse path (paper section 8)");
        trigger.Subcommands.Add(Setup(trigger: true));
        trigger.Subcommands.Add(Remove(trigger: true));
        trigger.Subcommands.Add(Probe(trigger: true));
        yield return trigger;
        yield return Request(input);
    }

    /// <summary>
    /// <c>netserv request</c>: a request written in NSLP's text form (a request line, headers, a blank line, the body) read from
    /// standard input, signed and sent as the other commands send theirs. What a program that builds its own requests uses on a
    /// node it reaches over SSH (the lab's runner on the Docker testbed).
    /// </summary>
    private static Command Request(TextReader input)
    {
        var common = new CommonOptions();
        var command = new Command("request", "Sign and send an NSLP request read from standard input in its text form (\"SETUP NAME NETSERV/0.1\", headers, a blank line) toward --dest");
        common.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var text = await input.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            if (!TryReadRequest(text, out var request, out var problem))
            {
                await result.InvocationConfiguration.Error.WriteLineAsync($"netserv request: {problem}").ConfigureAwait(false);
                return 2;
            }

            return await common.SendAsync(result, request, trigger: false, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The request in <paramref name="text"/>, whose line ends may be CRLF or LF (a here-document, say).</summary>
    internal static bool TryReadRequest(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NslpRequest? request, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        request = null;
        if (text.Length == 0)
        {
            problem = "standard input is empty: write the request there";
            return false;
        }

        if (!text.Contains("\r\n", StringComparison.Ordinal))
        {
            // LF line ends: the head in CRLF, as NSLP has it; the body as it is.
            var end = text.IndexOf("\n\n", StringComparison.Ordinal);
            var head = end >= 0 ? text[..end] : text.TrimEnd('\n');
            text = head.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n\r\n" + (end >= 0 ? text[(end + 2)..] : string.Empty);
        }

        if (!NslpCodec.TryParseWhole(System.Text.Encoding.UTF8.GetBytes(text), out var message, out var error))
        {
            problem = $"standard input is no NSLP message: {error}";
            return false;
        }

        if (message is not NslpRequest parsed)
        {
            problem = "standard input holds a response, not a request";
            return false;
        }

        request = parsed;
        problem = null;
        return true;
    }

    private static Command Setup(bool trigger)
    {
        var common = new CommonOptions();
        var module = new Argument<string?>("module") { Description = "the module name (<package id>_<version>); taken from --package when omitted", Arity = ArgumentArity.ZeroOrOne };
        var url = new Option<string>("--url") { Description = "where the nodes download the module package (http or https)", Required = true };
        var digest = new Option<string?>("--digest") { Description = "the package's SHA-256" };
        var package = new Option<string?>("--package") { Description = "the local package file: its digest and module name are read from it" };
        var filterProto = new Option<string?>("--filter-proto") { Description = "udp, tcp or any: the packets the module processes" };
        var filterPort = new Option<int?>("--filter-port") { Description = "destination port of those packets" };
        var filterDst = new Option<string?>("--filter-dst") { Description = "destination prefix(es), comma-separated (default: the user's allowed prefixes on each node)" };
        var properties = new Option<string?>("--properties") { Description = "key=value,key=value handed to the module" };
        var ttl = new Option<int?>("--ttl") { Description = "seconds until the module expires on every node unless refreshed" };
        var dependencies = new Option<string?>("--dependencies") { Description = "building blocks the module needs, comma-separated" };
        var ownership = new Option<string?>("--ownership-password") { Description = "one-time password stored at http://<filter-dst>/.well-known/netserv-password, proving you own a single address outside your prefixes (paper section 5.2)" };
        var command = new Command("setup", "Install a module on every NetServ node on the path toward --dest (SETUP)") { module, url, digest, package, filterProto, filterPort, filterDst, properties, ttl, dependencies, ownership };
        common.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var error = result.InvocationConfiguration.Error;
            var name = result.GetValue(module);
            var hash = result.GetValue(digest);
            if (result.GetValue(package) is { } file)
            {
                try
                {
                    var info = ModulePackage.Inspect(file);
                    name ??= info.ModuleName;
                    hash ??= ModuleCommands.Sha256(file);
                }
                catch (Exception e) when (e is ModulePackageException or IOException)
                {
                    error.WriteLine($"netserv: {file}: {e.Message}");
                    return Task.FromResult(2);
                }
            }

            if (name is null || hash is null)
            {
                error.WriteLine("netserv: setup needs the module name and --digest, or --package to read both from");
                return Task.FromResult(2);
            }

            if (!Uri.TryCreate(result.GetValue(url), UriKind.Absolute, out var moduleUrl))
            {
                error.WriteLine($"netserv: --url '{result.GetValue(url)}' is not an absolute URL");
                return Task.FromResult(2);
            }

            var request = new ModuleSetup(name, common.User(result), moduleUrl, hash)
            {
                FilterProtocol = result.GetValue(filterProto),
                FilterPort = result.GetValue(filterPort),
                FilterDestination = result.GetValue(filterDst),
                Properties = result.GetValue(properties),
                TtlSeconds = result.GetValue(ttl),
                Dependencies = result.GetValue(dependencies),
                OwnershipPassword = result.GetValue(ownership),
            }.ToRequest();
            return common.SendAsync(result, request, trigger, cancellationToken);
        });
        return command;
    }

    private static Command Remove(bool trigger)
    {
        var common = new CommonOptions();
        var module = new Argument<string>("module") { Description = "the module name" };
        var command = new Command("remove", "Uninstall a module from every NetServ node on the path toward --dest (REMOVE)") { module };
        common.AddTo(command);
        command.SetAction((result, cancellationToken) => common.SendAsync(result, NslpRequests.Remove(result.GetValue(module)!), trigger, cancellationToken));
        return command;
    }

    private static Command Probe(bool trigger)
    {
        var common = new CommonOptions();
        var what = new Argument<string>("what") { Description = "status, capabilities, policies, or a module name", DefaultValueFactory = _ => "status" };
        var command = new Command("probe", "Ask every NetServ node on the path toward --dest for its status, capabilities, policies or a module (PROBE)") { what };
        common.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            return common.SendAsync(result, NslpRequests.Probe(result.GetValue(what)!), trigger, cancellationToken);
        });
        return command;
    }

    /// <summary>The options every signaling command has, and the send-and-print they share.</summary>
    private sealed class CommonOptions
    {
        private readonly Option<string> _dest = new("--dest", "-d") { Description = "the address the request travels toward (an end user)", Required = true };
        private readonly Option<string> _user = new("--user", "-u") { Description = "the NetServ user sending the request", Required = true };
        private readonly Option<string> _key = new("--key", "-k") { Description = "the user's private key file (netserv keygen)", Required = true };
        private readonly Option<double> _timeout = new("--timeout") { Description = "seconds to wait for the path's answer", DefaultValueFactory = _ => 30 };
        private readonly Option<int> _queryTimeout = new("--query-timeout-ms") { Description = "how long a Query waits for the first NetServ node before it is sent again", DefaultValueFactory = _ => 500 };
        private readonly Option<bool> _json = new("--json") { Description = "print the response as JSON" };

        /// <summary>The user the request is sent as (<c>--user</c>).</summary>
        public string User(ParseResult result) => result.GetValue(_user)!;

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _dest, _user, _key, _timeout, _queryTimeout, _json })
            {
                command.Options.Add(option);
            }
        }

        public async Task<int> SendAsync(ParseResult result, NslpRequest request, bool trigger, CancellationToken cancellationToken)
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (!Ipv4Address.TryParse(result.GetValue(_dest), out var destination))
            {
                await error.WriteLineAsync($"netserv: --dest '{result.GetValue(_dest)}' is not an IPv4 address").ConfigureAwait(false);
                return 2;
            }

            UserPrivateKey key;
            try
            {
                key = KeyCommands.Load(result.GetValue(_key)!);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                await error.WriteLineAsync($"netserv: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            using (key)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    await using var client = SignalingClient.Start($"netserv-cli-{Environment.ProcessId}", NullLogger.Instance, TimeProvider.System, TimeSpan.FromMilliseconds(result.GetValue(_queryTimeout)));
                    var signed = new SignedRequestClient(client, User(result), key, TimeProvider.System);
                    var sent = trigger ? signed.SignTrigger(request) : request;
                    var response = await signed.SendAsync(destination, sent, TimeSpan.FromSeconds(result.GetValue(_timeout)), cancellationToken).ConfigureAwait(false);
                    return Print(sent, destination, response, watch.Elapsed, result.GetValue(_json), output);
                }
                catch (SignalingException e)
                {
                    await error.WriteLineAsync($"netserv: {e.Message}").ConfigureAwait(false);
                    return 3;
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    await error.WriteLineAsync($"netserv: cannot signal: {e.Message}").ConfigureAwait(false);
                    return 3;
                }
            }
        }

        private static int Print(NslpRequest request, Ipv4Address destination, NslpResponse response, TimeSpan elapsed, bool json, TextWriter output)
        {
            if (!PathResponse.TryParse(response, out var stack, out _))
            {
                // A node that refused before it could build a stack (a malformed request, say).
                output.WriteLine($"{response.StatusCode} {response.Reason}: {response.Headers[NslpHeaderNames.Error]}");
                return 1;
            }

            if (json)
            {
                var document = stack.ToJson();
                document["destination"] = destination.ToString();
                document["elapsedMilliseconds"] = Math.Round(elapsed.TotalMilliseconds, 1);
                output.WriteLine(document.ToJsonString(Indented));
            }
            else
            {
                output.WriteLine($"{NslpRequest.MethodName(request.Method)} {request.Target} toward {destination}: {stack.Status} {NslpStatus.ReasonPhrase(stack.Status)} ({stack.Nodes.Count} NetServ node(s), {elapsed.TotalMilliseconds:0} ms)");
                PrintNodes(stack, output, "  ");
                if (stack.Triggered is { } triggered)
                {
                    output.WriteLine($"  the last node sent {NslpRequest.MethodName(triggered.Method)} {triggered.Target} back toward you: {triggered.Status} {NslpStatus.ReasonPhrase(triggered.Status)}");
                    PrintNodes(triggered, output, "    ");
                }
            }

            return stack.Status == NslpStatus.Ok ? 0 : 1;
        }

        private static void PrintNodes(PathResponse stack, TextWriter output, string indent)
        {
            var index = 0;
            foreach (var node in stack.Nodes)
            {
                output.WriteLine($"{indent}{++index}. {node.Node} ({node.Address}): {node.Status} {NslpStatus.ReasonPhrase(node.Status)}{(node.Error is null ? string.Empty : " - " + node.Error)}");
                if (node.Data is { } data)
                {
                    foreach (var line in Summarise(data))
                    {
                        output.WriteLine($"{indent}   {line}");
                    }
                }
            }
        }

        private static IEnumerable<string> Summarise(JsonObject data)
        {
            if (StatusPrinter.TryRead(data) is { } status)
            {
                foreach (var container in status.Containers)
                {
                    var modules = container.Modules.Select(m => m.Name).ToArray();
                    yield return $"{container.User}: {StatusPrinter.StateName(container.State)}, modules: {(modules.Length == 0 ? "none" : string.Join(", ", modules))}";
                }

                yield break;
            }

            foreach (var (name, value) in data)
            {
                yield return $"{name}: {value?.ToJsonString() ?? "null"}";
            }
        }
    }
}
