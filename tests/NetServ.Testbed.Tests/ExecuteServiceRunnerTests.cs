using Microsoft.Extensions.Time.Testing;
using NetServ.RSpec;
using NetServ.Testbed.Linux;
using NetServ.TestSupport.Testbeds;

namespace NetServ.Testbed.Tests;

/// <summary>Execute services through a node session, as every testbed runs them: driven by a fake session, no node needed.</summary>
[TestFixture]
public sealed class ExecuteServiceRunnerTests
{
    private const int OutputLimit = 64;
    private static readonly TimeSpan ServiceTimeout = TimeSpan.FromSeconds(60);
    private static readonly ExecuteService Service = new("/bin/sh", "ip -4 -o address show; exit 3");

    [Test]
    public async Task RunAsync_AService_RunsTheShellWithTheCommandAndAClosedInput()
    {
        var session = new FakeNodeSession();

        await RunAsync(session);

        var command = session.Commands.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(command.File, Is.EqualTo("sh"), "the shell as the testbed resolved it");
            Assert.That(command.Arguments, Is.EqualTo(new[] { "-c", "ip -4 -o address show; exit 3" }));
            Assert.That(command.Timeout, Is.EqualTo(ServiceTimeout));
            Assert.That(command.StandardInput, Is.Empty, "standard input given and closed at once");
        }
    }

    [Test]
    public async Task RunAsync_NonZeroExit_IsAResultThatDidNotSucceed()
    {
        var session = new FakeNodeSession();
        session.AnswerWith(3, "198.18.0.2/24\n", "to-stderr\n");

        var result = await RunAsync(session);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.NodeClientId, Is.EqualTo("router"));
            Assert.That(result.Service, Is.EqualTo(Service));
            Assert.That(result.ExitCode, Is.EqualTo(3));
            Assert.That(result.TimedOut, Is.False);
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.StandardOutput, Is.EqualTo("198.18.0.2/24\n"));
            Assert.That(result.StandardError, Is.EqualTo("to-stderr\n"));
        }
    }

    [Test]
    public async Task RunAsync_ZeroExit_Succeeded()
    {
        var session = new FakeNodeSession();
        session.AnswerWith(0, "ok\n");

        var result = await RunAsync(session);

        Assert.That(result.Succeeded, Is.True);
    }

    [Test]
    public async Task RunAsync_PastTheTimeout_IsATimedOutResultWithWhatItPrintedSoFar()
    {
        var session = new FakeNodeSession
        {
            Answer = (command, _) => throw CommandFailedException.TimedOut(new CommandResult(command.Display, 137, "before\n", "warning\n"), command.Timeout),
        };

        var result = await RunAsync(session);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.TimedOut, Is.True);
            Assert.That(result.ExitCode, Is.Null, "the kill's exit code is not the command's");
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.StandardOutput, Is.EqualTo("before\n"));
            Assert.That(result.StandardError, Is.EqualTo("warning\n"));
        }
    }

    [Test]
    public async Task RunAsync_OutputPastTheLimit_IsCutAndTheCutMarked()
    {
        var session = new FakeNodeSession();
        session.AnswerWith(0, new string('o', OutputLimit + 10), new string('e', OutputLimit));

        var result = await RunAsync(session);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.StandardOutput, Is.EqualTo($"{new string('o', OutputLimit)}\n[cut at {OutputLimit} characters]"));
            Assert.That(result.StandardError, Is.EqualTo(new string('e', OutputLimit)), "exactly the limit is not cut");
        }
    }

    [Test]
    public async Task RunAsync_Duration_IsTheTimeTheCommandTook()
    {
        var time = new FakeTimeProvider();
        var session = new FakeNodeSession
        {
            Answer = (command, _) =>
            {
                time.Advance(TimeSpan.FromSeconds(3));
                return Task.FromResult(new CommandResult(command.Display, 0, string.Empty, string.Empty));
            },
        };

        var result = await RunAsync(session, time);

        Assert.That(result.Duration, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void RunAsync_NodeUnreachable_Throws()
    {
        var session = new FakeNodeSession { Unreachable = true };

        Assert.ThrowsAsync<NodeUnreachableException>(() => RunAsync(session));
    }

    [Test]
    public void RunAsync_ShellThatCannotStart_ThrowsRatherThanReportingAResult()
    {
        var session = new FakeNodeSession
        {
            Answer = (command, _) => throw new CommandFailedException($"'{command.Display}' could not be started: No such file or directory"),
        };

        var error = Assert.ThrowsAsync<CommandFailedException>(() => RunAsync(session));

        Assert.That(error!.IsTimeout, Is.False);
    }

    [Test]
    public void RunAsync_Cancelled_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        var session = new FakeNodeSession
        {
            Answer = (_, token) =>
            {
                cancellation.Cancel();
                token.ThrowIfCancellationRequested();
                return Task.FromResult(new CommandResult("sh", 0, string.Empty, string.Empty));
            },
        };

        Assert.CatchAsync<OperationCanceledException>(() => RunAsync(session, cancellationToken: cancellation.Token));
    }

    private static Task<ExecuteServiceResult> RunAsync(FakeNodeSession session, TimeProvider? time = null, CancellationToken cancellationToken = default) =>
        ExecuteServiceRunner.RunAsync(session, "router", Service, "sh", ServiceTimeout, OutputLimit, time ?? TimeProvider.System, cancellationToken);
}
