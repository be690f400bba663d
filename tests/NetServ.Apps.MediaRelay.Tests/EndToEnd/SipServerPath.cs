using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using NetServ.Signaling.Security;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;

namespace NetServ.Apps.Testing;

/// <summary>
/// The path of the paper's SIP applications (Figures 8 and 9): user agent 198.18.1.1 — router
/// running netservd — SIP server 198.18.2.2, each link its own /24, namespaces named
/// <c>ns-&lt;tag&gt;…</c>. The server's host serves the module packages on port 8080 and runs the
/// application's server program; the ITSP's user has a key on the router. Compiled into the
/// application test projects that link it.
/// </summary>
internal sealed class SipServerPath : IAsyncDisposable
{
    public static readonly IPAddress AgentAddress = IPAddress.Parse("198.18.1.1");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("198.18.2.2");

    private readonly string _keys;
    private readonly ConcurrentQueue<string> _serverLog = new();
    private Process? _server;

    private SipServerPath(LocalNetwork network, PackageServer packages, NetServNodeProcess router, string keys, string package, string user)
    {
        Network = network;
        Packages = packages;
        Router = router;
        _keys = keys;
        Package = package;
        User = user;
    }

    public LocalNetwork Network { get; }

    public PackageServer Packages { get; }

    public NetServNodeProcess Router { get; }

    /// <summary>The module package on this machine.</summary>
    public string Package { get; }

    /// <summary>Where the router downloads the package.</summary>
    public Uri PackageUrl => Packages.UrlOf(Path.GetFileName(Package));

    /// <summary>The ITSP's NetServ user.</summary>
    public string User { get; }

    public string Key => Path.Combine(_keys, User + ".key");

    public NetworkNamespace Agent => Network["ua"].Namespace;

    public NetworkNamespace Server => Network["server"].Namespace;

    public NetworkNamespace RouterNamespace => Network["router"].Namespace;

    /// <summary>What the server program has logged so far.</summary>
    public IReadOnlyList<string> ServerLog => _serverLog.ToArray();

    /// <summary>Builds the path; <paramref name="nodeUser"/> makes the ITSP's policy entry from its public key (PEM).</summary>
    public static async Task<SipServerPath> StartAsync(string tag, string packageId, string project, string user, Func<string, NodeUser> nodeUser)
    {
        var package = BuildOutputs.EnsurePackage(packageId, project);
        var keys = Directory.CreateTempSubdirectory($"netserv-{tag}-keys-").FullName;
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        await File.WriteAllTextAsync(Path.Combine(keys, user + ".key"), key.ToPem());

        var network = LocalNetwork.Create(tag + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)));
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
                NodeName = $"router-{network.Id}",
                Users = [nodeUser(key.PublicKey.ToPem())],
                LogSink = line => TestContext.Progress.WriteLine(line),
            });
            return new SipServerPath(network, packages, node, keys, package, user);
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

    /// <summary>Starts an application's server program (built beside the test assembly, same configuration) on the server's host.</summary>
    public void StartServer(string project, string assembly, IEnumerable<string> arguments)
    {
        StopServer();
        _serverLog.Clear();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var path = Path.Combine(BuildOutputs.RepositoryRoot, "artifacts", "bin", project, configuration, assembly + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{assembly} is not built: {path}");
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (IEnumerable<string>)[path, .. arguments])
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

    /// <summary>Waits until the server's log has <paramref name="occurrences"/> lines containing <paramref name="text"/>; returns the last.</summary>
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
                Assert.Fail($"the server did not log '{text}' {occurrences} time(s) within {timeout.TotalSeconds} s:\n{string.Join('\n', ServerLog)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>How many lines of the server's log contain <paramref name="text"/>.</summary>
    public int ServerLines(string text) => ServerLog.Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>The status of <paramref name="module"/> on the router.</summary>
    public async Task<JsonObject> ModuleStatusAsync(string module)
    {
        var modules = NetServNodeProcess.ContainerOf(await Router.StatusAsync(), User)["modules"]!.AsArray().OfType<JsonObject>();
        var found = modules.FirstOrDefault(m => m["name"]!.GetValue<string>() == module) ?? throw new AssertionException($"{module} is not installed on the router");
        return found["live"]!["status"]!.AsObject();
    }

    /// <summary>The modules installed for the ITSP on the router.</summary>
    public async Task<IReadOnlyList<string>> ModulesAsync() =>
        NetServNodeProcess.ContainerOf(await Router.StatusAsync(), User)["modules"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()).ToArray();

    /// <summary>
    /// Runs a sipp scenario (EndToEnd/sipp beside the test assembly) from the user agent's host,
    /// port <paramref name="localPort"/>, toward <paramref name="server"/>; bounded in calls and time.
    /// </summary>
    public CommandResult Sipp(string scenario, int calls, IPEndPoint server, int localPort) =>
        CommandRunner.Run(
            "ip",
            [
                "netns", "exec", Agent.Name, "sipp", "-sf", Path.Combine(AppContext.BaseDirectory, "EndToEnd", "sipp", scenario),
                "-m", calls.ToString(CultureInfo.InvariantCulture), "-r", "10", "-l", "1",
                "-i", AgentAddress.ToString(), "-p", localPort.ToString(CultureInfo.InvariantCulture), "-nostdin", "-timeout", "30s", "-timeout_error",
                server.ToString(),
            ],
            TimeSpan.FromSeconds(60));

    /// <summary>Runs the netserv CLI on the server's host (the ITSP signs with its key).</summary>
    public CommandResult Cli(params string[] arguments) =>
        CommandRunner.Run("ip", ["netns", "exec", Server.Name, "dotnet", Path.Combine(BuildOutputs.EnsureNode(), "netserv.dll"), .. arguments], TimeSpan.FromSeconds(90));

    public void StopServer()
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
        StopServer();
        await Router.DisposeAsync();
        await Packages.DisposeAsync();
        Network.Dispose();
        Directory.Delete(_keys, recursive: true);
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _serverLog.Enqueue(line);
            TestContext.Progress.WriteLine("server: " + line);
        }
    }
}
