using NetServ.Contracts.Control;
using NetServ.Node.Containers;
using NetServ.Sdk;
using ModuleRemovalReason = NetServ.Contracts.Status.ModuleRemovalReason;

namespace NetServ.Node.Tests.Control;

/// <summary>netservd's end of the filter-events building block: which containers hear of the node's packet filters, and when.</summary>
[TestFixture]
public sealed class FilterAnnouncerTests
{
    [Test]
    public async Task Install_ModuleWithFilter_SendsTheSetOnlyToContainersOfferingFilterEvents()
    {
        await using var rig = await RigAsync();

        await rig.InstalledAsync(ControlRig.Setup("alice", filterDestinations: "198.19.0.0/24", filterPort: 5060));

        var sent = FiltersSentTo(rig, "bob").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FiltersSentTo(rig, "alice"), Is.Empty, "alice's container does not offer the block");
            Assert.That(sent.Version, Is.EqualTo(1));
            Assert.That(sent.Filters.Single().User, Is.EqualTo("alice"));
            Assert.That(sent.Filters.Single().Module, Is.EqualTo(ControlRig.NetMonitor));
            Assert.That(sent.Filters.Single().Filter.ToFilter().ToString(), Is.EqualTo("udp/5060 to 198.19.0.0/24"));
        }
    }

    [Test]
    public async Task Install_ModuleWithoutFilter_SendsNothing()
    {
        await using var rig = await RigAsync();

        await rig.InstalledAsync(ControlRig.Setup("alice"));

        Assert.That(FiltersSentTo(rig, "bob"), Is.Empty);
    }

    [TestCase(ModuleRemovalReason.Removed)]
    [TestCase(ModuleRemovalReason.TtlExpired)]
    public async Task Uninstall_SendsANewerSetWithoutTheFilter(ModuleRemovalReason reason)
    {
        await using var rig = await RigAsync();
        var record = await rig.InstalledAsync(ControlRig.Setup("alice", filterDestinations: "198.19.0.0/24", filterPort: 5060));

        await rig.Installer.UninstallAsync(record, reason, null, CancellationToken.None);

        var last = FiltersSentTo(rig, "bob")[^1];
        Assert.That(last.Version, Is.EqualTo(2));
        Assert.That(last.Filters, Is.Empty);
    }

    [Test]
    public async Task Install_ContainerFailsToTakeTheSet_TheModuleIsInstalledAndLaterSetsStillGoOut()
    {
        await using var rig = await RigAsync();
        rig.Containers.Answer = (user, message) => message is FiltersMessage && user == "bob"
            ? throw new ContainerUnavailableException("the container of bob did not answer within 10 s")
            : new ReplyMessage { Ok = true };

        var outcome = await rig.InstallAsync(ControlRig.Setup("alice", filterDestinations: "198.19.0.0/24", filterPort: 5060));
        rig.Containers.Answer = (_, _) => new ReplyMessage { Ok = true };
        await rig.InstalledAsync(ControlRig.Setup("alice", ControlRig.KeepAlive, filterDestinations: "198.19.1.0/24", filterPort: 5060));

        Assert.That(outcome.IsRefused(out _, out _), Is.False);
        Assert.That(FiltersSentTo(rig, "bob")[^1].Filters.Select(f => f.Module), Is.EqualTo(new[] { ControlRig.NetMonitor, ControlRig.KeepAlive }));
    }

    [Test]
    public async Task ContainerRestarted_SendsTheWholeSetToThatContainerBeforeItsModules()
    {
        await using var rig = await RigAsync();
        await rig.InstalledAsync(ControlRig.Setup("alice", filterDestinations: "198.19.0.0/24", filterPort: 5060));
        await rig.InstalledAsync(ControlRig.Setup("bob", ControlRig.KeepAlive));
        rig.Containers.Requests.Clear();

        await rig.Recovery.ContainerRestartedAsync("bob", ContainerRestartReason.Died("killed by signal 9"));

        var requests = rig.Containers.Requests.Select(r => r.Message).ToList();
        Assert.That(requests[0], Is.TypeOf<FiltersMessage>());
        Assert.That(((FiltersMessage)requests[0]).Filters.Single().Module, Is.EqualTo(ControlRig.NetMonitor));
        Assert.That(requests[1], Is.TypeOf<InstallModuleMessage>());
    }

    private static async Task<ControlRig> RigAsync()
    {
        var rig = await ControlRig.StartAsync(settings => settings.Users[1].AllowedPrefixes = ["198.19.0.0/16"]);
        var bob = rig.Containers["bob"];
        bob.Hello = bob.Hello! with { BuildingBlocks = [BuildingBlockNames.FilterEvents, BuildingBlockNames.PacketSender] };
        return rig;
    }

    private static List<FiltersMessage> FiltersSentTo(ControlRig rig, string user) =>
        rig.Containers.Requests.Where(r => r.User == user).Select(r => r.Message).OfType<FiltersMessage>().ToList();
}
