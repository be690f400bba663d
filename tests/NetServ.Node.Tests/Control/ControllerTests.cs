using System.Text;
using System.Text.Json.Nodes;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;
using NetServ.Node.Control;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Control;

/// <summary>The controller as the admin server and signaling call it: requests in, NSLP responses out, soft state on a fake clock.</summary>
[TestFixture]
public sealed class ControllerTests
{
    [Test]
    public async Task SetupAsync_NewModule_RepliesOkWithTheTtlItGot()
    {
        await using var rig = await ControlRig.StartAsync();

        var response = await rig.Controller.SetupAsync(ControlRig.Setup("alice", ttl: TimeSpan.FromSeconds(600)), RequestOrigin.Signaling, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok));
            Assert.That(response.Headers[NslpHeaderNames.Node], Is.EqualTo("node-a"));
            Assert.That(response.Headers["module"], Is.EqualTo(ControlRig.NetMonitor));
            Assert.That(response.Headers["expires"], Is.EqualTo("600"));
            Assert.That(response.Headers["refreshed"], Is.Null);
            Assert.That(rig.Table.Find("alice", ControlRig.NetMonitor)?.Origin, Is.EqualTo("signaling"));
        }
    }

    [Test]
    public async Task SetupAsync_InstalledModuleAgain_RefreshesItWithoutInstallingAgain()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.Controller.SetupAsync(ControlRig.Setup("alice", ttl: TimeSpan.FromSeconds(600)), RequestOrigin.Admin, CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromSeconds(500));

        var response = await rig.Controller.SetupAsync(ControlRig.Setup("alice", ttl: TimeSpan.FromSeconds(600)), RequestOrigin.Admin, CancellationToken.None);
        rig.Time.Advance(TimeSpan.FromSeconds(500));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Headers["refreshed"], Is.EqualTo("true"));
            Assert.That(rig.Containers.RequestsOf<InstallModuleMessage>(), Has.Count.EqualTo(1));
            Assert.That(rig.Table.Find("alice", ControlRig.NetMonitor), Is.Not.Null, "600 s after the refresh, not after the install");
        }
    }

    [Test]
    public async Task SetupAsync_TtlRunsOut_UninstallsTheModuleEverywhere()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.Controller.SetupAsync(ControlRig.Setup("alice", filterDestinations: "198.19.4.0/24", ttl: TimeSpan.FromSeconds(600)), RequestOrigin.Admin, CancellationToken.None);

        rig.Time.Advance(TimeSpan.FromSeconds(600));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Table.Records(), Is.Empty);
            Assert.That(rig.Rules, Is.Empty);
            Assert.That(rig.Store.Directories, Is.Empty);
            Assert.That(rig.Containers.RequestsOf<RemoveModuleMessage>().Select(m => m.Module), Is.EqualTo(new[] { ControlRig.NetMonitor }));
        }
    }

    [Test]
    public async Task SetupAsync_TtlRunsOut_StatusListsTheModuleAsRemovedForItsTtl()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.Controller.SetupAsync(ControlRig.Setup("alice", ttl: TimeSpan.FromSeconds(600)), RequestOrigin.Admin, CancellationToken.None);

        rig.Time.Advance(TimeSpan.FromSeconds(600));

        var status = await rig.Status.StatusAsync(onlyUser: null, collectGarbage: false, CancellationToken.None);
        Assert.That(status.RecentRemovals, Is.EqualTo(new[]
        {
            new ModuleRemoval { Time = ControlRig.Start.AddSeconds(600), User = "alice", Module = ControlRig.NetMonitor, Reason = ModuleRemovalReason.TtlExpired },
        }));
    }

    [Test]
    public async Task HandleAsync_Remove_StatusListsTheModuleAsRemovedByItsUser()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.Controller.SetupAsync(ControlRig.Setup("alice"), RequestOrigin.Admin, CancellationToken.None);
        var request = new NslpRequest(NslpMethod.Remove, ControlRig.NetMonitor);
        request.Headers.Add(NslpHeaderNames.User, "alice");

        var response = await rig.Controller.HandleAsync(request, RequestOrigin.Admin, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok));
        var removal = (await rig.Status.StatusAsync(onlyUser: null, collectGarbage: false, CancellationToken.None)).RecentRemovals.Single();
        Assert.That((removal.User, removal.Module, removal.Reason), Is.EqualTo(("alice", ControlRig.NetMonitor, ModuleRemovalReason.Removed)));
    }

    [Test]
    public async Task SetupAsync_SameModuleFromAnotherPackage_IsAConflict()
    {
        await using var rig = await ControlRig.StartAsync();
        await rig.Controller.SetupAsync(ControlRig.Setup("alice"), RequestOrigin.Admin, CancellationToken.None);
        var other = ControlRig.Setup("alice");
        var setup = new SetupRequest { Module = other.Module, User = other.User, Url = other.Url, Digest = new byte[32] };

        var response = await rig.Controller.SetupAsync(setup, RequestOrigin.Admin, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Conflict));
        Assert.That(response.Headers[NslpHeaderNames.Error], Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0 is installed from a package with another digest; REMOVE it first"));
    }

    [Test]
    public async Task HandleAsync_SetupFromAnUnknownUser_IsForbiddenWithTheNodesName()
    {
        await using var rig = await ControlRig.StartAsync();
        var request = new NslpRequest(NslpMethod.Setup, ControlRig.NetMonitor);
        request.Headers.Add(NslpHeaderNames.User, "mallory");
        request.Headers.Add(NslpHeaderNames.Url, "http://198.18.0.10/modules/NetServ.Apps.NetMonitor_1.0.0.nupkg");
        request.Headers.Add(NslpHeaderNames.ModuleDigest, new string('a', 64));

        var response = await rig.Controller.HandleAsync(request, RequestOrigin.Signaling, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Forbidden));
            Assert.That(response.Headers[NslpHeaderNames.Node], Is.EqualTo("node-a"));
            Assert.That(response.Headers[NslpHeaderNames.Error], Is.EqualTo("unknown user 'mallory'"));
        }
    }

    [Test]
    public async Task HandleAsync_RemoveOfAModuleNotInstalled_IsNotFound()
    {
        await using var rig = await ControlRig.StartAsync();
        var request = new NslpRequest(NslpMethod.Remove, ControlRig.NetMonitor);
        request.Headers.Add(NslpHeaderNames.User, "bob");

        var response = await rig.Controller.HandleAsync(request, RequestOrigin.Admin, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.NotFound));
        Assert.That(response.Headers[NslpHeaderNames.Error], Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0 is not installed for user 'bob'"));
    }

    [Test]
    public async Task HandleAsync_ProbeForStatus_AnswersWithIndentedJsonNamingTheNode()
    {
        await using var rig = await ControlRig.StartAsync();
        var request = new NslpRequest(NslpMethod.Probe, "*");
        request.Headers.Add(NslpHeaderNames.Probe, "status");

        var response = await rig.Controller.HandleAsync(request, RequestOrigin.Admin, CancellationToken.None);

        var text = Encoding.UTF8.GetString(response.Body.Span);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok));
            Assert.That(response.Headers[NslpHeaderNames.ContentType], Is.EqualTo("application/json"));
            Assert.That(text, Does.Contain("\n  \"time\": "));
            Assert.That(JsonNode.Parse(text)?["node"]?.GetValue<string>(), Is.EqualTo("node-a"));
        }
    }
}
