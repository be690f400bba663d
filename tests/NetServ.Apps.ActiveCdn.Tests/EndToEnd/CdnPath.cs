using System.Net;
using System.Net.Sockets;
using NetServ.Contracts.Configuration;
using NetServ.Signaling.Security;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Nodes;

namespace NetServ.Apps.ActiveCdn.Tests.EndToEnd;

/// <summary>
/// ActiveCDN's topology (paper Figure 7): content provider 198.18.1.1 — NetServ edge router —
/// end user 198.18.2.2, namespaces <c>ns-cdn-*</c>. The provider serves module packages on port
/// 8081 and content on 8000; alice may run servers on port 8080 of the router, bob on 8090.
/// </summary>
internal sealed class CdnPath : IAsyncDisposable
{
    public const string Tag = "cdn";
    public const string User = "198.18.2.2";
    public const int CdnPort = 8080;

    /// <summary>bob's container is only for the test that needs one fresh.</summary>
    public const int BobPort = 8090;
    public const int ContentPort = 8000;
    public const string ModuleName = "NetServ.Apps.ActiveCdn_1.0.0";

    private CdnPath(LocalNetwork network, PackageServer packages, PackageServer content, NetServNodeProcess router, string directory)
    {
        Network = network;
        Packages = packages;
        Content = content;
        Router = router;
        Directory = directory;
    }

    public LocalNetwork Network { get; }

    public PackageServer Packages { get; }

    /// <summary>The plain origin: serves <see cref="ContentDirectory"/> and counts requests.</summary>
    public PackageServer Content { get; }

    public NetServNodeProcess Router { get; }

    /// <summary>Scratch space: keys, content, frames.</summary>
    public string Directory { get; }

    public string ContentDirectory => Path.Combine(Directory, "content");

    public string AliceKey => Path.Combine(Directory, "alice.key");

    public LocalHost Provider => Network["provider"];

    public LocalHost EndUser => Network["user"];

    /// <summary>The router's address as the provider sees it; PROBE reports it.</summary>
    public static IPAddress RouterAddress { get; } = IPAddress.Parse("198.18.1.2");

    public static string OriginUrl => $"http://198.18.1.1:{ContentPort}";

    public static async Task<CdnPath> StartAsync()
    {
        // What an interrupted run left (ns-cdn-*), as its record lists it; never a live run's.
        _ = RunReaper.ForMachine().Reap();
        var directory = System.IO.Directory.CreateTempSubdirectory("activecdn-e2e-").FullName;
        var content = Path.Combine(directory, "content");
        System.IO.Directory.CreateDirectory(content);
        using var alice = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        await File.WriteAllTextAsync(Path.Combine(directory, "alice.key"), alice.ToPem());

        LocalNetwork? network = null;
        PackageServer? packages = null;
        PackageServer? origin = null;
        try
        {
            network = LocalNetwork.CreateTaggedLine(Tag, "provider", "router", "user");
            BuildOutputs.EnsurePackage("NetServ.Apps.ActiveCdn", "applications/ActiveCDN/NetServ.Apps.ActiveCdn.csproj");
            packages = PackageServer.Start(BuildOutputs.ModulesDirectory, IPAddress.Parse("198.18.1.1"), 8081, network["provider"].Namespace);
            origin = PackageServer.Start(content, IPAddress.Parse("198.18.1.1"), ContentPort, network["provider"].Namespace);
            var router = await NetServNodeProcess.StartAsync(network["router"].Namespace, new NetServNodeOptions
            {
                Node =
                {
                    NodeName = $"edge-{network.Id}",
                    Containers = { LogLevel = Environment.GetEnvironmentVariable("NETSERV_TEST_LOG_LEVEL") ?? "Information" },
                    Users =
                    [
                        new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.18.2.0/24"], PublicKey = alice.PublicKey.ToPem(), AllowedPorts = [CdnPort] },
                        new UserConfiguration { Name = "bob", AllowedPrefixes = ["198.18.2.0/24"], AllowedPorts = [BobPort] },
                    ],
                },
                LogSink = line => TestContext.Progress.WriteLine(line),
            });
            return new CdnPath(network, packages, origin, router, directory);
        }
        catch
        {
            if (origin is not null)
            {
                await origin.DisposeAsync();
            }

            if (packages is not null)
            {
                await packages.DisposeAsync();
            }

            network?.Dispose();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The SETUP of ActiveCDN with <paramref name="properties"/>, as the admin API takes it.</summary>
    public ModuleSetup Setup(string properties, string user = "alice") =>
        ModuleSetup.ForPackage(Path.Combine(BuildOutputs.ModulesDirectory, "NetServ.Apps.ActiveCdn.1.0.0.nupkg"), user, Packages.UrlOf) with
        {
            Properties = properties,
            Dependencies = "http-server,http-client",
        };

    /// <summary>An HTTP client whose connections start in the end user's namespace.</summary>
    public HttpClient UserClient() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = EndUser.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Content.DisposeAsync();
        await Packages.DisposeAsync();
        Network.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
