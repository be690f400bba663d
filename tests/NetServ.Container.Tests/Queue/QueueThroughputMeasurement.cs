using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NetServ.Container.Queue;
using NetServ.Testbed.Linux;

namespace NetServ.Container.Tests.Queue;

/// <summary>
/// A quick, bounded look at what a reader costs: packets are queued first while the reader waits,
/// then the reader drains them (receive, verdict, reinjection, forwarding to the receiver) on CPU 1.
/// The container's reader and the C baseline, same path, same placement. Not the evaluation (no
/// zero-loss search, no offered load): a sanity check run by hand.
/// </summary>
[TestFixture]
[NonParallelizable]
[Explicit("a measurement, not a check: run by hand with --filter Name~Drain")]
[Category("Measurement")]
public sealed class QueueThroughputMeasurement
{
    private const int Preload = 30_000;
    private const int Rounds = 3;
    private const uint MaxLength = 100_000;
    private static readonly byte[] SmallPayload = new byte[18];

    [Test]
    public void Drain_ContainerReader()
    {
        using var path = QueuePath.Create();
        using var queue = path.OpenQueue(new NetfilterQueueOptions { MaxLength = MaxLength });
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();

        // A first round lets the JIT compile the loop at full optimisation, as in a running container.
        var rates = new List<double>();
        for (var round = 0; round <= Rounds; round++)
        {
            var queued = Fill(path);
            double seconds = 0;
            var seen = 0;
            var reader = new Thread(() =>
            {
                PinCurrentThread(1);
                long first = 0;
                while (seen < queued)
                {
                    var n = queue.Receive(batch);
                    if (n == 0)
                    {
                        break;
                    }

                    first = first == 0 ? Stopwatch.GetTimestamp() : first;
                    for (var i = 0; i < n; i++)
                    {
                        verdicts.Accept(batch[i].PacketId);
                    }

                    queue.SendVerdicts(verdicts);
                    verdicts.Clear();
                    seen += n;
                }

                seconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
            })
            { IsBackground = true };
            reader.Start();
            reader.Join();
            Assert.That(seen, Is.EqualTo(queued), "the reader took every queued packet");
            if (round > 0)
            {
                rates.Add(queued / seconds);
            }
        }

        Report("container reader (C#, recvmmsg batch 64, one sendmsg per batch)", rates);
    }

    [Test]
    public void Drain_CBaseline()
    {
        var output = Directory.CreateTempSubdirectory("nfq-accept-");
        try
        {
            CommandRunner.Run("make", ["-C", Path.Combine(RepositoryRoot(), "evaluation", "c-loop"), $"OUT={output.FullName}"], TimeSpan.FromSeconds(60)).EnsureSuccess();
            using var path = QueuePath.Create();
            var rates = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                var start = new ProcessStartInfo(Path.Combine(output.FullName, "nfq-accept")) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var argument in new[] { "--queue", "7", "--cpu", "1", "--batch", "32", "--seconds", "20", "--maxlen", MaxLength.ToString(CultureInfo.InvariantCulture) })
                {
                    start.ArgumentList.Add(argument);
                }

                using var process = path.Path.Router.Namespace.Start(start);
                try
                {
                    while (path.QueueStatus() is null)
                    {
                        Thread.Sleep(10);
                    }

                    Signal(process, "STOP");
                    var queued = Fill(path);
                    Signal(process, "CONT");
                    while (QueuedPackets(path) > 0)
                    {
                        Thread.Sleep(20);
                    }

                    Signal(process, "TERM");
                    Assert.That(process.WaitForExit(TimeSpan.FromSeconds(5)), Is.True);
                    using var json = JsonDocument.Parse(process.StandardOutput.ReadToEnd());
                    Assert.That(json.RootElement.GetProperty("packets").GetInt64(), Is.EqualTo(queued));
                    rates.Add(queued / json.RootElement.GetProperty("first_to_last_seconds").GetDouble());
                }
                finally
                {
                    if (!process.HasExited)
                    {
                        process.Kill();
                    }
                }
            }

            Report("C baseline (libnetfilter_queue, recv per packet, nfq_set_verdict_batch every 32)", rates);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>Sends <see cref="Preload"/> 18-byte UDP payloads (60-byte frames) and returns how many the queue then holds.</summary>
    private static int Fill(QueuePath path)
    {
        path.Send(Preload, burst: 1000, static _ => SmallPayload);
        var queued = -1;
        for (var stable = 0; stable < 3; Thread.Sleep(50))
        {
            var now = QueuedPackets(path);
            stable = now == queued ? stable + 1 : 0;
            queued = now;
        }

        TestContext.Out.WriteLine($"queued {queued} of {Preload}");
        return queued;
    }

    private static int QueuedPackets(QueuePath path) =>
        int.Parse(path.QueueStatus()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);

    private static void Signal(Process process, string signal) =>
        CommandRunner.RunChecked("kill", $"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture));

    private static void Report(string reader, List<double> rates)
    {
        var sorted = rates.Order().ToArray();
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"{reader}: drained at {sorted[sorted.Length / 2] / 1000:0} kpps median [{sorted[0] / 1000:0}-{sorted[^1] / 1000:0}] over {rates.Count} rounds");
        TestContext.Out.WriteLine(message);
        Assert.That(rates, Has.All.GreaterThan(0));
    }

    private static void PinCurrentThread(int cpu)
    {
        var mask = 1UL << cpu;
        if (sched_setaffinity(0, sizeof(ulong), ref mask) != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity(cpu {cpu}) failed: errno {Marshal.GetLastPInvokeError()}");
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

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint size, ref ulong mask);
}
