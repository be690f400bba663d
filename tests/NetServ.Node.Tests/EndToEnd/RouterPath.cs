using System.Net;
using NetServ.Contracts.Configuration;
using NetServ.Signaling.Nslp;
using NetServ.TestSupport.Traffic;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>
/// The acceptance topology of the node runtime: sender 198.18.0.1 (also the content provider that
/// serves module packages on port 8080) — router running netservd — receiver 198.19.0.1.
/// Users: alice may filter 198.19.0.0/24, bob may filter 198.19.0.0/24 too (his container is the
/// bystander that must keep working), carol has no prefixes.
/// </summary>
internal sealed class RouterPath : IAsyncDisposable
{
    public const int Port = 5060;

    private RouterPath(ThreeHostPath path, PackageServer packages, NetServNodeProcess node)
    {
        Path = path;
        Packages = packages;
        Node = node;
    }

    public ThreeHostPath Path { get; }

    public PackageServer Packages { get; }

    public NetServNodeProcess Node { get; }

    public static IPEndPoint ReceiverEndPoint => new(IPAddress.Parse("198.19.0.1"), Port);

    public static async Task<RouterPath> StartAsync(int hangTimeoutMs = 1000, int memoryLimitMb = 256, bool noModuleLayer = false, int? reverseRoutabilityPort = null)
    {
        var path = LocalNetwork.CreateSenderRouterReceiver();
        PackageServer? packages = null;
        try
        {
            Directory.CreateDirectory(BuildOutputs.ModulesDirectory);
            packages = PackageServer.Start(BuildOutputs.ModulesDirectory, IPAddress.Parse("198.18.0.1"), 8080, path.Sender.Namespace);
            var node = await NetServNodeProcess.StartAsync(path.Router.Namespace, new NetServNodeOptions
            {
                Node =
                {
                    NodeName = $"router-{path.Network.Id}",
                    Containers = { HangTimeoutMs = hangTimeoutMs, NoModuleLayer = noModuleLayer },
                    ReverseRoutability = { Enabled = reverseRoutabilityPort is not null, Port = reverseRoutabilityPort ?? 80 },
                    Users =
                    [
                        new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.19.0.0/24"], AllowedPorts = [8080], MemoryLimitMb = memoryLimitMb },
                        new UserConfiguration { Name = "bob", AllowedPrefixes = ["198.19.0.0/24"] },
                        new UserConfiguration { Name = "carol" },
                    ],
                },
                LogSink = line => TestContext.Progress.WriteLine(line),
            });
            return new RouterPath(path, packages, node);
        }
        catch
        {
            if (packages is not null)
            {
                await packages.DisposeAsync();
            }

            path.Dispose();
            throw;
        }
    }

    /// <summary>A SETUP of a module built from <paramref name="project"/>, with a UDP/5060 filter on the receiver's subnet.</summary>
    public ModuleSetup Setup(string packageId, string project, string user = "alice") =>
        ModuleSetup.ForPackage(BuildOutputs.EnsurePackage(packageId, project), user, Packages.UrlOf) with
        {
            FilterProtocol = "udp",
            FilterPort = Port,
            FilterDestination = "198.19.0.0/24",
        };

    /// <summary>Installs and asserts success.</summary>
    public async Task InstallAsync(ModuleSetup setup)
    {
        var response = await Node.SetupAsync(setup);
        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok), $"SETUP failed: {response.Headers[NslpHeaderNames.Error]}\n{Node.LogTail()}");
    }

    /// <summary>Sends numbered UDP packets from the sender to the receiver and returns what arrived.</summary>
    public IReadOnlyList<string> SendAndReceive(string prefix, int count, int packetsPerSecond = 2000, TimeSpan? quiet = null)
    {
        using var receiver = UdpReceiver.Start(Path.Receiver.Namespace, ReceiverEndPoint);
        UdpSender.Send(Path.Sender.Namespace, ReceiverEndPoint, UdpSender.Numbered(prefix, count), packetsPerSecond);
        receiver.WaitFor(count, quiet ?? TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        return receiver.Payloads.Select(p => System.Text.Encoding.ASCII.GetString(p)).ToArray();
    }

    public async Task<IReadOnlyList<string>> RulesAsync() =>
        (await Node.StatusAsync()).Forwarding.Rules;

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Packages.DisposeAsync();
        Path.Dispose();
    }
}
