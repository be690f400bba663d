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

namespace NetServ.Apps.MediaRelay.Tests.EndToEnd;

/// <summary>
/// The topology of the paper's Figure 9, reduced to one NetServ node: user agent 1 at 198.18.1.1 —
/// router running netservd — the SIP server's host 198.18.2.2, which also plays user agent 2 and
/// serves the module packages on port 8080. Namespaces are named <c>ns-mr…</c>. The ITSP's user
/// "itsp" may listen on the control port and the media ports of the relay.
/// </summary>
internal sealed class MediaRelayPath : IAsyncDisposable
{
    public const string Module = "NetServ.Apps.MediaRelay_1.0.0";
    public const string User = "itsp";
    public const int ControlPort = 7070;
    public const int PortMin = 30000;
    public const int PortMax = 30007;
    public static readonly IPAddress Ua1Address = IPAddress.Parse("198.18.1.1");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("198.18.2.2");

    private readonly string _keys;
    private readonly ConcurrentQueue<string> _serverLog = new();
    private Process? _server;

    private MediaRelayPath(LocalNetwork network, PackageServer packages, NetServNodeProcess router, string keys, string package)
    {
        Network = network;
        Packages = packages;
        Router = router;
        _keys = keys;
        Package = package;
    }

    public LocalNetwork Network { get; }

    public PackageServer Packages { get; }

    public NetServNodeProcess Router { get; }

    public string Package { get; }

    public string Key => Path.Combine(_keys, "itsp.key");

    public NetworkNamespace Ua1 => Network["ua1"].Namespace;

    public NetworkNamespace Server => Network["server"].Namespace;

    public NetworkNamespace RouterNamespace => Network["router"].Namespace;

    public static async Task<MediaRelayPath> StartAsync()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.MediaRelay", "applications/MediaRelay/NetServ.Apps.MediaRelay.csproj");
        var keys = Directory.CreateTempSubdirectory("netserv-mr-keys-").FullName;
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        await File.WriteAllTextAsync(Path.Combine(keys, "itsp.key"), key.ToPem());

        var network = LocalNetwork.Create("mr" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)));
        PackageServer? packages = null;
        try
        {
            var ua1 = network.AddHost("ua1");
            var router = network.AddHost("router");
            var server = network.AddHost("server");
            network.Connect(ua1, "eth0", "198.18.1.1/24", router, "eth0", "198.18.1.2/24");
            network.Connect(router, "eth1", "198.18.2.1/24", server, "eth0", "198.18.2.2/24");
            network.AddStaticRoutes();
            packages = PackageServer.Start(BuildOutputs.ModulesDirectory, ServerAddress, 8080, server.Namespace);
            var node = await NetServNodeProcess.StartAsync(router.Namespace, new NetServNodeOptions
            {
                NodeName = $"router-{network.Id}",
                Users =
                [
                    new NodeUser(User, ["198.18.1.0/24"])
                    {
                        PublicKey = key.PublicKey.ToPem(),
                        AllowedPorts = [ControlPort, .. Enumerable.Range(PortMin, PortMax - PortMin + 1)],
                    },
                ],
                LogSink = line => TestContext.Progress.WriteLine(line),
            });
            return new MediaRelayPath(network, packages, node, keys, package);
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

    /// <summary>Runs the netserv CLI on the SIP server's host (the ITSP signs with its key).</summary>
    public CommandResult Cli(params string[] arguments) =>
        CommandRunner.Run("ip", ["netns", "exec", Server.Name, "dotnet", Path.Combine(BuildOutputs.EnsureNode(), "netserv.dll"), .. arguments], TimeSpan.FromSeconds(90));

    /// <summary>The MediaRelay module's status on the router.</summary>
    public async Task<JsonObject> ModuleStatusAsync()
    {
        var modules = NetServNodeProcess.ContainerOf(await Router.StatusAsync(), User)["modules"]!.AsArray().OfType<JsonObject>();
        var module = modules.FirstOrDefault(m => m["name"]!.GetValue<string>() == Module) ?? throw new AssertionException($"{Module} is not installed on the router");
        return module["live"]!["status"]!.AsObject();
    }

    public async Task<IReadOnlyList<string>> ModulesAsync() =>
        NetServNodeProcess.ContainerOf(await Router.StatusAsync(), User)["modules"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()).ToArray();

    /// <summary>The UDP ports bound in the router's namespace (ss), to see that the relay released them.</summary>
    public IReadOnlySet<int> BoundUdpPorts()
    {
        var output = RouterNamespace.ExecChecked("ss", "-Hnua").StandardOutput;
        var ports = new HashSet<int>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // State, Recv-Q, Send-Q, local address:port, peer.
            var local = fields.Length > 3 ? fields[3] : string.Empty;
            var colon = local.LastIndexOf(':');
            if (colon >= 0 && int.TryParse(local.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    /// <summary>Starts mediarelay-server on the SIP server's host, installing the relay with <paramref name="properties"/>.</summary>
    public void StartSipServer(string properties)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            ServerAssembly(), "--listen", ServerAddress.ToString(), "--port", "5060", "--package", Package,
            "--url", Packages.UrlOf(Path.GetFileName(Package)).ToString(), "--user", User, "--key", Key, "--properties", properties,
        })
        {
            info.ArgumentList.Add(argument);
        }

        _server = Server.Start(info);
        _server.OutputDataReceived += (_, e) => Keep(e.Data);
        _server.ErrorDataReceived += (_, e) => Keep(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
    }

    /// <summary>Waits for a line of the SIP server's log containing <paramref name="text"/> and returns it.</summary>
    public async Task<string> WaitForServerLogAsync(string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_serverLog.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (watch.Elapsed > timeout || _server is null || _server.HasExited)
            {
                throw new AssertionException($"the SIP server did not log '{text}' within {timeout.TotalSeconds} s:\n{string.Join('\n', _serverLog)}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync();
            }

            _server.Dispose();
        }

        await Router.DisposeAsync();
        await Packages.DisposeAsync();
        Network.Dispose();
        Directory.Delete(_keys, recursive: true);
    }

    /// <summary>mediarelay-server, built beside this test assembly (same configuration) because the test project references it.</summary>
    private static string ServerAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var path = Path.Combine(BuildOutputs.RepositoryRoot, "artifacts", "bin", "NetServ.Apps.MediaRelay.Server", configuration, "mediarelay-server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"mediarelay-server is not built: {path}");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _serverLog.Enqueue(line);
            TestContext.Progress.WriteLine("sip-server: " + line);
        }
    }
}
