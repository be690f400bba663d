using System.Globalization;

namespace NetServ.Evaluation.Hosting;

/// <summary>
/// How busy the machine's CPUs are, from /proc/stat over a short interval. Taken while the
/// benchmark itself is idle, it shows how much other work (other runs, builds) competes with the
/// measurement. (Under network load /proc/stat misattributes softirq time on this kind of VM, so
/// it is not used during trials.)
/// </summary>
internal static class CpuLoad
{
    /// <summary>The busy fraction of all CPUs over <paramref name="interval"/> (0..1).</summary>
    public static async Task<double> SampleAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var (busy0, total0) = Read();
        await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        var (busy1, total1) = Read();
        return total1 > total0 ? (busy1 - busy0) / (double)(total1 - total0) : 0;
    }

    /// <summary>The busy fraction of all CPUs over <paramref name="interval"/>, blocking.</summary>
    public static double Sample(TimeSpan interval)
    {
        var (busy0, total0) = Read();
        Thread.Sleep(interval);
        var (busy1, total1) = Read();
        return total1 > total0 ? (busy1 - busy0) / (double)(total1 - total0) : 0;
    }

    /// <summary>
    /// Samples how busy other work keeps the CPUs for <paramref name="sample"/> and, for up to
    /// <paramref name="waitSeconds"/>, waits for it to fall to <paramref name="quietFraction"/>;
    /// says what it did through <paramref name="report"/> (console markup). Returns the last busy fraction.
    /// </summary>
    public static double WaitForQuiet(TimeSpan sample, double waitSeconds, double quietFraction, Action<string> report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var busy = Sample(sample);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (busy > quietFraction && waited.Elapsed.TotalSeconds < waitSeconds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            busy = Sample(TimeSpan.FromSeconds(1));
        }

        if (waitSeconds > 0 && waited.Elapsed > TimeSpan.FromSeconds(1))
        {
            report(string.Create(CultureInfo.InvariantCulture, $"  waited {waited.Elapsed.TotalSeconds:0} s for other work to calm down"));
        }

        if (busy > quietFraction)
        {
            report(string.Create(CultureInfo.InvariantCulture, $"  [yellow]other work keeps the CPUs {busy:0%} busy: expect noise[/]"));
        }

        return busy;
    }

    private static (long Busy, long Total) Read()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }
}
