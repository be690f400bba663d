using System.Diagnostics;
using System.Text.Json.Nodes;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;
using NetServ.TestSupport.Docker;

namespace NetServ.Orchestrator.Tests.Experiments;

/// <summary>
/// <c>netserv-lab run --testbed docker</c> with a router of the stock Debian 12 image (sshd and sudo, no NetServ): the rspec's
/// <c>install</c> service unpacks the install tarball at /opt and its <c>execute</c> service runs install.sh, as on a GENI node;
/// apt reaches the Debian mirror through the testbed's forward proxy. Then NetMonitor is installed on it through signaling.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DockerStockNodeTests
{
    private const string Fixture = "Docker stock node tests";
    private const string Install = "sudo /opt/netserv/install.sh --user experimenter --key-file /root/.ssh/authorized_keys";

    private DockerEngine? _engine;
    private string _tarball = null!;
    private string _results = null!;

    [OneTimeSetUp]
    public async Task ConnectEngine()
    {
        _engine = await RequiresNodeImage.ConnectAsync(Fixture, DockerTestbedOptions.StockImage);
        _tarball = await RequiresNodeImage.TarballAsync(Fixture);
    }

    [OneTimeTearDown]
    public void StopEngine() => _engine?.Dispose();

    [SetUp]
    public void CreateResultsFolder() => _results = Directory.CreateTempSubdirectory("netserv-lab-stock-").FullName;

    [TearDown]
    public void RemoveResultsFolder() => Directory.Delete(_results, recursive: true);

    [Test]
    [CancelAfter(30 * 60 * 1000)]
    public async Task Run_StockDebianRouterWithTarballInstallAndExecuteServices_BecomesNetServNodeInstallsNetMonitorAndLeavesNothing(CancellationToken cancellationToken)
    {
        var rspec = Path.Combine(_results, "stock-router.rspec.xml");
        await File.WriteAllTextAsync(rspec, RSpec(new Uri(_tarball).AbsoluteUri), cancellationToken);
        using var output = new StringWriter();
        var watch = Stopwatch.StartNew();

        var exit = await LabCommands.RunAsync(
            ["run", rspec, "--testbed", "docker", "--netserv-nodes", "router", "--module", "NetMonitor", "--from", "sender", "--toward", "receiver",
             "--filter", "udp/5060", "--ttl", "600", "--packets", "2000", "--rate", "1000", "--execute-timeout", "1500", "--results", _results, "--json"],
            output, cancellationToken: cancellationToken);

        await TestContext.Progress.WriteLineAsync($"{Fixture}: the run took {watch.Elapsed.TotalSeconds:0} s");
        var summary = JsonNode.Parse(output.ToString())!.AsObject();
        foreach (var phase in summary["phases"]!.AsArray())
        {
            await TestContext.Progress.WriteLineAsync($"{Fixture}: {phase!.ToJsonString()}");
        }

        var id = summary["testbed"]!.GetValue<string>();
        var services = summary["services"]!.AsArray().Where(s => s!["node"]!.GetValue<string>() == "router").ToArray();
        var module = summary["modules"]!.AsArray().Single()!;
        var router = module["counts"]!.AsArray().Single(c => c!["node"]!.GetValue<string>() == "router")!;
        var second = File.ReadAllText(Directory.GetFiles(_results, "router.execute-2.log", SearchOption.AllDirectories).Single());
        Assert.Multiple(async () =>
        {
            Assert.That(exit, Is.Zero, output.ToString());
            Assert.That(services.Select(s => (s!["command"]!.GetValue<string>(), s["exitCode"]?.GetValue<int>())), Is.EqualTo(new[] { (Install, (int?)0), (Install, (int?)0) }), "install.sh, then again");
            Assert.That(second, Does.Contain("nothing changed"), "a second install.sh changes nothing");
            Assert.That(module["installedOn"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "router" }), "NetMonitor through signaling");
            Assert.That(summary["traffic"]!["received"]!.GetValue<long>(), Is.EqualTo(2000));
            Assert.That(router["flows"]!.AsArray().Sum(f => f!["packets"]!.GetValue<long>()), Is.EqualTo(2000), "NetMonitor's PROBE on the router");
            Assert.That(summary["leftovers"]!.AsArray(), Is.Empty);
            Assert.That(await DockerTestbed.ListContainersAsync(_engine!.Client, id, CancellationToken.None), Is.Empty, "no container");
            Assert.That(NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{id}-"), Is.Empty, "no namespace");
        });
    }

    /// <summary>The NetMonitor lab's sender-router-receiver, the router a stock Debian 12 machine the tarball is put on.</summary>
    private static string RSpec(string tarball) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
          <node client_id="sender" exclusive="false">
            <sliver_type name="default-vm"><disk_image name="{DockerTestbedOptions.NodeImage}"/></sliver_type>
            <interface client_id="sender:if0"><ip address="198.18.0.1" netmask="255.255.255.0" type="ipv4"/></interface>
          </node>
          <node client_id="router" exclusive="false">
            <sliver_type name="default-vm"><disk_image name="{DockerTestbedOptions.StockImage}"/></sliver_type>
            <services>
              <install url="{tarball}" install_path="/opt"/>
              <execute shell="sh" command="{Install}"/>
              <execute shell="sh" command="{Install}"/>
            </services>
            <interface client_id="router:if0"><ip address="198.18.0.2" netmask="255.255.255.0" type="ipv4"/></interface>
            <interface client_id="router:if1"><ip address="198.19.0.2" netmask="255.255.255.0" type="ipv4"/></interface>
          </node>
          <node client_id="receiver" exclusive="false">
            <sliver_type name="default-vm"><disk_image name="{DockerTestbedOptions.NodeImage}"/></sliver_type>
            <interface client_id="receiver:if0"><ip address="198.19.0.1" netmask="255.255.255.0" type="ipv4"/></interface>
          </node>
          <link client_id="sender-router">
            <interface_ref client_id="sender:if0"/>
            <interface_ref client_id="router:if0"/>
          </link>
          <link client_id="router-receiver">
            <interface_ref client_id="router:if1"/>
            <interface_ref client_id="receiver:if0"/>
          </link>
        </rspec>
        """;
}
