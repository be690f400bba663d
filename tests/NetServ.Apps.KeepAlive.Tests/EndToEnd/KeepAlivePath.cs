using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NetServ.Apps.Testing;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;

namespace NetServ.Apps.KeepAlive.Tests.EndToEnd;

/// <summary>
/// The topology of the paper's Figure 8 (<see cref="SipServerPath"/>, namespaces <c>ns-ka…</c>):
/// sipp as the user agent, keepalive-server as the SIP server. The ITSP's user "itsp" may filter
/// 198.18.2.0/24 (traffic toward its server).
/// </summary>
internal sealed partial class KeepAlivePath : IAsyncDisposable
{
    public const string Module = "NetServ.Apps.KeepAlive_1.0.0";
    public const string User = "itsp";
    public const int UaPort = 40000;
    public static readonly IPAddress UaAddress = SipServerPath.AgentAddress;
    public static readonly IPEndPoint ServerEndPoint = new(SipServerPath.ServerAddress, 5060);

    private readonly SipServerPath _path;

    private KeepAlivePath(SipServerPath path) => _path = path;

    public NetServNodeProcess Router => _path.Router;

    public string Package => _path.Package;

    public string Key => _path.Key;

    public NetworkNamespace Ua => _path.Agent;

    public NetworkNamespace Server => _path.Server;

    /// <summary>How many keep-alive NOTIFYs the SIP server has answered itself.</summary>
    public int ServerKeepAlives => ServerLines($"keep-alive KeepAliveNotify from {UaAddress}:{UaPort}");

    public static async Task<KeepAlivePath> StartAsync() =>
        new(await SipServerPath.StartAsync("ka", "NetServ.Apps.KeepAlive", "applications/KeepAlive/NetServ.Apps.KeepAlive.csproj", User, key =>
            new NodeUser(User, ["198.18.2.0/24"]) { PublicKey = key }));

    /// <summary>Starts keepalive-server on the server's host: it installs the module after <paramref name="threshold"/> keep-alives from one user agent within two minutes.</summary>
    public void StartSipServer(int threshold, string? properties = null)
    {
        string[] arguments =
        [
            "--listen", ServerEndPoint.Address.ToString(), "--port", Invariant(ServerEndPoint.Port),
            "--threshold", Invariant(threshold), "--window-seconds", "120",
            "--package", Package, "--url", _path.PackageUrl.ToString(), "--user", User, "--key", Key, "--ttl", "600",
        ];
        _path.StartServer("NetServ.Apps.KeepAlive.Server", "keepalive-server", properties is null ? arguments : [.. arguments, "--properties", properties]);
    }

    /// <summary>Waits until the SIP server's log has <paramref name="occurrences"/> lines containing <paramref name="text"/>.</summary>
    public Task WaitForServerLogAsync(string text, TimeSpan timeout, int occurrences = 1) => _path.WaitForServerLogAsync(text, timeout, occurrences);

    /// <summary>How many lines of the server's log contain <paramref name="text"/>.</summary>
    public int ServerLines(string text) => _path.ServerLines(text);

    /// <summary>Runs a sipp scenario from the user agent's host toward the SIP server; bounded in calls and time.</summary>
    public static SippResult Sipp(NetworkNamespace ua, string scenario, int calls, int callsPerSecond = 20)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "sipp", scenario);
        var result = CommandRunner.Run(
            "ip",
            [
                "netns", "exec", ua.Name, "sipp", "-sf", path, "-m", Invariant(calls), "-r", Invariant(callsPerSecond), "-l", "1",
                "-i", UaAddress.ToString(), "-p", Invariant(UaPort), "-s", "ka", "-nostdin", "-timeout", "30s", "-timeout_error",
                ServerEndPoint.ToString(),
            ],
            TimeSpan.FromSeconds(60));
        var successful = SuccessfulCalls().Matches(result.StandardOutput).LastOrDefault();
        var failed = FailedCalls().Matches(result.StandardOutput).LastOrDefault();
        return new SippResult(
            result.ExitCode,
            successful is null ? -1 : int.Parse(successful.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            failed is null ? -1 : int.Parse(failed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            result.StandardOutput + result.StandardError);
    }

    /// <summary>The KeepAlive module's status counters on the router.</summary>
    public Task<JsonObject> ModuleStatusAsync() => _path.ModuleStatusAsync(Module);

    public Task<IReadOnlyList<string>> ModulesAsync() => _path.ModulesAsync();

    /// <summary>Runs the netserv CLI on the server's host (the ITSP signs with its key).</summary>
    public CommandResult Cli(params string[] arguments) => _path.Cli(arguments);

    public void StopSipServer() => _path.StopServer();

    public ValueTask DisposeAsync() => _path.DisposeAsync();

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Successful call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex SuccessfulCalls();

    [GeneratedRegex(@"Failed call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex FailedCalls();
}

/// <summary>What a sipp run said: its exit code (0 when every call succeeded) and its final call counts.</summary>
internal sealed record SippResult(int ExitCode, int Successful, int Failed, string Output)
{
    public override string ToString() => $"sipp exited {ExitCode}, {Successful} successful, {Failed} failed:\n{Output}";
}
