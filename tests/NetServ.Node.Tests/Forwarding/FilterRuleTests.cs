using NetServ.Networking;
using NetServ.Node.Forwarding;
using NetServ.Sdk;

namespace NetServ.Node.Tests.Forwarding;

[TestFixture]
public sealed class FilterRuleTests
{
    [Test]
    public void Specification_UdpWithPortAndBypass_IsTheFullRule()
    {
        var rule = new FilterRule("alice", "NetServ.Apps.NetMonitor_1.0.0", FilterProtocol.Udp, 5060, Ipv4Prefix.Parse("198.19.0.0/24"), 100);

        Assert.That(rule.Specification(queueBypass: true), Is.EqualTo(new[]
        {
            "-d", "198.19.0.0/24", "-p", "udp", "--dport", "5060",
            "-m", "comment", "--comment", "netserv user=alice module=NetServ.Apps.NetMonitor_1.0.0",
            "-j", "NFQUEUE", "--queue-num", "100", "--queue-bypass",
        }));
    }

    [Test]
    public void Specification_TcpWithoutPortOrBypass_HasNeither()
    {
        var rule = new FilterRule("bob", "X_2.0", FilterProtocol.Tcp, null, Ipv4Prefix.Parse("198.20.0.1"), 7);

        Assert.That(rule.Specification(queueBypass: false), Is.EqualTo(new[]
        {
            "-d", "198.20.0.1/32", "-p", "tcp", "-m", "comment", "--comment", "netserv user=bob module=X_2.0", "-j", "NFQUEUE", "--queue-num", "7",
        }));
    }

    [Test]
    public void Specification_AnyProtocol_SelectsOnlyTheDestination()
    {
        var rule = new FilterRule("bob", "X_2.0", FilterProtocol.Any, null, Ipv4Prefix.Parse("198.18.0.0/15"), 65535);

        var specification = rule.Specification(queueBypass: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(specification, Does.Not.Contain("-p"));
            Assert.That(specification, Does.Not.Contain("--dport"));
            Assert.That(specification.Take(2), Is.EqualTo(new[] { "-d", "198.18.0.0/15" }));
            Assert.That(specification, Does.Contain("65535"));
        }
    }

    [Test]
    public void Comment_NamesUserAndModule()
    {
        var rule = new FilterRule("carol", "M_1", FilterProtocol.Udp, 53, Ipv4Prefix.All, 1);

        Assert.That(rule.Comment, Is.EqualTo("netserv user=carol module=M_1"));
    }
}
