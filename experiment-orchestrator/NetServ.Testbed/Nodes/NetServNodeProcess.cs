using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Transport;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Nodes;

/// <summary>
/// netservd running inside a network namespace, configured from <see cref="NetServNodeOptions"/>,
/// with its own temporary state and runtime folders. It stops with the process that started it
/// (--parent-pid), and <see cref="DisposeAsync"/> stops it and removes its folders.
/// </summary>
public sealed class NetServNodeProcess : IAsyncDisposable, INetServAdmin
{
    private static readonly string[] CgroupV1Controllers = ["memory", "cpu", "cpu,cpuacct"];
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly string _directory;
    private bool _disposed;

    private NetServNodeProcess(Process process, string directory, NetServNodeOptions options)
    {
        _process = process;
        _directory = directory;
        Options = options;
    }

    public NetServNodeOptions Options { get; }

    /// <summary>The admin socket of this node.</summary>
    public string AdminSocket => Path.Combine(_directory, "run", "netservd.sock");

    /// <summary>The node's state folder (module cache, container folders).</summary>
    public string StateDirectory => Path.Combine(_directory, "state");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line netservd has logged so far.</summary>
    public IReadOnlyList<string> LogLines => _log.ToArray();

    /// <summary>Starts netservd in <paramref name="ns"/> and waits until every container is ready.</summary>
    public static async Task<NetServNodeProcess> StartAsync(NetworkNamespace ns, NetServNodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(options);
        var nodeDirectory = BuildOutputs.EnsureNode();
        var directory = Directory.CreateTempSubdirectory($"netserv-node-{options.Node.NodeName}-").FullName;
        foreach (var resource in RecordedResources(directory, options.Node.NodeName))
        {
            LabRunRecord.Current.Add(resource);
        }

        Process process;
        try
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            var config = Path.Combine(directory, "netserv.json");
            await File.WriteAllTextAsync(config, CreateConfiguration(options, directory), cancellationToken).ConfigureAwait(false);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { Path.Combine(nodeDirectory, "netservd.dll"), "--config", config, "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                info.ArgumentList.Add(argument);
            }

            process = ns.Start(info);
        }
        catch
        {
            // Stopped (or failed) before netservd ran: its folder is all there is to remove.
            Directory.Delete(directory, recursive: true);
            LabRunRecord.NoteRemoved(RunResource.Directory(directory));
            throw;
        }

        var node = new NetServNodeProcess(process, directory, options);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitUntilReadyAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one request to the admin API.</summary>
    public async Task<NslpResponse> SendAsync(NslpRequest request, CancellationToken cancellationToken = default)
    {
        var client = await NslpStreamClient.ConnectUnixAsync(AdminSocket, cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            return await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Installs a module through the admin API.</summary>
    public Task<NslpResponse> SetupAsync(ModuleSetup setup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return SendAsync(setup.ToRequest(), cancellationToken);
    }

    /// <summary>Removes a module through the admin API.</summary>
    public Task<NslpResponse> RemoveAsync(string module, string user, CancellationToken cancellationToken = default)
    {
        var request = NslpRequests.Remove(module);
        request.Headers[NslpHeaderNames.User] = user;
        return SendAsync(request, cancellationToken);
    }

    /// <summary>The node's status (PROBE status); with <paramref name="collect"/>, containers collect garbage first.</summary>
    public async Task<NodeStatus> StatusAsync(bool collect = false, CancellationToken cancellationToken = default)
    {
        var request = NslpRequests.Probe(ProbeKind.Status);
        if (collect)
        {
            request.Headers.Add("collect", "true");
        }

        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw new InvalidOperationException($"status failed: {response.StatusCode} {response.Headers[NslpHeaderNames.Error]}");
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body.Span, StatusJsonContext.Default.NodeStatus)
                ?? throw new InvalidOperationException("status is null");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"status is not a node status: {e.Message}", e);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the node's status, polling.</summary>
    public async Task<NodeStatus> WaitForStatusAsync(Func<NodeStatus, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        NodeStatus? last = null;
        while (deadline.Elapsed < timeout)
        {
            try
            {
                last = await StatusAsync(false, cancellationToken).ConfigureAwait(false);
                if (condition(last))
                {
                    return last;
                }
            }
            catch (IOException)
            {
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"the node's status did not reach the expected state within {timeout.TotalSeconds:0} s; last status: {(last is null ? null : JsonSerializer.Serialize(last, StatusJsonContext.Default.NodeStatus))}");
    }

    /// <summary>The last lines of the node's log, for failure messages.</summary>
    public string LogTail(int lines = 40) => string.Join('\n', LogLines.TakeLast(lines));

    /// <summary>Stops netservd (SIGTERM, then SIGKILL after 20 s) and removes its folders.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _ = Interop.Kill(_process.Id, 15);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        // netservd removes its cgroups when it stops; one killed instead leaves them to the reaper.
        foreach (var resource in RecordedResources(_directory, Options.Node.NodeName))
        {
            if (!Directory.Exists(resource.Value))
            {
                LabRunRecord.NoteRemoved(resource);
            }
        }
    }

    /// <summary>What the run's record lists for a node: its folder and the cgroups netservd makes for its containers (netserv/&lt;node&gt;, as NetServ.Node's Cgroups).</summary>
    private static IEnumerable<RunResource> RecordedResources(string directory, string node)
    {
        yield return RunResource.Directory(directory);
        const string root = "/sys/fs/cgroup";
        if (File.Exists(Path.Combine(root, "cgroup.controllers")))
        {
            yield return RunResource.Cgroup(Path.Combine(root, "netserv", node));
            yield break;
        }

        foreach (var controller in CgroupV1Controllers.Where(c => Directory.Exists(Path.Combine(root, c))))
        {
            yield return RunResource.Cgroup(Path.Combine(root, controller, "netserv", node));
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"netservd exited with {_process.ExitCode} while starting:\n{LogTail()}");
            }

            if (File.Exists(AdminSocket))
            {
                try
                {
                    var status = await StatusAsync(false, cancellationToken).ConfigureAwait(false);
                    if (status.Containers.Count == Options.Node.Users.Count && status.Containers.All(c => c.State == ContainerState.Ready))
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                }
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"netservd did not become ready within {timeout.TotalSeconds:0} s:\n{LogTail()}");
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        Options.LogSink?.Invoke($"[{Options.Node.NodeName}] {line}");
    }

    /// <summary>The options' configuration as it is, in this node's own folders, netservd logging at its containers' level.</summary>
    internal static string CreateConfiguration(NetServNodeOptions options, string directory) =>
        JsonSerializer.Serialize(
            new NodeConfigurationFile
            {
                Logging = new LoggingConfiguration { LogLevel = new Dictionary<string, string> { ["Default"] = options.Node.Containers.LogLevel } },
                NetServ = options.Node with
                {
                    AdminSocket = Path.Combine(directory, "run", "netservd.sock"),
                    RuntimeDirectory = Path.Combine(directory, "run"),
                    StateDirectory = Path.Combine(directory, "state"),
                },
            },
            ConfigurationJsonContext.Default.NodeConfigurationFile);
}
