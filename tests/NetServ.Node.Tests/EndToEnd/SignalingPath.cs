using System.Net;
using System.Text.Json.Nodes;
using NetServ.Contracts.Configuration;
using NetServ.Signaling.Security;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>
/// The signaling acceptance topology: provider 198.18.1.1 — NetServ node A — a plain router —
/// NetServ node B — end user 198.18.4.2, each on its own /24 with static routes. The provider
/// serves module packages on port 8080 and runs the netserv CLI; alice has a key on both nodes
/// and may filter 198.18.4.0/24.
/// </summary>
internal sealed class SignalingPath : IAsyncDisposable
{
    public const string User = "198.18.4.2";

    private readonly string _keys;

    private SignalingPath(LocalNetwork network, PackageServer packages, NetServNodeProcess a, NetServNodeProcess b, string keys)
    {
        Network = network;
        Packages = packages;
        A = a;
        B = b;
        _keys = keys;
    }

    public LocalNetwork Network { get; }

    public PackageServer Packages { get; }

    public NetServNodeProcess A { get; }

    public NetServNodeProcess B { get; }

    public string AliceKey => Path.Combine(_keys, "alice.key");

    public string MalloryKey => Path.Combine(_keys, "mallory.key");

    public LocalHost Provider => Network["provider"];

    /// <summary>Creates the path and starts both nodes; <paramref name="tune"/> adjusts their configuration (signaling timers, say).</summary>
    public static async Task<SignalingPath> StartAsync(int defaultTtlSeconds = 3600, Action<NodeConfiguration>? tune = null)
    {
        var keys = Directory.CreateTempSubdirectory("netserv-keys-").FullName;
        using var alice = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        using var mallory = UserPrivateKey.Generate(UserKeyAlgorithm.EcdsaP256);
        await File.WriteAllTextAsync(Path.Combine(keys, "alice.key"), alice.ToPem());
        await File.WriteAllTextAsync(Path.Combine(keys, "mallory.key"), mallory.ToPem());

        var network = LocalNetwork.CreateLine("provider", "a", "plain", "b", "user");
        PackageServer? packages = null;
        NetServNodeProcess? a = null;
        try
        {
            Directory.CreateDirectory(BuildOutputs.ModulesDirectory);
            packages = PackageServer.Start(BuildOutputs.ModulesDirectory, IPAddress.Parse("198.18.1.1"), 8080, network["provider"].Namespace);
            NetServNodeOptions Options(string name)
            {
                var options = new NetServNodeOptions
                {
                    Node =
                    {
                        NodeName = $"{name}-{network.Id}",
                        DefaultTtlSeconds = defaultTtlSeconds,
                        Containers = { LogLevel = Environment.GetEnvironmentVariable("NETSERV_TEST_LOG_LEVEL") ?? "Information" },
                        Users =
                        [
                            new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.18.4.0/24"], PublicKey = alice.PublicKey.ToPem() },
                            new UserConfiguration { Name = "bob", AllowedPrefixes = ["198.18.4.0/24"] },
                        ],
                    },
                    LogSink = line => TestContext.Progress.WriteLine(line),
                };
                tune?.Invoke(options.Node);
                return options;
            }

            var startA = NetServNodeProcess.StartAsync(network["a"].Namespace, Options("a"));
            var startB = NetServNodeProcess.StartAsync(network["b"].Namespace, Options("b"));
            a = await startA;
            var b = await startB;
            return new SignalingPath(network, packages, a, b, keys);
        }
        catch
        {
            if (a is not null)
            {
                await a.DisposeAsync();
            }

            if (packages is not null)
            {
                await packages.DisposeAsync();
            }

            network.Dispose();
            Directory.Delete(keys, recursive: true);
            throw;
        }
    }

    /// <summary>Runs the netserv CLI in the provider's namespace.</summary>
    public CommandResult Cli(params string[] arguments) =>
        CommandRunner.Run("ip", ["netns", "exec", Provider.Namespace.Name, "dotnet", Path.Combine(BuildOutputs.EnsureNode(), "netserv.dll"), .. arguments], TimeSpan.FromSeconds(90));

    /// <summary>The CLI's --json output.</summary>
    public static JsonObject Json(CommandResult result) =>
        JsonNode.Parse(result.StandardOutput) as JsonObject ?? throw new AssertionException($"not JSON: {result.StandardOutput}\n{result.StandardError}");

    /// <summary>The names of the modules installed for alice on a node.</summary>
    public static async Task<IReadOnlyList<string>> ModulesAsync(NetServNodeProcess node) =>
        (await node.StatusAsync()).ContainerOf("alice").Modules.Select(m => m.Name).ToArray();

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Packages.DisposeAsync();
        Network.Dispose();
        Directory.Delete(_keys, recursive: true);
    }
}
