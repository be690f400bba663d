using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NetServ.Native;

namespace NetServ.Node.Containers;

/// <summary>
/// Starts the processes of containers. <see cref="ContainerManager"/> goes through this interface so that
/// its restart and crash handling can be tested with processes that exist only in the test.
/// </summary>
internal interface IContainerProcesses
{
    /// <summary>Checks that the files a launch needs are there; returns what is missing.</summary>
    IReadOnlyList<string> Problems();

    /// <summary>Creates the container's directories and gives them to its uid.</summary>
    void PrepareDirectories(ContainerHandle handle);

    /// <summary>Starts the container's process in <paramref name="cgroup"/>; <paramref name="exited"/> is called once it has ended.</summary>
    IContainerProcess Start(ContainerHandle handle, ContainerCgroup? cgroup, string controlSocket, Action<IContainerProcess> exited);
}

/// <summary>A started container process.</summary>
internal interface IContainerProcess : IDisposable
{
    /// <exception cref="InvalidOperationException">The process is gone.</exception>
    int Id { get; }

    /// <summary>The exit code (128 + n when signal n killed it).</summary>
    /// <exception cref="InvalidOperationException">The process has not exited, or its code cannot be read.</exception>
    int ExitCode { get; }

    bool WaitForExit(TimeSpan timeout);

    /// <summary>Kills the process and what it started; nothing when it has already ended.</summary>
    void Kill();
}

/// <summary>Real container processes: netserv-sandbox running netserv-container, their console relayed to the log.</summary>
internal sealed partial class ContainerProcesses(ContainerLaunch launch, ILoggerFactory loggerFactory) : IContainerProcesses
{
    public IReadOnlyList<string> Problems() => launch.Problems();

    public void PrepareDirectories(ContainerHandle handle)
    {
        foreach (var directory in new[] { handle.Directory, handle.ModulesDirectory, handle.DataDirectory, Path.Combine(handle.Directory, "tmp") })
        {
            Directory.CreateDirectory(directory);
        }

        // The container owns its data and temporary files; module code stays root's, readable only.
        Interop.ChangeOwner(handle.Directory, handle.Uid, handle.Uid);
        Interop.ChangeOwnerRecursive(handle.DataDirectory, handle.Uid, handle.Uid);
        Interop.ChangeOwnerRecursive(Path.Combine(handle.Directory, "tmp"), handle.Uid, handle.Uid);
        File.SetUnixFileMode(handle.Directory, (UnixFileMode)0b111_101_000);
        var parent = Path.GetDirectoryName(handle.Directory)!;
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_101_101);
    }

    public IContainerProcess Start(ContainerHandle handle, ContainerCgroup? cgroup, string controlSocket, Action<IContainerProcess> exited)
    {
        var process = new Process { StartInfo = launch.Create(handle, cgroup, controlSocket), EnableRaisingEvents = true };
        var started = new ContainerProcess(process);
        var containerLogger = loggerFactory.CreateLogger($"Container.{handle.Name}");
        process.ErrorDataReceived += (_, e) => RelayLine(containerLogger, e.Data);
        process.OutputDataReceived += (_, e) => RelayLine(containerLogger, e.Data);
        process.Exited += (_, _) => exited(started);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{launch.Sandbox} did not start");
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return started;
    }

    private static void RelayLine(ILogger logger, string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        // The container's console logger prefixes each line with its level.
        var level = line.Length > 5 && line[4] == ':' ? line[..4] switch
        {
            "trce" => LogLevel.Trace,
            "dbug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" => LogLevel.Warning,
            "fail" => LogLevel.Error,
            "crit" => LogLevel.Critical,
            _ => LogLevel.Information,
        } : LogLevel.Warning;
        Log.ContainerLine(logger, level, level == LogLevel.Warning && !(line.Length > 5 && line[4] == ':') ? line : line[5..].TrimStart());
    }

    private sealed class ContainerProcess(Process process) : IContainerProcess
    {
        public int Id => process.Id;

        public int ExitCode => process.ExitCode;

        public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

        public void Kill()
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        public void Dispose() => process.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2411, Message = "{Line}")]
        public static partial void ContainerLine(ILogger logger, LogLevel level, string line);
    }
}
