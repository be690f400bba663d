using NetServ.Contracts.Status;
using NetServ.Orchestrator.Grading;

namespace NetServ.Orchestrator.Tests.Grading;

[TestFixture]
public sealed class ScenarioWorkloadTests
{
    // iputils-ping's summary, as Debian 12's ping -q prints it.
    [TestCase("--- 198.19.0.1 ping statistics ---\n5 packets transmitted, 5 received, 0% packet loss, time 805ms\nrtt min/avg/max/mdev = 0.041/0.060/0.083/0.014 ms\n", 5)]
    [TestCase("--- 198.19.0.1 ping statistics ---\n5 packets transmitted, 0 received, 100% packet loss, time 820ms\n", 0)]
    [TestCase("--- 198.19.0.1 ping statistics ---\n5 packets transmitted, 5 received, +5 duplicates, 0% packet loss, time 806ms\n", 10)]
    // BusyBox's.
    [TestCase("--- 198.19.0.1 ping statistics ---\n3 packets transmitted, 2 packets received, 33% packet loss\n", 2)]
    public void ParsePingReplies_Summary_CountsRepliesWithDuplicates(string output, long replies) =>
        Assert.That(ScenarioWorkload.ParsePingReplies(output), Is.EqualTo(replies));

    [Test]
    public void ParsePingReplies_NoSummary_IsNull() =>
        Assert.That(ScenarioWorkload.ParsePingReplies("ping: connect: Network is unreachable\n"), Is.Null);

    [Test]
    public void Diagnose_RestartsFailuresAndModuleErrors_NamesEachForTheUser()
    {
        var status = new NodeStatus
        {
            Node = "router",
            Time = DateTimeOffset.UnixEpoch,
            Forwarding = new ForwardingStatus { Chain = "NETSERV" },
            RecentFailures = [new ModuleFailure { Time = DateTimeOffset.UnixEpoch, User = "demo", Module = "Exercises.Firewall_1.0.0", Reason = "load-failed", Detail = "no entry type" },
                              new ModuleFailure { Time = DateTimeOffset.UnixEpoch, User = "other", Module = "X_1.0.0", Reason = "crashed" }],
            Containers =
            [
                new ContainerStatus
                {
                    User = "demo",
                    State = ContainerState.Ready,
                    Restarts = 2,
                    LastExit = "exit code 134",
                    Modules = [new ModuleStatus { Name = "Exercises.Firewall_1.0.0", User = "demo", Live = new ModuleLiveStatus { Name = "Exercises.Firewall_1.0.0", Counters = new ModuleCounters { Packets = 10, Errors = 10, LastError = "InvalidOperationException: boom" } } }],
                },
            ],
        };

        var problems = ScenarioWorkload.Diagnose("router", status, "demo").ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(problems, Has.Length.EqualTo(3));
            Assert.That(problems[0], Does.Contain("restarted 2 time(s)").And.Contain("exit code 134"));
            Assert.That(problems[1], Does.Contain("load-failed: no entry type"));
            Assert.That(problems[2], Does.Contain("threw on 10 packet(s)").And.Contain("boom"));
            Assert.That(problems, Has.None.Contain("X_1.0.0"), "another user's failures are not the student's");
        });
    }

    [Test]
    public void Diagnose_HealthyContainer_SaysNothing()
    {
        var status = new NodeStatus
        {
            Node = "router",
            Time = DateTimeOffset.UnixEpoch,
            Forwarding = new ForwardingStatus { Chain = "NETSERV" },
            RecentFailures = [],
            Containers = [new ContainerStatus { User = "demo", State = ContainerState.Ready }],
        };

        Assert.That(ScenarioWorkload.Diagnose("router", status, "demo"), Is.Empty);
    }
}
