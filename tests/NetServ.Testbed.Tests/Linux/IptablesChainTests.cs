using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Linux;

/// <summary>A run's own iptables chain in a namespace of its own (root): made, jumped to, recorded, removed.</summary>
[TestFixture]
[NonParallelizable]
public sealed class IptablesChainTests
{
    private NetworkNamespace _ns = null!;

    [SetUp]
    public void SetUp()
    {
        RequiresRoot.Check();
        _ns = NetworkNamespace.Create($"ns-chain-{Random.Shared.Next(100_000):d5}");
    }

    [TearDown]
    public void TearDown() => _ns?.Dispose();

    [Test]
    public void Create_AppendsTheJumpAfterWhatFORWARDHolds_AndNotesTheChainInThisRunsRecord()
    {
        _ns.ExecChecked("iptables", "-N", "NETSERV");
        _ns.ExecChecked("iptables", "-I", "FORWARD", "1", "-j", "NETSERV");

        using var chain = IptablesChain.Create(_ns, "ns-eval-test");
        chain.Append(["-p", "udp", "--dport", "5060", "-j", "ACCEPT"]);

        Assert.Multiple(() =>
        {
            Assert.That(Rules("FORWARD"), Is.EqualTo(new[] { "-A FORWARD -j NETSERV", "-A FORWARD -j ns-eval-test" }));
            Assert.That(Rules("ns-eval-test"), Is.EqualTo(new[] { "-A ns-eval-test -p udp -m udp --dport 5060 -j ACCEPT" }));
            Assert.That(LabRunRecord.Current.Resources, Does.Contain(RunResource.Chain(_ns.Name, "ns-eval-test")));
        });
    }

    [Test]
    public void Dispose_RemovesTheJumpTheRulesAndTheChain_LeavesOthersChains_AndForgetsTheRecord()
    {
        _ns.ExecChecked("iptables", "-N", "NETSERV");
        _ns.ExecChecked("iptables", "-I", "FORWARD", "1", "-j", "NETSERV");
        var chain = IptablesChain.Create(_ns, "ns-eval-test");
        chain.Append(["-p", "udp", "-j", "ACCEPT"]);

        chain.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(_ns.Exec("iptables", "-S", "ns-eval-test").Succeeded, Is.False, "the chain is gone");
            Assert.That(Rules("FORWARD"), Is.EqualTo(new[] { "-A FORWARD -j NETSERV" }), "netservd's jump stays");
            Assert.That(LabRunRecord.Current.Resources, Does.Not.Contain(RunResource.Chain(_ns.Name, "ns-eval-test")));
        });
    }

    [Test]
    public void RemoveChain_OfADeadRun_RemovesItFromItsNamespace()
    {
        IptablesChain.Create(_ns, "ns-eval-left");

        new MachineResourceRemover().RemoveChain(_ns.Name, "ns-eval-left");

        Assert.Multiple(() =>
        {
            Assert.That(_ns.Exec("iptables", "-S", "ns-eval-left").Succeeded, Is.False);
            Assert.That(Rules("FORWARD"), Is.Empty);
        });
    }

    [TestCase("NETSERV")]
    [TestCase("ns-a-chain-name-longer-than-28")]
    [TestCase("ns-eval;x")]
    public void Create_NameTheProjectDoesNotGiveItsChains_Throws(string name) =>
        Assert.That(() => IptablesChain.Create(_ns, name), Throws.ArgumentException);

    /// <summary>The chain's rules as <c>iptables -S</c> prints them, without its -N or -P line.</summary>
    private string[] Rules(string chain) =>
        _ns.ExecChecked("iptables", "-S", chain).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("-A ", StringComparison.Ordinal))
            .ToArray();
}
