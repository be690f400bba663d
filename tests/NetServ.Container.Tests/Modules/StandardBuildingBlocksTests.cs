using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Container.Modules;
using NetServ.Container.Packets;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Sdk.Packaging;
using NetServ.Testbed.Nodes;

namespace NetServ.Container.Tests.Modules;

[TestFixture]
[NonParallelizable]
public sealed class StandardBuildingBlocksTests
{
    [Test]
    public void Create_OffersTheHttpServerByName()
    {
        using var http = new HttpClient();
        var blocks = StandardBuildingBlocks.Create(new UnavailablePacketSender(), new ServerSockets(), http, new NodeFilters(NullLoggerFactory.Instance), NullLoggerFactory.Instance);

        Assert.That(blocks.Names, Is.SupersetOf(new[] { BuildingBlockNames.HttpServer, BuildingBlockNames.HttpClient, BuildingBlockNames.ServerSockets }));
    }

    [Test]
    public async Task InstallingAPacketModule_LoadsNoAspNetCoreAssembly()
    {
        var loaded = new List<string>();
        void OnLoad(object? sender, AssemblyLoadEventArgs e) => loaded.Add(e.LoadedAssembly.GetName().Name ?? string.Empty);
        var directory = Directory.CreateTempSubdirectory("netserv-blocks-test-").FullName;
        AppDomain.CurrentDomain.AssemblyLoad += OnLoad;
        try
        {
            using var http = new HttpClient();
            var blocks = StandardBuildingBlocks.Create(new UnavailablePacketSender(), new ServerSockets(), http, new NodeFilters(NullLoggerFactory.Instance), NullLoggerFactory.Instance);
            var host = new ModuleHost("alice", new ModuleChain(NullLogger<ModuleChain>.Instance), _ => true, blocks, new UnavailablePacketSender(), NullLoggerFactory.Instance, TimeProvider.System, new ModuleHostOptions(), NullLogger<ModuleHost>.Instance);
            var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor/NetServ.Apps.NetMonitor.csproj");
            var info = ModulePackage.Inspect(package);
            ModulePackage.Extract(package, info, Path.Combine(directory, "code"));
            await host.InstallAsync(
                new InstallModuleMessage
                {
                    Module = info.ModuleName,
                    Directory = Path.Combine(directory, "code"),
                    AssemblyFile = info.AssemblyFile,
                    EntryType = info.EntryType,
                    DataDirectory = Path.Combine(directory, "data"),
                    Filter = new FilterSpec { Protocol = FilterProtocol.Udp, Port = 5060, Destinations = [Ipv4Prefix.Parse("198.19.0.0/24")] },
                },
                CancellationToken.None);
            var status = await host.GetStatusAsync(collectGarbage: false);
            _ = ReplyMessage.ForStatus(1, new ContainerReport { User = "alice", Modules = status.Modules }).Data!.ToJsonString();
            await host.StopAllAsync(CancellationToken.None);
        }
        finally
        {
            AppDomain.CurrentDomain.AssemblyLoad -= OnLoad;
            Directory.Delete(directory, recursive: true);
        }

        Assert.That(loaded.Where(n => n.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)), Is.Empty, "a container whose modules do not serve HTTP must not pay for Kestrel");
    }
}
