using NetServ.Contracts.Control;
using NetServ.Node.Containers;
using NetServ.Node.Control;
using NetServ.Networking;
using NetServ.Sdk.Packaging;
using NetServ.Signaling.Nslp;
using ModuleRemovalReason = NetServ.Contracts.Status.ModuleRemovalReason;

namespace NetServ.Node.Tests.Control;

/// <summary>The install transaction: every step done, or, when one fails, every earlier step undone.</summary>
[TestFixture]
public sealed class ModuleInstallerTests
{
    private static readonly SetupRequest FilteredSetup = ControlRig.Setup("alice", filterDestinations: "198.19.4.0/24", filterPort: 5060, ttl: TimeSpan.FromSeconds(600));

    [Test]
    public async Task InstallAsync_EveryStepSucceeds_PutsTheModuleInItsFilesContainerRulesAndTable()
    {
        await using var rig = await ControlRig.StartAsync();

        var record = await rig.InstalledAsync(FilteredSetup);

        var install = rig.Containers.RequestsOf<InstallModuleMessage>().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Table.Find("alice", ControlRig.NetMonitor), Is.SameAs(record));
            Assert.That(rig.Store.Directories, Is.EquivalentTo(new[] { record.CodeDirectory, record.DataDirectory }));
            Assert.That(rig.Rules, Has.Count.EqualTo(1));
            Assert.That(rig.Rules[0], Does.Contain("-d 198.19.4.0/24 -p udp --dport 5060").And.Contain("--queue-num 100"));
            Assert.That(install.Module, Is.EqualTo(ControlRig.NetMonitor));
            Assert.That(install.Directory, Is.EqualTo(record.CodeDirectory));
            Assert.That(install.AllowedPorts, Is.EqualTo(new[] { 8080, 8443 }), "the container enforces the user's ports");
            Assert.That(install.Filter?.Destinations, Is.EqualTo(new[] { Ipv4Prefix.Parse("198.19.4.0/24") }));
            Assert.That(record.Ttl, Is.EqualTo(TimeSpan.FromSeconds(600)));
            Assert.That(record.Origin, Is.EqualTo("admin"));
        }
    }

    [Test]
    public async Task InstallAsync_FilesCannotBePlaced_DeletesWhatWasWrittenAndAsksNothingOfTheContainer()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Store.PlaceFails = new ModulePackageException("not a module: the package expands to more than 268435456 bytes");

        var refusal = await RefusedAsync(rig, FilteredSetup);

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.UnprocessableModule, "not a module: the package expands to more than 268435456 bytes")));
        AssertNothingLeft(rig);
        Assert.That(rig.Containers.Requests, Is.Empty);
    }

    [Test]
    public async Task InstallAsync_ContainerCannotLoadTheModule_DeletesItsFilesAndAddsNoRule()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Containers.Answer = (_, message) => message is InstallModuleMessage
            ? new ReplyMessage { Ok = false, Error = "no type NetServ.Apps.NetMonitor.Module" }
            : new ReplyMessage { Ok = true };

        var refusal = await RefusedAsync(rig, FilteredSetup);

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.UnprocessableModule, "the module failed to load: no type NetServ.Apps.NetMonitor.Module")));
        AssertNothingLeft(rig);
    }

    [Test]
    public async Task InstallAsync_ContainerGoneMeanwhile_IsUnavailableAndLeavesNothing()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Containers.Answer = (user, _) => throw new ContainerUnavailableException($"the container of {user} is restarting");

        var refusal = await RefusedAsync(rig, FilteredSetup);

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.ServiceUnavailable, "the container of alice is restarting")));
        AssertNothingLeft(rig);
    }

    [Test]
    public async Task InstallAsync_RulesCannotBeAdded_TakesTheModuleOutOfTheContainerAgainAndDeletesItsFiles()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Iptables.Fails = arguments => arguments[0] == "-A";

        var refusal = await RefusedAsync(rig, FilteredSetup);

        Assert.That(refusal.Status, Is.EqualTo(NslpStatus.InternalError));
        Assert.That(refusal.Message, Does.StartWith("the packet filter could not be installed: iptables -A NETSERV -d 198.19.4.0/24"));
        Assert.That(
            rig.Containers.Requests.Select(r => r.Message.GetType()),
            Is.EqualTo(new[] { typeof(InstallModuleMessage), typeof(RemoveModuleMessage) }),
            "loaded, then taken out again");
        AssertNothingLeft(rig);
    }

    [Test]
    public async Task InstallAsync_ContainerNotReady_RefusesBeforeFetchingAnything()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Containers["alice"].State = ContainerState.Restarting;

        var refusal = await RefusedAsync(rig, FilteredSetup);

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.ServiceUnavailable, "the container of 'alice' is restarting; try again shortly")));
        Assert.That(rig.Store.Fetched, Is.Empty);
    }

    [Test]
    public async Task InstallAsync_BuildingBlockTheNodeLacks_IsAFailedPrecondition()
    {
        await using var rig = await ControlRig.StartAsync();

        var refusal = await RefusedAsync(rig, ControlRig.Setup("alice", dependencies: ["sip", "http-server"]));

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.PreconditionFailed, "this node lacks the building blocks sip (it offers http-server)")));
        Assert.That(rig.Store.Fetched, Is.Empty);
    }

    [Test]
    public async Task InstallAsync_PackageHoldsAnotherModule_IsRefusedBeforeAnythingIsPlaced()
    {
        await using var rig = await ControlRig.StartAsync();
        rig.Store.PackageHolds = "NetServ.Apps.Other_2.0.0";

        var refusal = await RefusedAsync(rig, FilteredSetup);

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.UnprocessableModule, "the package is NetServ.Apps.Other_2.0.0, not the requested NetServ.Apps.NetMonitor_1.0.0")));
        AssertNothingLeft(rig);
        Assert.That(rig.Containers.Requests, Is.Empty);
    }

    [Test]
    public async Task UninstallAsync_InstalledModule_TakesOutItsRulesContainerModuleFilesAndEntry()
    {
        await using var rig = await ControlRig.StartAsync();
        var record = await rig.InstalledAsync(FilteredSetup);

        await rig.Installer.UninstallAsync(record, ModuleRemovalReason.Removed, null, CancellationToken.None);

        AssertNothingLeft(rig);
        Assert.That(rig.Containers.RequestsOf<RemoveModuleMessage>().Select(m => m.Module), Is.EqualTo(new[] { ControlRig.NetMonitor }));
    }

    [Test]
    public async Task UninstallAsync_ContainerGone_StillTakesOutEverythingElse()
    {
        await using var rig = await ControlRig.StartAsync();
        var record = await rig.InstalledAsync(FilteredSetup);
        rig.Containers.Answer = (user, _) => throw new ContainerUnavailableException($"the container of {user} is restarting");

        await rig.Installer.UninstallAsync(record, ModuleRemovalReason.TtlExpired, null, CancellationToken.None);

        AssertNothingLeft(rig);
    }

    private static async Task<Refusal> RefusedAsync(ControlRig rig, SetupRequest setup)
    {
        var outcome = await rig.InstallAsync(setup);
        if (!outcome.IsRefused(out var refusal, out var record))
        {
            throw new AssertionException($"installed {record.Name}");
        }

        return refusal;
    }

    private static void AssertNothingLeft(ControlRig rig)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Table.Records(), Is.Empty, "soft state");
            Assert.That(rig.Rules, Is.Empty, "rules");
            Assert.That(rig.Store.Directories, Is.Empty, "files");
        }
    }
}
