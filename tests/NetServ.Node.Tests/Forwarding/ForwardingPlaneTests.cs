using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Networking;
using NetServ.Node.Forwarding;
using NetServ.Sdk;

namespace NetServ.Node.Tests.Forwarding;

[TestFixture]
public sealed class ForwardingPlaneTests
{
    private FakeIptables _iptables = null!;
    private NodeConfiguration _options = null!;

    private ForwardingPlane Plane => new(_iptables, Options.Create(_options), NullLogger<ForwardingPlane>.Instance);

    [SetUp]
    public void SetUp()
    {
        _iptables = new FakeIptables();
        _options = new NodeConfiguration
        {
            Forwarding = { Chain = "NETSERV", Hooks = ["FORWARD"], QueueBypass = true },
            Signaling = { Enabled = false },
        };
    }

    [Test]
    public async Task StartAsync_CleanTable_CreatesTheChainAndJumpsFirstInEveryHook()
    {
        _options.Forwarding.Hooks = ["INPUT", "FORWARD"];
        _iptables.Chains["FORWARD"].Add(["-s", "10.0.0.0/8", "-j", "ACCEPT"]);

        await Plane.StartAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_iptables.Chains, Does.ContainKey("NETSERV"));
            Assert.That(_iptables.RulesOf("NETSERV"), Is.Empty);
            Assert.That(_iptables.RulesOf("INPUT"), Is.EqualTo(new[] { "-j NETSERV" }));
            Assert.That(_iptables.RulesOf("FORWARD"), Is.EqualTo(new[] { "-j NETSERV", "-s 10.0.0.0/8 -j ACCEPT" }));
            Assert.That(_iptables.RulesOf("OUTPUT"), Is.Empty);
        }
    }

    [Test]
    public async Task StartAsync_SignalingIntercepted_QueuesGistQueriesFirstAndHidesTheRuleFromTheModuleList()
    {
        _options.Signaling = new SignalingConfiguration { Enabled = true, Intercept = true, Port = 270, Queue = 99 };

        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_iptables.RulesOf("NETSERV"), Is.EqualTo(new[] { "-p udp --dport 270 -m comment --comment netserv signaling -j NFQUEUE --queue-num 99 --queue-bypass" }));
            Assert.That(await plane.ListAsync(CancellationToken.None), Is.Empty);
        }
    }

    [Test]
    public async Task StartAsync_SignalingWithoutInterception_AddsNoRule()
    {
        _options.Signaling = new SignalingConfiguration { Enabled = true, Intercept = false };

        await Plane.StartAsync(CancellationToken.None);

        Assert.That(_iptables.RulesOf("NETSERV"), Is.Empty);
    }

    [Test]
    public async Task StartAsync_LeftoversOfACrash_AreRemovedFromEveryHookBeforeTheChainIsMadeAgain()
    {
        _iptables.Chains["NETSERV"] = [["-d", "198.19.0.0/24", "-j", "NFQUEUE", "--queue-num", "100"]];
        _iptables.Chains["NETSERV-OTHER"] = [];
        _iptables.Chains["FORWARD"].AddRange([["-j", "NETSERV"], ["-s", "10.0.0.0/8", "-j", "ACCEPT"], ["-i", "veth0", "-j", "NETSERV"]]);
        _iptables.Chains["INPUT"].Add(["-j", "NETSERV"]);
        _iptables.Chains["OUTPUT"].Add(["-p", "udp", "-j", "NETSERV-OTHER"]);

        await Plane.StartAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_iptables.RulesOf("NETSERV"), Is.Empty, "the old rules are gone");
            Assert.That(_iptables.RulesOf("FORWARD"), Is.EqualTo(new[] { "-j NETSERV", "-s 10.0.0.0/8 -j ACCEPT" }), "one fresh jump, other rules kept");
            Assert.That(_iptables.RulesOf("INPUT"), Is.Empty, "INPUT is not a configured hook");
            Assert.That(_iptables.RulesOf("OUTPUT"), Is.EqualTo(new[] { "-p udp -j NETSERV-OTHER" }), "a jump to another chain stays");
            Assert.That(_iptables.Chains, Does.ContainKey("NETSERV-OTHER"));
        }
    }

    [Test]
    public async Task StartAsync_Cleanup_ListsEveryHookAndRemovesJumpsBeforeFlushingDeletingAndCreating()
    {
        _iptables.Chains["NETSERV"] = [];
        _iptables.Chains["OUTPUT"].Add(["-j", "NETSERV"]);

        await Plane.StartAsync(CancellationToken.None);

        var commands = _iptables.Commands.Select(c => string.Join(' ', c)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(commands.Where(c => c.StartsWith("-S ", StringComparison.Ordinal)), Is.SupersetOf(new[] { "-S INPUT", "-S FORWARD", "-S OUTPUT" }));
            Assert.That(commands.IndexOf("-D OUTPUT -j NETSERV"), Is.LessThan(commands.IndexOf("-F NETSERV")));
            Assert.That(commands.IndexOf("-F NETSERV"), Is.LessThan(commands.IndexOf("-X NETSERV")));
            Assert.That(commands.IndexOf("-X NETSERV"), Is.LessThan(commands.IndexOf("-N NETSERV")));
            Assert.That(commands.IndexOf("-N NETSERV"), Is.LessThan(commands.IndexOf("-I FORWARD 1 -j NETSERV")));
        }
    }

    [Test]
    public void StartAsync_ChainCannotBeCreated_ThrowsWithTheIptablesError()
    {
        _iptables.Fails = args => args[0] == "-N";

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => Plane.StartAsync(CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("iptables -N NETSERV failed").And.Contain("simulated failure"));
    }

    [Test]
    public async Task StopAsync_RemovesJumpsAndChainWithItsRules()
    {
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        await plane.AddAsync([Rule("198.19.0.0/24")], CancellationToken.None);

        await plane.StopAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_iptables.Chains, Does.Not.ContainKey("NETSERV"));
            Assert.That(_iptables.RulesOf("FORWARD"), Is.Empty);
        }
    }

    [Test]
    public async Task AddAsync_Rules_AreAppendedWithTheirSpecification()
    {
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        var rules = new[] { Rule("198.19.0.0/24"), Rule("198.20.0.0/16") };

        await plane.AddAsync(rules, CancellationToken.None);

        Assert.That(_iptables.Chains["NETSERV"], Is.EqualTo(rules.Select(r => r.Specification(queueBypass: true).ToArray())));
    }

    [Test]
    public async Task AddAsync_OneRuleFails_TakesOutTheOnesAlreadyAddedAndThrows()
    {
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        await plane.AddAsync([Rule("198.21.0.0/24", module: "Other_1.0")], CancellationToken.None);
        _iptables.Fails = args => args[0] == "-A" && args.Contains("198.19.2.0/24");

        var e = Assert.ThrowsAsync<InvalidOperationException>(() =>
            plane.AddAsync([Rule("198.19.0.0/24"), Rule("198.19.1.0/24"), Rule("198.19.2.0/24"), Rule("198.19.3.0/24")], CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Message, Does.Contain("198.19.2.0/24"));
            Assert.That(_iptables.Chains["NETSERV"], Is.EqualTo(new[] { Rule("198.21.0.0/24", module: "Other_1.0").Specification(true).ToArray() }), "only the other module's rule is left");
            Assert.That(_iptables.Commands.Any(c => c.Contains("198.19.3.0/24")), Is.False, "nothing after the failure is tried");
        }
    }

    [Test]
    public async Task RemoveAsync_RuleAlreadyGone_IsNotAnErrorAndTheOthersGo()
    {
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        await plane.AddAsync([Rule("198.19.0.0/24"), Rule("198.19.1.0/24")], CancellationToken.None);

        await plane.RemoveAsync([Rule("198.19.0.0/24"), Rule("198.19.9.0/24"), Rule("198.19.1.0/24")], CancellationToken.None);

        Assert.That(_iptables.Chains["NETSERV"], Is.Empty);
    }

    [Test]
    public async Task RemoveAsync_WithoutQueueBypass_DeletesTheSpecificationItAdded()
    {
        _options.Forwarding.QueueBypass = false;
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        await plane.AddAsync([Rule("198.19.0.0/24")], CancellationToken.None);

        await plane.RemoveAsync([Rule("198.19.0.0/24")], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_iptables.Commands.Last(), Does.Not.Contain("--queue-bypass"));
            Assert.That(_iptables.Chains["NETSERV"], Is.Empty);
        }
    }

    [Test]
    public async Task ListAsync_Rules_AreTheAppendLinesOfTheChain()
    {
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        await plane.AddAsync([Rule("198.19.0.0/24", port: 5060)], CancellationToken.None);

        var rules = await plane.ListAsync(CancellationToken.None);

        Assert.That(rules, Is.EqualTo(new[]
        {
            "-A NETSERV -d 198.19.0.0/24 -p udp --dport 5060 -m comment --comment \"netserv user=alice module=NetServ.Apps.NetMonitor_1.0.0\" -j NFQUEUE --queue-num 100 --queue-bypass",
        }));
    }

    [Test]
    public async Task ListAsync_NoChangeSinceTheLastListing_RunsNoIptables()
    {
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        await plane.AddAsync([Rule("198.19.0.0/24", port: 5060)], CancellationToken.None);
        var first = await plane.ListAsync(CancellationToken.None);
        var commands = _iptables.Commands.Count;

        var again = await plane.ListAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.EqualTo(first));
            Assert.That(_iptables.Commands, Has.Count.EqualTo(commands), "a status must not wait for a process start while nothing changed");
        }
    }

    [Test]
    public async Task ListAsync_AfterAddAndRemove_ReadsTheChainAgain()
    {
        var plane = Plane;
        await plane.StartAsync(CancellationToken.None);
        await plane.AddAsync([Rule("198.19.0.0/24")], CancellationToken.None);
        Assert.That(await plane.ListAsync(CancellationToken.None), Has.Count.EqualTo(1));

        await plane.AddAsync([Rule("198.19.1.0/24")], CancellationToken.None);
        var afterAdd = await plane.ListAsync(CancellationToken.None);
        await plane.RemoveAsync([Rule("198.19.0.0/24"), Rule("198.19.1.0/24")], CancellationToken.None);
        var afterRemove = await plane.ListAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterAdd, Has.Count.EqualTo(2));
            Assert.That(afterRemove, Is.Empty);
        }
    }

    [Test]
    public async Task ListAsync_NoChain_IsEmpty()
    {
        var rules = await Plane.ListAsync(CancellationToken.None);

        Assert.That(rules, Is.Empty);
    }

    private static FilterRule Rule(string destination, int? port = null, string module = "NetServ.Apps.NetMonitor_1.0.0") =>
        new("alice", module, FilterProtocol.Udp, port, Ipv4Prefix.Parse(destination), 100);
}
