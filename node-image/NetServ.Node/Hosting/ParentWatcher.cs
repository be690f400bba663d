using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NetServ.Node.Hosting;

/// <summary>With --parent-pid, stops netservd when that process is gone (tests and the lab start netservd this way, so nothing outlives them).</summary>
internal sealed partial class ParentWatcher(int parentPid, IHostApplicationLifetime lifetime, ILogger<ParentWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!IsAlive(parentPid))
            {
                Log.ParentGone(logger, parentPid);
                lifetime.StopApplication();
                return;
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3301, LogLevel.Warning, "Parent process {Pid} is gone; stopping")]
        public static partial void ParentGone(ILogger logger, int pid);
    }
}
