using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetServ.Testbed.Linux;
using NetServ.TestSupport.Traffic;

namespace NetServ.Container.Tests.Queue;

/// <summary>The C baseline of the queue path (evaluation/c-loop/nfq-accept), built and run in the router.</summary>
[TestFixture]
[NonParallelizable]
public sealed class CLoopTests
{
    private const int Packets = 2000;

    [Test]
    public void NfqAccept_BoundedRun_AcceptsEveryPacketAndReportsTheCount()
    {
        RequiresRoot.Check();
        if (CommandRunner.FindOnPath("make") is null || CommandRunner.FindOnPath("gcc") is null && CommandRunner.FindOnPath("cc") is null)
        {
            Assert.Ignore("needs make and gcc (apt-get install -y build-essential)");
        }

        if (!File.Exists("/usr/include/libnetfilter_queue/libnetfilter_queue.h"))
        {
            Assert.Ignore("needs libnetfilter-queue-dev (apt-get install -y libnetfilter-queue-dev)");
        }

        var output = Directory.CreateTempSubdirectory("nfq-accept-");
        Process? process = null;
        try
        {
            CommandRunner.Run("make", ["-C", Path.Combine(RepositoryRoot(), "evaluation", "c-loop"), $"OUT={output.FullName}"], TimeSpan.FromSeconds(60)).EnsureSuccess();
            using var path = QueuePath.Create();
            var start = new ProcessStartInfo(Path.Combine(output.FullName, "nfq-accept"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { "--queue", "7", "--seconds", "10", "--max-packets", Packets.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            process = path.Path.Router.Namespace.Start(start);
            WaitUntilBound(path, process);

            path.Send(Packets);
            var received = path.ReceiveAll(Packets, TimeSpan.FromSeconds(10));
            Assert.That(process.WaitForExit(TimeSpan.FromSeconds(12)), Is.True, "nfq-accept stops after --max-packets");
            var report = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();

            using var json = JsonDocument.Parse(report);
            Assert.Multiple(() =>
            {
                Assert.That(process.ExitCode, Is.Zero, error);
                Assert.That(json.RootElement.GetProperty("packets").GetInt64(), Is.EqualTo(Packets), report);
                Assert.That(json.RootElement.GetProperty("seconds").GetDouble(), Is.GreaterThan(0).And.LessThan(10.5), report);
                Assert.That(received, Has.Count.EqualTo(Packets));
            });
        }
        finally
        {
            if (process is { HasExited: false })
            {
                process.Kill();
            }

            process?.Dispose();
            output.Delete(recursive: true);
        }
    }

    private static void WaitUntilBound(QueuePath path, Process process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (path.QueueStatus() is null)
        {
            if (process.HasExited)
            {
                Assert.Fail($"nfq-accept exited with {process.ExitCode}: {process.StandardError.ReadToEnd()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("nfq-accept did not bind queue 7 within 5 s");
            }

            Thread.Sleep(10);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NetServ.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no NetServ.sln above {AppContext.BaseDirectory}");
    }
}
