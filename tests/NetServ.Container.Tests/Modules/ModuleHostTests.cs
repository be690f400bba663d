using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Container.Modules;
using NetServ.Container.Packets;
using NetServ.Contracts.Control;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Sdk.Packaging;
using NetServ.Testbed.Nodes;

namespace NetServ.Container.Tests.Modules;

[TestFixture]
[NonParallelizable]
public sealed class ModuleHostTests
{
    private string _directory = null!;
    private ModuleChain _chain = null!;
    private ModuleHost _host = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("netserv-host-test-").FullName;
        _chain = new ModuleChain(NullLogger<ModuleChain>.Instance);
        var blocks = new BuildingBlockRegistry();
        blocks.Add(BuildingBlockNames.PacketSender, new UnavailablePacketSender());
        _host = new ModuleHost(
            "alice",
            _chain,
            _ => true,
            blocks,
            new UnavailablePacketSender(),
            NullLoggerFactory.Instance,
            TimeProvider.System,
            new ModuleHostOptions { StartTimeout = TimeSpan.FromSeconds(2), StopTimeout = TimeSpan.FromSeconds(2) },
            NullLogger<ModuleHost>.Instance);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [TestCase("NetServ.Apps.NetMonitor", "applications/NetMonitor", 100)]
    [TestCase("NetServ.Apps.NetMonitor", "applications/NetMonitor", 0)]
    [TestCase("NetServ.TestModules.Throw", "tests/TestModules/Throw", 0)]
    public async Task Remove_AfterPackets_UnloadsTheModuleContextCompletely(string packageId, string project, int packets)
    {
        var install = Extract(packageId, project, withFilter: packets >= 0);
        await _host.InstallAsync(install, CancellationToken.None);
        SendPackets(packets);

        await _host.RemoveAsync(install.Module, CancellationToken.None);
        var status = await _host.GetStatusAsync(collectGarbage: true);

        Assert.Multiple(() =>
        {
            Assert.That(_chain.Slots, Is.Empty);
            Assert.That(status.LoadedModuleContexts, Is.Zero);
            Assert.That(status.UnloadingModuleContexts, Is.Empty, "the collectible context must be collected");
        });
    }

    private void SendPackets(int count)
    {
        var buffer = new byte[100];
        for (var i = 0; i < count; i++)
        {
            PacketWriter.TryWriteUdp(buffer, Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 4000, 5060, "hello"u8, out var length);
            var packet = new Packet(buffer.AsSpan(), length);
            Assert.That(_chain.Process(ref packet), Is.EqualTo(PacketOutcome.Accept));
        }
    }

    private InstallModuleMessage Extract(string packageId, string project, bool withFilter)
    {
        var package = BuildOutputs.EnsurePackage(packageId, project);
        var info = ModulePackage.Inspect(package);
        var code = Path.Combine(_directory, info.ModuleName);
        ModulePackage.Extract(package, info, code);
        return new InstallModuleMessage
        {
            Module = info.ModuleName,
            Directory = code,
            AssemblyFile = info.AssemblyFile,
            EntryType = info.EntryType,
            DataDirectory = Path.Combine(_directory, "data", info.ModuleName),
            Filter = withFilter ? new FilterSpec { Protocol = FilterProtocol.Udp, Port = 5060, Destinations = [Ipv4Prefix.Parse("198.19.0.0/24")] } : null,
        };
    }
}
