using System.CommandLine;
using Microsoft.Extensions.Logging;
using NetServ.Networking;

namespace NetServ.Apps.Signaling;

/// <summary>
/// The command-line options an application's server takes to install its module (<c>--package</c>,
/// <c>--url</c>, <c>--user</c>, <c>--key</c>, <c>--ttl</c>, <c>--properties</c>), and the
/// <see cref="ModuleSignaler"/> they describe.
/// </summary>
public sealed class SignalingCommandLine(string moduleDescription)
{
    public Option<string?> Package { get; } = new("--package") { Description = $"the {moduleDescription} module package; without it the server only answers" };

    public Option<string?> Url { get; } = new("--url") { Description = "where NetServ nodes download the package" };

    public Option<string?> User { get; } = new("--user") { Description = "the NetServ user the server signals as" };

    public Option<string?> Key { get; } = new("--key") { Description = "that user's private key file (netserv keygen)" };

    public Option<int?> Ttl { get; } = new("--ttl") { Description = "seconds the module lives on the nodes unless signaled again" };

    public Option<string?> Properties { get; } = new("--properties") { Description = "key=value,key=value handed to the module" };

    /// <summary>The options, to add to the server's root command.</summary>
    public IEnumerable<Option> Options => [Package, Url, User, Key, Ttl, Properties];

    /// <summary>
    /// The signaler for the parsed options: <see langword="null"/> without <c>--package</c>;
    /// <see langword="false"/> with <paramref name="error"/> when <c>--package</c> lacks the others.
    /// </summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="program">The server's program name, for its signaling client and its messages.</param>
    /// <param name="server">The server's address and SIP port: the filter selects UDP toward it.</param>
    /// <param name="port">The server's UDP port.</param>
    /// <param name="properties">Properties the server itself hands the module, before <c>--properties</c>; may be empty.</param>
    /// <param name="logger">Where signaling logs.</param>
    /// <param name="signaler">The signaler, or <see langword="null"/>.</param>
    /// <param name="error">Why the options do not go together.</param>
    public bool TryCreateSignaler(
        ParseResult result,
        string program,
        Ipv4Address server,
        int port,
        string properties,
        ILogger logger,
        out ModuleSignaler? signaler,
        out string? error)
    {
        ArgumentNullException.ThrowIfNull(result);
        signaler = null;
        error = null;
        if (result.GetValue(Package) is not { } packagePath)
        {
            return true;
        }

        if (result.GetValue(Url) is not { } packageUrl || result.GetValue(User) is not { } userName || result.GetValue(Key) is not { } keyPath)
        {
            error = $"{program}: --package needs --url, --user and --key";
            return false;
        }

        var extra = result.GetValue(Properties);
        signaler = new ModuleSignaler(
            new ModuleSignalerOptions
            {
                PackagePath = packagePath,
                Url = new Uri(packageUrl),
                User = userName,
                KeyPath = keyPath,
                FilterUdpDestination = new System.Net.IPEndPoint(server.ToIPAddress(), port),
                TtlSeconds = result.GetValue(Ttl),
                Properties = string.Join(',', new[] { properties, extra }.Where(p => !string.IsNullOrWhiteSpace(p))),
                ClientName = program,
            },
            logger,
            TimeProvider.System);
        return true;
    }
}
