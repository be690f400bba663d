using System.Net.Sockets;
using System.Text;
using NetServ.Contracts.Status;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Nodes;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>Bad requests get a clear error, nothing is installed and nothing is left behind; the node keeps working.</summary>
[TestFixture]
[NonParallelizable]
public sealed class BadRequestEndToEndTests
{
    private RouterPath _path = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        RequiresRoot.Check();
        _path = await RouterPath.StartAsync();
    }

    /// <summary>Each test starts from a node without modules, whatever the previous one did.</summary>
    [TearDown]
    public async Task RemoveLeftoversAsync()
    {
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            await _path.Node.RemoveAsync("NetServ.Apps.NetMonitor_1.0.0", user);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_path is not null)
        {
            await _path.DisposeAsync();
        }
    }

    [Test]
    public async Task Setup_WithWrongDigest_IsRefusedAndLeavesNothing()
    {
        var setup = _path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { Digest = new string('0', 64) };

        var response = await _path.Node.SetupAsync(setup);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.UnprocessableModule));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("SHA-256").And.Contain(new string('0', 64)));
        await AssertNothingInstalledAsync();
        Assert.That(Directory.EnumerateFiles(Path.Combine(_path.Node.StateDirectory, "cache")), Has.None.Contain(new string('0', 64)), "no unverified package is kept");
    }

    [Test]
    public async Task Setup_FromUnreachableUrl_IsRefusedAsBadGateway()
    {
        // A digest the cache cannot have, so the node really goes to the URL.
        var setup = _path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { Url = new Uri("http://198.18.0.1:9/NetServ.Apps.NetMonitor.1.0.0.nupkg"), Digest = RandomDigest() };

        var response = await _path.Node.SetupAsync(setup);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.BadGateway));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("198.18.0.1:9"));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Setup_OfMissingPackage_IsRefusedAsBadGateway()
    {
        var setup = _path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { Url = _path.Packages.UrlOf("no-such-package.nupkg"), Digest = RandomDigest() };

        var response = await _path.Node.SetupAsync(setup);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.BadGateway));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("404"));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Setup_OfPackageThatIsNotAModule_IsRefused()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.TestModules.NotAModule", "tests/TestModules/NotAModule");
        using var stream = File.OpenRead(package);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        var setup = new ModuleSetup("NetServ.TestModules.NotAModule_1.0.0", "alice", _path.Packages.UrlOf(Path.GetFileName(package)), digest);

        var response = await _path.Node.SetupAsync(setup);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.UnprocessableModule));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("not a module").And.Contain("NetServModule"));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Setup_WithNameOfAnotherPackage_IsRefused()
    {
        var setup = _path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { Module = "NetServ.Apps.Other_1.0.0" };

        var response = await _path.Node.SetupAsync(setup);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.UnprocessableModule));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("NetServ.Apps.NetMonitor_1.0.0"));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Setup_WithFilterOutsideTheUsersPrefixes_IsForbidden()
    {
        var setup = _path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { FilterDestination = "198.18.0.0/24" };

        var response = await _path.Node.SetupAsync(setup);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Forbidden));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("198.18.0.0/24").And.Contain("198.19.0.0/24"));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Setup_WithFilterForUserWithoutPrefixes_IsForbidden()
    {
        var response = await _path.Node.SetupAsync(_path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor", user: "carol"));

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Forbidden));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Setup_ForUnknownUser_IsForbidden()
    {
        var response = await _path.Node.SetupAsync(_path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor", user: "mallory"));

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Forbidden));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("unknown user 'mallory'"));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Setup_NeedingMissingBuildingBlock_FailsItsPrecondition()
    {
        var response = await _path.Node.SetupAsync(_path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { Dependencies = "packet-sender,ffmpeg" });

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.PreconditionFailed));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("ffmpeg").And.Not.Contain("packet-sender ("));
        await AssertNothingInstalledAsync();
    }

    [Test]
    public async Task Remove_OfModuleNotInstalled_IsNotFound()
    {
        var response = await _path.Node.RemoveAsync("NetServ.Apps.NetMonitor_1.0.0", "alice");

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.NotFound));
    }

    [Test]
    public async Task MalformedRequest_GetsBadRequestAndTheNodeKeepsWorking()
    {
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_path.Node.AdminSocket));
            await socket.SendAsync(Encoding.ASCII.GetBytes("INSTALL everything NOW/9\r\n\r\n"));
            var buffer = new byte[4096];
            var read = await socket.ReceiveAsync(buffer);
            Assert.That(Encoding.ASCII.GetString(buffer, 0, read), Does.StartWith("NETSERV/0.1 400 Bad Request").And.Contain("unknown method"));
        }

        var setup = new NslpRequest(NslpMethod.Setup, "NetServ.Apps.NetMonitor_1.0.0");
        setup.Headers.Add(NslpHeaderNames.User, "alice");
        var missing = await _path.Node.SendAsync(setup);
        Assert.That(missing.StatusCode, Is.EqualTo(NslpStatus.BadRequest));
        Assert.That(missing.Headers[NslpHeaderNames.Error], Does.Contain("url"));

        await _path.InstallAsync(_path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor"));
        var removed = await _path.Node.RemoveAsync("NetServ.Apps.NetMonitor_1.0.0", "alice");
        Assert.That(removed.StatusCode, Is.EqualTo(NslpStatus.Ok));
    }

    private static string RandomDigest() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private async Task AssertNothingInstalledAsync()
    {
        var status = await _path.Node.StatusAsync();
        var containers = status.Containers;
        Assert.Multiple(() =>
        {
            Assert.That(containers.SelectMany(c => c.Modules), Is.Empty, "no module is registered");
            Assert.That(status.Forwarding.Rules, Is.Empty, "no rule is installed");
            Assert.That(containers.All(c => c.State == ContainerState.Ready), Is.True, "every container still serves");
            foreach (var user in new[] { "alice", "bob", "carol" })
            {
                var modules = Path.Combine(_path.Node.StateDirectory, _path.Node.Options.Node.NodeName, "containers", user, "modules");
                Assert.That(Directory.Exists(modules) ? Directory.GetFileSystemEntries(modules) : [], Is.Empty, $"no module files are left for {user}");
            }
        });
    }
}
