using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet.Models;
using NetServ.Geni;
using NetServ.Geni.AmApi;
using NetServ.Geni.Authority;
using NetServ.Geni.Identity;
using NetServ.Geni.LocalAggregate;
using NetServ.Geni.XmlRpc;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Ssh;
using NetServ.TestSupport.Docker;

namespace NetServ.AggregateManager.Tests;

/// <summary>
/// The acceptance of the local aggregate: a GENI client's whole lifecycle against <c>netserv-am serve</c> over HTTPS
/// with client certificates, its nodes containers of the node image on a real dockerd, reached over SSH with the
/// user's own key as the manifest says; and nothing left after Delete, or after a restart.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LifecycleTests
{
    private const string Passphrase = "netserv-test";

    /// <summary>The CLI where the node image installs it (a login over SSH does not have /opt/netserv/bin on its PATH).</summary>
    private const string Netserv = "/opt/netserv/bin/netserv";

    private const string Request = """
        <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
          <node client_id="sender" exclusive="false">
            <sliver_type name="docker-container"><disk_image name="netserv/node"/></sliver_type>
            <interface client_id="sender:if0"><ip address="198.18.1.1" netmask="255.255.255.0" type="ipv4"/></interface>
          </node>
          <node client_id="router" exclusive="false">
            <sliver_type name="docker-container"><disk_image name="netserv/node"/></sliver_type>
            <interface client_id="router:if0"><ip address="198.18.1.2" netmask="255.255.255.0" type="ipv4"/></interface>
          </node>
          <link client_id="lan0"><interface_ref client_id="sender:if0"/><interface_ref client_id="router:if0"/></link>
        </rspec>
        """;

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private DockerEngine? engine;
    private string directory = null!;
    private LocalAuthorityFiles files = null!;

    [OneTimeSetUp]
    public async Task ConnectEngine() => engine = await RequiresNodeImage.ConnectAsync("netserv-am lifecycle tests");

    [OneTimeTearDown]
    public void StopEngine() => engine?.Dispose();

    [SetUp]
    public void MakeAuthority()
    {
        directory = System.IO.Directory.CreateTempSubdirectory("netserv-am-").FullName;
        Assert.That(InitCommand.Run(Path.Combine(directory, "authority"), "alice", Passphrase, TextWriter.Null, TestContext.Progress), Is.Zero);
        files = new LocalAuthorityFiles(Path.Combine(directory, "authority"));
    }

    [TearDown]
    public void RemoveDirectory() => System.IO.Directory.Delete(directory, recursive: true);

    [Test]
    public async Task Lifecycle_GetVersionToDelete_NodesReachedOverSshWithTheUsersKeyAndNothingLeft()
    {
        var watch = Stopwatch.StartNew();
        await using var server = await AggregateServer.StartAsync(files);
        using var alice = GeniIdentity.LoadFile(files.UserPem("alice"), PassphraseSource.FromValue(Passphrase));
        using var authority = files.Load(TimeProvider.System);
        using var http = Https(alice, authority);
        var client = new AmApiClient(new XmlRpcClient(http, server.Url));
        var slice = authority.SliceUrn("lifecycle");
        IReadOnlyList<AmCredential> credentials = [AmCredential.Sfa(authority.IssueSliceCredential(alice.Certificate, "lifecycle"))];
        var key = await SshKeyPair.CreateAsync(Path.Combine(directory, "ssh"), "alice@laptop");

        var version = await client.GetVersionAsync();
        await client.AllocateAsync(slice, credentials, Request);
        await client.ProvisionAsync([slice], credentials, [new AmUser(alice.UserUrn, [key.PublicKey])]);
        await client.PerformOperationalActionAsync([slice], credentials, OperationalAction.Start);
        var ready = await new StatusPoller().WaitUntilReadyAsync(client, [slice], credentials, new StatusPollerOptions { Interval = TimeSpan.FromSeconds(1), Timeout = Generous });
        var described = await client.DescribeAsync([slice], credentials);
        Assert.That(described.TryReadManifest(out var manifest, out var error), Is.True, () => error?.ToString() ?? "");
        await TestContext.Progress.WriteLineAsync($"slice ready in {watch.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", manifest!.Nodes.Select(n => $"{n.ClientId} {n.Logins.Single()}"))}");

        var probes = new List<string>();
        foreach (var node in manifest.Nodes)
        {
            await using var session = Login(node.Logins.Single(), node.ClientId, key);
            probes.Add(await UntilSuccessAsync(session, [Netserv, "admin", "probe", "status"]));
        }

        var renewed = await client.RenewAsync([slice], credentials, DateTimeOffset.UtcNow.AddHours(2));
        var deleted = await client.DeleteAsync([slice], credentials);
        var left = await SliceContainersAsync(slice);
        await TestContext.Progress.WriteLineAsync($"lifecycle done in {watch.Elapsed.TotalSeconds:0.0} s");

        Assert.Multiple(() =>
        {
            Assert.That(version.Api, Is.EqualTo(3));
            Assert.That(ready.Outcome, Is.EqualTo(SliceReadiness.Ready), ready.Describe());
            Assert.That(manifest.Nodes.Select(n => n.Logins.Single().Authentication), Is.All.EqualTo("ssh-keys"));
            Assert.That(manifest.Nodes.Select(n => n.Logins.Single().Username), Is.All.EqualTo("root"));
            Assert.That(manifest.Nodes.SelectMany(n => n.Interfaces).SelectMany(i => i.Ips).Select(ip => ip.Address.ToString()), Is.EquivalentTo(new[] { "198.18.1.1", "198.18.1.2" }));
            Assert.That(manifest.Nodes.Select(n => Ipv4Address.Parse(n.Logins.Single().Hostname)), Is.All.Matches<Ipv4Address>(a => LocalNetwork.BenchmarkingRange.Contains(a)), "logins on the control network, in 198.18.0.0/15");
            Assert.That(probes, Has.Count.EqualTo(2));
            Assert.That(renewed.Select(s => s.Expires), Is.All.GreaterThan(DateTimeOffset.UtcNow.AddHours(1)));
            Assert.That(deleted, Has.Count.EqualTo(2));
            Assert.That(left, Is.Empty, "no container of the slice after Delete");
        });
    }

    [Test]
    public async Task Restart_ProvisionedSlice_FoundAgainWithItsNodesGoneThenDeleted()
    {
        using var alice = GeniIdentity.LoadFile(files.UserPem("alice"), PassphraseSource.FromValue(Passphrase));
        using var authority = files.Load(TimeProvider.System);
        var slice = authority.SliceUrn("restarted");
        IReadOnlyList<AmCredential> credentials = [AmCredential.Sfa(authority.IssueSliceCredential(alice.Certificate, "restarted"))];
        await using (var first = await AggregateServer.StartAsync(files))
        {
            using var http = Https(alice, authority);
            var client = new AmApiClient(new XmlRpcClient(http, first.Url));
            await client.AllocateAsync(slice, credentials, Request);
            await client.ProvisionAsync([slice], credentials, []);
        }

        var afterStop = await SliceContainersAsync(slice);
        await using var second = await AggregateServer.StartAsync(files);
        using var http2 = Https(alice, authority);
        var again = new AmApiClient(new XmlRpcClient(http2, second.Url));
        var status = await again.StatusAsync([slice], credentials);
        await again.DeleteAsync([slice], credentials);
        var refused = Assert.ThrowsAsync<AmApiException>(() => again.StatusAsync([slice], credentials));

        Assert.Multiple(() =>
        {
            Assert.That(afterStop, Is.Empty, "a stopped aggregate leaves no container");
            Assert.That(status.Slivers.Select(s => (s.AllocationStatus, s.OperationalStatus)), Is.All.EqualTo(("geni_provisioned", "geni_failed")));
            Assert.That(status.Slivers.Select(s => s.Error), Is.All.Contain("gone from this aggregate"));
            Assert.That(refused!.Code, Is.EqualTo(GeniCode.SEARCHFAILED), "the slice is forgotten after Delete");
        });
    }

    private async Task<IList<ContainerListResponse>> SliceContainersAsync(string slice)
        => await engine!.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerSliverProvisioner.SliceLabel}={slice}"] = true } },
        });

    /// <summary>HTTPS with alice's certificate, the server checked against the local authority's root.</summary>
    private static HttpClient Https(GeniIdentity alice, LocalAuthority authority)
        => new(XmlRpcClient.CreateHandler(alice.Certificate, (_, presented, _, _) => AggregateAccess.ChainsTo(authority.Certificate, presented as X509Certificate2, DateTimeOffset.UtcNow)));

    private SshNodeSession Login(NodeLogin login, string node, SshKeyPair key)
        => new(
            new SshNodeOptions
            {
                NodeName = node,
                Host = login.Hostname,
                Port = login.Port,
                User = login.Username ?? "root",
                PrivateKeyPath = key.PrivateKeyPath,
                KnownHostsPath = Path.Combine(directory, "known_hosts"),
                BootRetryWindow = Generous,
            },
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SshNodeSession>.Instance);

    private static async Task<string> UntilSuccessAsync(SshNodeSession session, string[] command)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var result = await session.RunAsync(command[0], command[1..], Generous, standardInput: string.Empty);
            if (result.ExitCode == 0)
            {
                return result.StandardOutput;
            }

            if (watch.Elapsed > Generous)
            {
                Assert.Fail($"{session.NodeName}: {string.Join(' ', command)} still fails after {Generous.TotalSeconds} s: {result.StandardError}{result.StandardOutput}");
            }

            await Task.Delay(500);
        }
    }
}
