using NetServ.Orchestrator.Commands;
using System.Globalization;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Testbed.Linux;
using Spectre.Console;

namespace NetServ.Evaluation.Hosting;

/// <summary>
/// The frame of every benchmark run: its results folder, the machine's description, the backlog
/// sysctl set for the run and restored after, and the results written however the run ends
/// (complete, failed or stopped by a signal).
/// </summary>
internal static class BenchmarkRun
{
    public const string BacklogSysctl = "net.core.netdev_max_backlog";

    /// <summary>
    /// Runs <paramref name="body"/> with the folder's raw/ subfolder, then hands the results and the
    /// folder to <paramref name="write"/>. Throws what the body threw (cancellation included) after that.
    /// </summary>
    public static async Task<string> RunAsync<TRecord>(
        string name,
        string title,
        string? output,
        int netdevMaxBacklog,
        TRecord results,
        IAnsiConsole console,
        Func<string, CancellationToken, Task> body,
        Action<TRecord, string> write,
        CancellationToken cancellationToken)
        where TRecord : RunRecord
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(write);
        CheckPrerequisites();
        var folder = RunRecord.CreateFolder(output, results.Started, name);
        var raw = Path.Combine(folder, "raw");
        results.Machine = MachineInfo.Describe();
        await results.SampleMachineAsync(cancellationToken).ConfigureAwait(false);
        console.Heading($"[bold]{Markup.Escape(title)}[/]");
        console.MarkupLine($"results: [blue]{Markup.Escape(folder)}[/]");
        console.MarkupLine($"machine: {Markup.Escape($"{results.Machine["cpuModel"]}, {results.Machine["cores"]} CPUs, kernel {results.Machine["kernel"]}, {results.Machine["dotnetRuntime"]}")}; load average {results.LoadAverageAtStart}, CPUs {results.MachineBusyAtStart:0%} busy with other work");

        await results.RunAsync(
            folder,
            console,
            async () =>
            {
                var settings = new SystemSettings();
                try
                {
                    settings.Set(BacklogSysctl, netdevMaxBacklog.ToString(CultureInfo.InvariantCulture));
                    console.MarkupLine($"sysctl {BacklogSysctl}: {settings.Changed[^1].Previous} → {netdevMaxBacklog} for the run");
                    await body(raw, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    results.Sysctls.AddRange(settings.Changed);
                    settings.Dispose();
                }
            },
            () => write(results, folder),
            cancellationToken).ConfigureAwait(false);
        return folder;
    }

    /// <summary>Notes the run's own namespaces (tagged <paramref name="ownId"/>), and (in the results and on the console) those of other runs: they share the CPUs.</summary>
    public static void NoteNamespaces(RunRecord results, string ownId, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(console);
        results.Namespaces.AddRange(NetworkNamespace.List().Where(n => n.Contains(ownId, StringComparison.Ordinal)));
        results.ForeignNamespacesSeen.AddRange(MachineInfo.ForeignNamespaces(ownId));
        if (results.ForeignNamespacesSeen.Count > 0)
        {
            console.MarkupLine($"[yellow]other namespaces on the machine (other runs share the CPUs):[/] {Markup.Escape(string.Join(' ', results.ForeignNamespacesSeen))}");
        }
    }

    private static void CheckPrerequisites()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("the benchmark needs root: it creates network namespaces, netfilter rules and cgroups, and sets sysctls");
        }

        foreach (var tool in new[] { "ip", "iptables", "nsenter", "sysctl" })
        {
            if (CommandRunner.FindOnPath(tool) is null)
            {
                throw new InvalidOperationException($"{tool} is missing (./lab build installs what is needed)");
            }
        }
    }
}
