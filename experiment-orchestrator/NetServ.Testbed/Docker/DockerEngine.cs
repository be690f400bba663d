using System.Diagnostics;
using Docker.DotNet;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Docker;

/// <summary>Where the lab's own dockerd keeps its state, and the sockets it tries.</summary>
public sealed class DockerEngineOptions
{
    /// <summary>Engines used when one answers, in order: a machine's dockerd, then the lab's own.</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [new("unix:///var/run/docker.sock"), new("unix:///run/netserv-lab/docker.sock")];

    /// <summary>The dockerd started when none answers (Debian's docker.io).</summary>
    public string DockerdPath { get; init; } = "/usr/sbin/dockerd";

    /// <summary>The socket of the lab's own dockerd: never /var/run/docker.sock, which belongs to the machine.</summary>
    public Uri OwnEndpoint { get; init; } = new("unix:///run/netserv-lab/docker.sock");

    /// <summary>Persistent, so the image cache survives the daemon.</summary>
    public string DataRoot { get; init; } = "/var/lib/netserv-lab/docker";

    /// <summary>Outside /run/netserv-lab, whose directories are run records.</summary>
    public string ExecRoot { get; init; } = "/run/netserv-lab-docker";

    public string PidFile { get; init; } = "/run/netserv-lab/dockerd.pid";

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A Docker engine to talk to: a running dockerd if one answers, else Debian's dockerd started here
/// without its default bridge or iptables rules (no address outside loopback and 198.18.0.0/15 ever),
/// with its own data root, exec root, pid file and socket. Disposing stops exactly the daemon it
/// started (recorded in the run's record, so a killed run's daemon is reaped) and nothing else.
/// Docker.DotNet 3.125.15: it speaks the engine API without a version prefix, so Debian's dockerd 20.10
/// (API 1.41) answers at its own version, and its models are those of that API; Docker.DotNet.Enhanced
/// 4.x is generated for API 1.5x, newer than that daemon knows.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    private readonly DockerEngineOptions _options;
    private readonly Process? _daemon;
    private readonly RunResource? _recorded;

    private DockerEngine(DockerEngineOptions options, DockerClient client, Uri endpoint, Process? daemon, RunResource? recorded)
    {
        _options = options;
        Client = client;
        Endpoint = endpoint;
        _daemon = daemon;
        _recorded = recorded;
    }

    public DockerClient Client { get; }

    public Uri Endpoint { get; }

    /// <summary>Whether this engine's daemon was started here (and is stopped on dispose).</summary>
    public bool StartedHere => _daemon is not null;

