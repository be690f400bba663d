using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NetServ.Contracts.Configuration;
using NetServ.Signaling.Security;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;

namespace NetServ.TestSupport.Sip;

/// <summary>What a SIP application's end-to-end path runs: its module, its server and its namespaces.</summary>
public sealed record SipPathOptions(string NamespacePrefix, string PackageId, string Project, string ServerProject, string ServerAssembly)
{
    /// <summary>The module name on the node.</summary>
    public string Module => PackageId + "_1.0.0";

    /// <summary>UDP ports the ITSP's server modules may listen on, on the router.</summary>
    public IReadOnlyList<int> AllowedPorts { get; init; } = [];

    /// <summary>Where the ITSP's modules may filter traffic toward: its server's network unless the application signals toward its users.</summary>
    public IReadOnlyList<string> AllowedPrefixes { get; init; } = ["198.18.2.0/24"];
}

/// <summary>
/// The path of the paper's SIP applications (Figures 8, 9 and 10): SIP user agent 198.18.1.1 — router
/// running netservd — SIP server 198.18.2.2, each link its own /24, namespaces named after the
/// application (<c>ns-ka…</c>, <c>ns-mr…</c>, <c>ns-oc…</c>). The server's host serves the module
/// packages on port 8080 and runs the application's server program; the ITSP's user "itsp" has a key
/// on the router.
/// </summary>
public sealed partial class SipPath : IAsyncDisposable
{
    public const string User = "itsp";
    public const int UaPort = 40000;
    public static readonly IPAddress UaAddress = IPAddress.Parse("198.18.1.1");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("198.18.2.2");
    public static readonly IPEndPoint ServerEndPoint = new(ServerAddress, 5060);

    private readonly string _keys;
    private readonly ConcurrentQueue<string> _serverLog = new();
    private Process? _server;

    private SipPath(SipPathOptions options, LocalNetwork network, PackageServer packages, NetServNodeProcess router, string keys, string package)
    {
        Options = options;
        Network = network;
        Packages = packages;
        Router = router;
        _keys = keys;
        Package = package;
    }

    public SipPathOptions Options { get; }

    public string Module => Options.Module;

    public LocalNetwork Network { get; }

    public PackageServer Packages { get; }

    public NetServNodeProcess Router { get; }

    /// <summary>The module package on this machine.</summary>
    public string Package { get; }

    /// <summary>Where the router downloads the package.</summary>
    public Uri PackageUrl => Packages.UrlOf(Path.GetFileName(Package));

    public string Key => Path.Combine(_keys, "itsp.key");

    public NetworkNamespace Ua => Network["ua"].Namespace;

    public NetworkNamespace Server => Network["server"].Namespace;

    public NetworkNamespace RouterNamespace => Network["router"].Namespace;

    /// <summary>What the SIP server has logged so far.</summary>
    public IReadOnlyList<string> ServerLog => _serverLog.ToArray();

