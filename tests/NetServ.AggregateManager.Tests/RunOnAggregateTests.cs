using System.Diagnostics;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using NetServ.Geni.Authority;
using NetServ.Orchestrator;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Nodes;
using NetServ.TestSupport.Docker;

namespace NetServ.AggregateManager.Tests;

/// <summary>
/// The acceptance of <c>netserv-lab run --aggregate</c>: the quickstart's experiment on rspecs/evaluation.rspec.xml run
/// against <c>netserv-am serve</c> on loopback, as a CloudLab user runs it: the user's cloudlab.pem-style certificate, a slice
/// credential from <c>netserv-am credential</c>, Allocate to Delete through the AM API v3, the nodes reached over SSH at their
/// manifest's logins, NetServ SETUP through signaling, traffic and PROBE; and nothing left at the aggregate afterwards.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RunOnAggregateTests
{
    private const string Passphrase = "netserv-test";
    private DockerEngine? engine;
    private string directory = null!;
    private LocalAuthorityFiles files = null!;
    private string passphraseFile = null!;

    [OneTimeSetUp]
    public async Task ConnectEngine() => engine = await RequiresNodeImage.ConnectAsync("netserv-lab run --aggregate tests");

    [OneTimeTearDown]
    public void StopEngine() => engine?.Dispose();

    [SetUp]
    public void MakeAuthority()
    {
        directory = System.IO.Directory.CreateTempSubdirectory("netserv-lab-aggregate-").FullName;
        Assert.That(InitCommand.Run(Path.Combine(directory, "authority"), "alice", Passphrase, TextWriter.Null, TestContext.Progress), Is.Zero);
        files = new LocalAuthorityFiles(Path.Combine(directory, "authority"));
        passphraseFile = Path.Combine(directory, "passphrase");
        File.WriteAllText(passphraseFile, Passphrase + "\n");
    }

    [TearDown]
    public void RemoveDirectory() => System.IO.Directory.Delete(directory, recursive: true);

    [Test]
    public async Task Run_QuickstartOnLocalAggregate_SetupTrafficProbeThenDeleteLeavesNothing()
    {
        var credential = Path.Combine(directory, "quickstart-cred.xml");
        Assert.That(CredentialCommand.Run(files.Directory, "quickstart", null, credential, TimeSpan.FromDays(1), TextWriter.Null, TestContext.Progress), Is.Zero);
        await using var server = await AggregateServer.StartAsync(files);
        var watch = Stopwatch.StartNew();
        using var output = new StringWriter();
        var exit = await LabCommands.RunAsync(
            [
                "run", Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "evaluation.rspec.xml"),
                "--aggregate", server.Url.ToString(), "--cert", files.UserPem("alice"), "--passphrase-file", passphraseFile,
                "--credential", credential, "--aggregate-ca", files.AuthorityCertificate, "--poll-interval", "1", "--ready-timeout", "3",
                "--netserv-nodes", "router", "--module", "NetMonitor", "--from", "sender", "--toward", "receiver", "--filter", "udp/5060", "--ttl", "600",
                "--packets", "300", "--rate", "300", "--results", Path.Combine(directory, "results"), "--json",
            ],
            output,
            TestContext.Progress);
        await TestContext.Progress.WriteLineAsync($"netserv-lab run --aggregate took {watch.Elapsed.TotalSeconds:0.0} s");
        var summary = JsonNode.Parse(output.ToString())!.AsObject();
        var module = summary["modules"]![0]!;
        var traffic = summary["traffic"]!;
        var counted = module["counts"]!.AsArray().Where(c => (string?)c!["node"] == "router").SelectMany(c => c!["flows"]!.AsArray()).Sum(f => (long)f!["packets"]!);
        var left = await SliceContainersAsync("urn:publicid:IDN+netserv.local+slice+quickstart");
        var state = System.IO.Directory.Exists(Path.Combine(files.Directory, "state")) ? System.IO.Directory.GetFiles(Path.Combine(files.Directory, "state")) : [];

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output.ToString());
            Assert.That(summary["phases"]!.AsArray().Select(p => (string?)p!["outcome"]), Is.All.EqualTo("ok"), output.ToString());
            Assert.That(summary["nodes"]!.AsArray().Select(n => (string?)n!["where"]), Is.All.Contains("root@198.1"), "nodes reached at their manifest logins");
            Assert.That(module["installedOn"]!.AsArray().Select(n => (string?)n), Is.EqualTo(new[] { "router" }), "the router intercepted the SETUP toward the receiver");
            Assert.That((long)traffic["received"]!, Is.EqualTo((long)traffic["requested"]!), "the receiver counted every packet");
            Assert.That(counted, Is.EqualTo((long)traffic["received"]!), "NetMonitor's PROBE count on the router equals the receiver's");
            Assert.That((bool?)module["removed"], Is.True, "REMOVE took NetMonitor off the router");
            Assert.That(summary["leftovers"]!.AsArray(), Is.Empty);
            Assert.That(left, Is.Empty, "no container of the slice after Delete");
            Assert.That(state, Is.Empty, "the aggregate keeps no state of the slice after Delete");
        });
    }

    [Test]
    public async Task Run_RequestBeyondTheAggregatesCapacity_FailsAtReserveWithTheGeniCodeAndLeavesNothing()
    {
        var credential = Path.Combine(directory, "big-cred.xml");
        Assert.That(CredentialCommand.Run(files.Directory, "big", "alice", credential, TimeSpan.FromDays(1), TextWriter.Null, TestContext.Progress), Is.Zero);
        var rspec = Path.Combine(directory, "seventeen.rspec.xml");
        File.WriteAllText(rspec, $"""<rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">{string.Concat(Enumerable.Range(0, 17).Select(i => $"<node client_id=\"n{i}\"/>"))}</rspec>""");
        await using var server = await AggregateServer.StartAsync(files);
        using var output = new StringWriter();
        var exit = await LabCommands.RunAsync(
            ["run", rspec, "--aggregate", server.Url.ToString(), "--cert", files.UserPem("alice"), "--passphrase-file", passphraseFile, "--credential", credential, "--aggregate-ca", files.AuthorityCertificate, "--json"],
            output,
            TestContext.Progress);
        var summary = JsonNode.Parse(output.ToString())!.AsObject();
        var reserve = summary["phases"]![0]!;

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That((string?)reserve["outcome"], Is.EqualTo("failed"));
            Assert.That((string?)reserve["error"], Does.Contain("Allocate").And.Contain("TOOBIG (6)").And.Contain("17 nodes"));
            Assert.That(summary["leftovers"]!.AsArray(), Is.Empty, "nothing allocated, nothing left");
        });
    }

    [Test]
    public async Task Slice_CreateStatusRenewManifestDelete_ByHandWithTheCredentialFromTheClearinghouse()
    {
        var key = await NetServ.Testbed.Ssh.SshKeyPair.CreateAsync(Path.Combine(directory, "ssh"), "alice@laptop");
        await using var server = await AggregateServer.StartAsync(files);
        // The slice is made, and its credential issued, by the local authority's clearinghouse netserv-am serves beside the aggregate.
        string[] geni = ["--aggregate", server.Url.ToString(), "--cert", files.UserPem("alice"), "--passphrase-file", passphraseFile, "--aggregate-ca", files.AuthorityCertificate,
            "--clearinghouse", $"local:{server.Url.Port}", "--slice", "byhand"];
        async Task<(int Exit, string Output, string Error)> Slice(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exit = await LabCommands.RunAsync(["slice", .. args, .. geni], output, error);
            await TestContext.Progress.WriteLineAsync($"netserv-lab slice {args[0]}: exit {exit}\n{output}{error}");
            return (exit, output.ToString(), error.ToString());
        }

        var created = await Slice("create", Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "geni", "two-nodes.rspec.xml"), "--ssh-key", key.PublicKeyPath, "--poll-interval", "1", "--ready-timeout", "3");
        var status = await Slice("status");
        var renewed = await Slice("renew", "--hours", "3");
        var manifestFile = Path.Combine(directory, "manifest.xml");
        var manifest = await Slice("manifest", "--out", manifestFile);
        var deleted = await Slice("delete");
        var gone = await Slice("status");
        var left = await SliceContainersAsync("urn:publicid:IDN+netserv.local+slice+byhand");

        Assert.Multiple(() =>
        {
            Assert.That(created.Exit, Is.Zero, created.Error);
            Assert.That(created.Error, Does.Contain("made the slice urn:publicid:IDN+netserv.local+slice+byhand"), "the clearinghouse made the slice");
            Assert.That(created.Output, Does.Contain("ssh -p 22 root@198.1"), "each node's login printed");
            Assert.That(status.Error, Does.Contain("the slice exists: urn:publicid:IDN+netserv.local+slice+byhand"), "later commands get the existing slice's credential");
            Assert.That(status.Exit, Is.Zero, status.Error);
            Assert.That(status.Output, Does.Contain("geni_provisioned").And.Contain("geni_ready"));
            Assert.That(renewed.Exit, Is.Zero, renewed.Error);
            Assert.That(renewed.Output, Does.StartWith("renewed "));
            Assert.That(manifest.Exit, Is.Zero, manifest.Error);
            Assert.That(File.ReadAllText(manifestFile), Does.Contain("type=\"manifest\"").And.Contain("<login"));
            Assert.That(deleted.Exit, Is.Zero, deleted.Error);
            Assert.That(gone.Exit, Is.EqualTo(1), "Status of a deleted slice is refused");
            Assert.That(gone.Error, Does.Contain("SEARCHFAILED").Or.Contain("does not know the slice"));
            Assert.That(left, Is.Empty, "no container of the slice after delete");
        });
    }

    private async Task<IList<ContainerListResponse>> SliceContainersAsync(string slice)
        => await engine!.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerSliverProvisioner.SliceLabel}={slice}"] = true } },
        });
}
