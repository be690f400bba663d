using System.Net;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Http;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>
/// The reverse-routability check of paper section 5.2 on the sender — router — receiver path:
/// carol, who may claim no prefix, proves that she owns 198.19.0.1 by storing a one-time
/// password on the server at that address; the node fetches it from there before installing.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReverseRoutabilityEndToEndTests
{
    private const int CheckPort = 8081;
    private const string Password = "3f0c9a61d2b84e57a9e0c4f1b6d72a38";
    private RouterPath _path = null!;
    private PackageServer? _claimedServer;
    private string _claimedRoot = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        RequiresRoot.Check();
        _path = await RouterPath.StartAsync(reverseRoutabilityPort: CheckPort);
        _claimedRoot = Directory.CreateTempSubdirectory("netserv-claimed-").FullName;
        Directory.CreateDirectory(Path.Combine(_claimedRoot, ".well-known"));
        await File.WriteAllTextAsync(Path.Combine(_claimedRoot, ".well-known", "netserv-password"), Password + "\n");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_path is not null)
        {
            await _path.DisposeAsync();
        }

        if (_claimedRoot is not null)
        {
            Directory.Delete(_claimedRoot, recursive: true);
        }
    }

    [SetUp]
    public void ServeThePassword() =>
        _claimedServer = PackageServer.Start(_claimedRoot, IPAddress.Parse("198.19.0.1"), CheckPort, _path.Path.Receiver.Namespace);

    [TearDown]
    public async Task RemoveLeftoversAsync()
    {
        if (_claimedServer is not null)
        {
            await _claimedServer.DisposeAsync();
            _claimedServer = null;
        }

        await _path.Node.RemoveAsync("NetServ.Apps.NetMonitor_1.0.0", "carol");
    }

    [Test]
    public async Task Setup_WithThePasswordStoredAtTheAddress_InstallsTheFilterOutsideTheUsersPrefixes()
    {
        var response = await _path.Node.SetupAsync(CarolSetup("198.19.0.1/32", Password));

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok), response.Headers[NslpHeaderNames.Error]);
        Assert.That(_claimedServer!.Requests, Is.EqualTo(1), "the node fetched the password from the claimed address");
        Assert.That(await _path.RulesAsync(), Has.Some.Contains("-d 198.19.0.1/32"));
        var status = await _path.Node.WaitForStatusAsync(s => s.ProvenOwnership.Count > 0, TimeSpan.FromSeconds(5));
        var proof = status.ProvenOwnership.Single();
        Assert.That((proof.User, proof.Prefix), Is.EqualTo(("carol", Ipv4Prefix.Parse("198.19.0.1/32"))), "status lists the address carol proved");
    }

    [Test]
    public async Task Setup_WithAnotherPassword_IsRefusedAndNothingIsInstalled()
    {
        var response = await _path.Node.SetupAsync(CarolSetup("198.19.0.1/32", "not-the-password"));

        await AssertRefusedAsync(response, "does not match");
        Assert.That(_claimedServer!.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task Setup_ForAWholePrefix_IsRefusedWithoutAsking()
    {
        var response = await _path.Node.SetupAsync(CarolSetup("198.19.0.0/24", Password));

        await AssertRefusedAsync(response, "single addresses only");
        Assert.That(_claimedServer!.Requests, Is.Zero);
    }

    [Test]
    public async Task Setup_WhenNoServerAnswersAtTheAddress_IsRefused()
    {
        await _claimedServer!.DisposeAsync();
        _claimedServer = null;

        var response = await _path.Node.SetupAsync(CarolSetup("198.19.0.1/32", Password));

        await AssertRefusedAsync(response, "could not be fetched");
    }

    [Test]
    public async Task Setup_WithoutAPassword_SaysThatOneWouldBeChecked()
    {
        var response = await _path.Node.SetupAsync(CarolSetup("198.19.0.1/32", password: null));

        await AssertRefusedAsync(response, "an ownership-password would let this node check");
    }

    private ModuleSetup CarolSetup(string destination, string? password) =>
        _path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor", user: "carol") with { FilterDestination = destination, OwnershipPassword = password };

    private async Task AssertRefusedAsync(NslpResponse response, string reason)
    {
        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Forbidden));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain(reason).And.Contain("outside the prefixes user 'carol' may claim"));
        Assert.That(await _path.RulesAsync(), Is.Empty, "no rule installed");
    }
}