    public static async Task<SipPath> StartAsync(SipPathOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var package = BuildOutputs.EnsurePackage(options.PackageId, options.Project);
        var keys = Directory.CreateTempSubdirectory($"netserv-{options.NamespacePrefix}-keys-").FullName;
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        await File.WriteAllTextAsync(Path.Combine(keys, "itsp.key"), key.ToPem());

        var network = LocalNetwork.Create(options.NamespacePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)));
        PackageServer? packages = null;
        try
        {
            var ua = network.AddHost("ua");
            var router = network.AddHost("router");
            var server = network.AddHost("server");
            network.Connect(ua, "eth0", "198.18.1.1/24", router, "eth0", "198.18.1.2/24");
            network.Connect(router, "eth1", "198.18.2.1/24", server, "eth0", "198.18.2.2/24");
            network.AddStaticRoutes();
            packages = PackageServer.Start(BuildOutputs.ModulesDirectory, ServerAddress, 8080, server.Namespace);
            var node = await NetServNodeProcess.StartAsync(router.Namespace, new NetServNodeOptions
            {
                Node =
                {
                    NodeName = $"router-{network.Id}",
                    Users = [new UserConfiguration { Name = User, AllowedPrefixes = [.. options.AllowedPrefixes], PublicKey = key.PublicKey.ToPem(), AllowedPorts = [.. options.AllowedPorts] }],
                },
                LogSink = line => TestContext.Progress.WriteLine(line),
            });
            return new SipPath(options, network, packages, node, keys, package);
        }
        catch
        {
            if (packages is not null)
            {
                await packages.DisposeAsync();
            }

            network.Dispose();
            Directory.Delete(keys, recursive: true);
            throw;
        }
    }

    /// <summary>The arguments every application server takes: where it listens, and how it installs its module.</summary>
    public IEnumerable<string> SignalingArguments =>
    [
        "--listen", ServerAddress.ToString(), "--port", Invariant(ServerEndPoint.Port),
        "--package", Package, "--url", PackageUrl.ToString(), "--user", User, "--key", Key, "--ttl", "600",
    ];

    /// <summary>
    /// Starts the application's SIP server (built beside the test assembly, same configuration) on the
    /// server's host with <paramref name="arguments"/>, its log kept.
    /// </summary>
    public void StartSipServer(IEnumerable<string> arguments)
    {
        StopSipServer();
        _serverLog.Clear();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Prepend(ServerAssembly()))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Server.Start(info);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _server = process;
    }

    /// <summary>Waits until the SIP server's log has <paramref name="occurrences"/> lines containing <paramref name="text"/>; returns the last.</summary>
    public async Task<string> WaitForServerLogAsync(string text, TimeSpan timeout, int occurrences = 1)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var lines = ServerLog.Where(l => l.Contains(text, StringComparison.Ordinal)).ToArray();
            if (lines.Length >= occurrences)
            {
                return lines[^1];
            }

            if (watch.Elapsed > timeout || _server is null || _server.HasExited)
            {
                Assert.Fail($"the SIP server did not log '{text}' {occurrences} time(s) within {timeout.TotalSeconds} s:\n{string.Join('\n', ServerLog)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>How many lines of the server's log contain <paramref name="text"/>.</summary>
    public int ServerLines(string text) => ServerLog.Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Runs a sipp scenario (EndToEnd/sipp beside the test assembly) from the user agent's host, port
    /// <paramref name="localPort"/>, toward the SIP server, at most <paramref name="concurrent"/> calls at
    /// once; bounded in calls and time.
    /// </summary>
    public SippResult Sipp(string scenario, int calls, int callsPerSecond = 20, int concurrent = 1, int localPort = UaPort)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "sipp", scenario);
        var result = CommandRunner.Run(
            "ip",
            [
                "netns", "exec", Ua.Name, "sipp", "-sf", path, "-m", Invariant(calls), "-r", Invariant(callsPerSecond), "-l", Invariant(concurrent),
                "-i", UaAddress.ToString(), "-p", Invariant(localPort), "-s", Options.NamespacePrefix, "-nostdin", "-timeout", "60s", "-timeout_error",
                ServerEndPoint.ToString(),
            ],
            TimeSpan.FromSeconds(90));
        var successful = SuccessfulCalls().Matches(result.StandardOutput).LastOrDefault();
        var failed = FailedCalls().Matches(result.StandardOutput).LastOrDefault();
        var responses = new Dictionary<int, int>();
        foreach (Match line in ResponsesReceived().Matches(result.StandardOutput))
        {
            // The final screen comes last: it overwrites the counts of earlier screens.
            responses[int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture)] = int.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return new SippResult(
            result.ExitCode,
            successful is null ? -1 : int.Parse(successful.Groups[1].Value, CultureInfo.InvariantCulture),
            failed is null ? -1 : int.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture),
            result.StandardOutput + result.StandardError)
        {
            Responses = responses,
        };
    }

    /// <summary>The module's status counters on the router.</summary>
    public async Task<JsonObject> ModuleStatusAsync()
    {
        var module = (await Router.StatusAsync()).ContainerOf(User).Modules.FirstOrDefault(m => m.Name == Module) ?? throw new AssertionException($"{Module} is not installed on the router");
        return module.Live?.Status?.AsObject() ?? throw new AssertionException($"{Module} on the router has no status of its own");
    }

    /// <summary>The modules installed for the ITSP on the router.</summary>
    public async Task<IReadOnlyList<string>> ModulesAsync() =>
        (await Router.StatusAsync()).ContainerOf(User).Modules.Select(m => m.Name).ToArray();

    /// <summary>Runs the netserv CLI on the server's host (the ITSP signs with its key).</summary>
    public CommandResult Cli(params string[] arguments) =>
        CommandRunner.Run("ip", ["netns", "exec", Server.Name, "dotnet", Path.Combine(BuildOutputs.EnsureNode(), "netserv.dll"), .. arguments], TimeSpan.FromSeconds(90));

    public void StopSipServer()
    {
        if (_server is null)
        {
            return;
        }

        if (!_server.HasExited)
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(10_000);
        }

        _server.Dispose();
        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        StopSipServer();
        await Router.DisposeAsync();
        await Packages.DisposeAsync();
        Network.Dispose();
        Directory.Delete(_keys, recursive: true);
    }

    /// <summary>The application's server, built beside the test assembly (same configuration) because the test project references it.</summary>
    private string ServerAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var path = Path.Combine(BuildOutputs.RepositoryRoot, "artifacts", "bin", Options.ServerProject, configuration, Options.ServerAssembly + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{Options.ServerAssembly} is not built: {path}");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _serverLog.Enqueue(line);
            TestContext.Progress.WriteLine("sip-server: " + line);
        }
    }

    [GeneratedRegex(@"Successful call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex SuccessfulCalls();

    [GeneratedRegex(@"Failed call\s*\|\s*\d+\s*\|\s*(\d+)")]
    private static partial Regex FailedCalls();

    // A line of sipp's scenario screen for a received response: "      503 <---------- 1234  0  0  0".
    [GeneratedRegex(@"^\s+(\d{3})\s+<-+\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex ResponsesReceived();
}

/// <summary>What a sipp run said: its exit code (0 when every call succeeded) and its final call counts.</summary>
public sealed record SippResult(int ExitCode, int Successful, int Failed, string Output)
{
    /// <summary>How many responses of each status code the scenario received (its final screen).</summary>
    public IReadOnlyDictionary<int, int> Responses { get; init; } = new Dictionary<int, int>();

    /// <summary>How many responses with <paramref name="status"/> were received.</summary>
    public int ResponsesOf(int status) => Responses.TryGetValue(status, out var count) ? count : 0;

    public override string ToString() => $"sipp exited {ExitCode}, {Successful} successful, {Failed} failed:\n{Output}";
}