    /// <summary>Connects to a running engine or starts one; <see cref="DockerUnavailableException"/> when neither can be had.</summary>
    public static async Task<DockerEngine> ConnectOrStartAsync(DockerEngineOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        foreach (var endpoint in options.Endpoints)
        {
            if (await TryConnectAsync(endpoint, cancellationToken).ConfigureAwait(false) is { } client)
            {
                return new DockerEngine(options, client, endpoint, null, null);
            }
        }

        var tried = string.Join(", ", options.Endpoints);
        if (!File.Exists(options.DockerdPath))
        {
            throw new DockerUnavailableException($"no Docker engine answers ({tried}) and none can start: {options.DockerdPath} is not installed (./lab image installs docker.io: apt-get install docker.io)");
        }

        return await StartAsync(options, tried, log, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<DockerEngine> StartAsync(DockerEngineOptions options, string tried, TextWriter log, CancellationToken cancellationToken)
    {
        var socket = options.OwnEndpoint.AbsolutePath;
        Directory.CreateDirectory(Path.GetDirectoryName(socket)!);
        Directory.CreateDirectory(options.DataRoot);
        Directory.CreateDirectory(options.ExecRoot);
        var logPath = Path.Combine(Path.GetDirectoryName(options.DataRoot)!, "dockerd.log");
        var start = new ProcessStartInfo(options.DockerdPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--bridge=none", "--iptables=false", "--ip-masq=false", "--ipv6=false",
                     // dockerd turns the machine's IPv4 forwarding on by default; that is not ours to change.
                     "--ip-forward=false",
                     $"--data-root={options.DataRoot}", $"--exec-root={options.ExecRoot}",
                     $"--pidfile={options.PidFile}", $"--host={options.OwnEndpoint}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        Process daemon;
        try
        {
            daemon = Process.Start(start) ?? throw new DockerUnavailableException($"no Docker engine answers ({tried}) and {options.DockerdPath} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DockerUnavailableException($"no Docker engine answers ({tried}) and {options.DockerdPath} cannot start: {e.Message}", e);
        }

        var output = new LogTail(logPath);
        daemon.OutputDataReceived += (_, e) => output.Add(e.Data);
        daemon.ErrorDataReceived += (_, e) => output.Add(e.Data);
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        RunResource? recorded = ProcessIdentity.Of(daemon.Id) is { } identity ? RunResource.Process(identity) : null;
        if (recorded is { } resource)
        {
            LabRunRecord.Current.Add(resource);
        }

        log.WriteLine($"started dockerd (pid {daemon.Id}) on {options.OwnEndpoint}, data in {options.DataRoot}");
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < options.StartTimeout)
        {
            if (daemon.HasExited)
            {
                var exitCode = daemon.ExitCode;
                Forget(recorded);
                daemon.Dispose();
                throw new DockerUnavailableException($"no Docker engine answers ({tried}) and {options.DockerdPath} exited with {exitCode} while starting: {output.Text()}");
            }

            if (await TryConnectAsync(options.OwnEndpoint, cancellationToken).ConfigureAwait(false) is { } client)
            {
                return new DockerEngine(options, client, options.OwnEndpoint, daemon, recorded);
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        var engine = new DockerEngine(options, new DockerClientConfiguration(options.OwnEndpoint).CreateClient(), options.OwnEndpoint, daemon, recorded);
        engine.Dispose();
        throw new DockerUnavailableException($"dockerd did not answer on {options.OwnEndpoint} within {options.StartTimeout.TotalSeconds:0} s: {output.Text()}");
    }

    private static async Task<DockerClient?> TryConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.Scheme == "unix" && !File.Exists(endpoint.AbsolutePath))
        {
            return null;
        }

        var client = new DockerClientConfiguration(endpoint, defaultTimeout: TimeSpan.FromMinutes(30)).CreateClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await client.System.PingAsync(timeout.Token).ConfigureAwait(false);
            return client;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException or TimeoutException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            client.Dispose();
            return null;
        }
    }

    /// <summary>Stops the daemon started here (SIGTERM, then SIGKILL after 30 s); an engine found running is left alone.</summary>
    public void Dispose()
    {
        Client.Dispose();
        if (_daemon is null)
        {
            return;
        }

        if (!_daemon.HasExited)
        {
            CommandRunner.Run("kill", ["-TERM", _daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (!_daemon.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                _daemon.Kill();
                _daemon.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }

        _daemon.Dispose();
        Forget(_recorded);
        File.Delete(_options.OwnEndpoint.AbsolutePath);
    }

    private static void Forget(RunResource? recorded)
    {
        if (recorded is { } resource)
        {
            LabRunRecord.Current.Remove(resource);
        }
    }

    /// <summary>dockerd's output: kept in full in a log file beside its data root, its last lines for errors.</summary>
    private sealed class LogTail(string path)
    {
        private readonly Lock _lock = new();
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lock)
            {
                _lines.Enqueue(line);
                if (_lines.Count > 20)
                {
                    _lines.Dequeue();
                }

                try
                {
                    File.AppendAllText(path, line + "\n");
                }
                catch (IOException)
                {
                    // The log file is a convenience; the last lines are still kept for the error.
                }
            }
        }

        public string Text()
        {
            lock (_lock)
            {
                return _lines.Count == 0 ? "(no output)" : string.Join(" | ", _lines.TakeLast(5));
            }
        }
    }
}

/// <summary>No Docker engine answers and none can be started; the message says why.</summary>
public sealed class DockerUnavailableException : Exception
{
    public DockerUnavailableException()
    {
    }

    public DockerUnavailableException(string message)
        : base(message)
    {
    }

    public DockerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
