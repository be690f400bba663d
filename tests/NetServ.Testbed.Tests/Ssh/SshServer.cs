using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Tests.Ssh;

/// <summary>
/// A real OpenSSH sshd for the SSH session's tests: its own folder (host key, sshd_config, authorized_keys, pid file),
/// listening on 127.0.0.1 on a free port, run in the foreground as this process's child, killed by its own pid.
/// </summary>
internal sealed class SshServer : IAsyncDisposable
{
    private const string Sshd = "/usr/sbin/sshd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly StringBuilder _log = new();
    private Process? _process;

    private SshServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    /// <summary>Why sshd cannot run here, or <see langword="null"/> when it can.</summary>
    public static string? Missing =>
        !File.Exists(Sshd) ? $"needs {Sshd} (openssh-server; ./lab build installs it)"
        : CommandRunner.FindOnPath("ssh-keygen") is null ? "needs ssh-keygen (openssh-client; ./lab build installs it)"
        : null;

    /// <summary>The server's folder, deleted with it.</summary>
    public string Directory { get; }

    /// <summary>The port sshd listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The user the tests log in as: this process's own.</summary>
    public static string User => Environment.UserName;

    /// <summary>The public host key file sshd presents now.</summary>
    public string HostPublicKeyPath => Path.Combine(Directory, "host_ed25519.pub");

    private string HostKeyPath => Path.Combine(Directory, "host_ed25519");

    private string ConfigPath => Path.Combine(Directory, "sshd_config");

    /// <summary>Starts sshd with a new host key, trusting no key until <see cref="AuthorizeAsync"/>.</summary>
    public static async Task<SshServer> StartAsync()
    {
        var server = new SshServer(System.IO.Directory.CreateTempSubdirectory("netserv-sshd-").FullName, FreePort());
        try
        {
            // sshd's privilege separation chroots into it. Left in place afterwards, made or not: another run's sshd
            // (a test in another checkout) may be using it, and the openssh-server package makes it at boot anyway.
            System.IO.Directory.CreateDirectory("/run/sshd");
            await server.WriteConfigAsync().ConfigureAwait(false);
            await server.NewHostKeyAsync().ConfigureAwait(false);
            await server.StartProcessAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Lets <paramref name="key"/> log in.</summary>
    public Task AuthorizeAsync(SshKeyPair key) =>
        File.AppendAllTextAsync(Path.Combine(Directory, "authorized_keys"), key.PublicKey + "\n");

    /// <summary>Stops sshd and starts it again on the same port with a new host key, as a reinstalled node would.</summary>
    public async Task RestartWithNewHostKeyAsync()
    {
        Stop();
        File.Delete(HostKeyPath);
        File.Delete(HostPublicKeyPath);
        await NewHostKeyAsync().ConfigureAwait(false);
        await StartProcessAsync().ConfigureAwait(false);
    }

    /// <summary>The SHA-256 fingerprint of the current host key, as ssh-keygen prints it.</summary>
    public async Task<string> HostKeyFingerprintAsync()
    {
        var result = (await new LocalShell().RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", HostPublicKeyPath], TimeSpan.FromSeconds(30)).ConfigureAwait(false)).EnsureSuccess();
        return result.StandardOutput.Split(' ')[1];
    }

    /// <summary>Kills sshd (by its pid) and deletes its folder.</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        System.IO.Directory.Delete(Directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            // sshd's children (the sessions) are in groups of their own and end when their connection does.
            _process.Kill();
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It had exited.
        }

        _process.Dispose();
        _process = null;
    }

    private Task WriteConfigAsync() => File.WriteAllTextAsync(ConfigPath, $"""
        Port {Port}
        ListenAddress 127.0.0.1
        HostKey {HostKeyPath}
        PidFile {Path.Combine(Directory, "sshd.pid")}
        AuthorizedKeysFile {Path.Combine(Directory, "authorized_keys")}
        StrictModes no
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin prohibit-password
        AllowTcpForwarding yes
        Subsystem sftp internal-sftp
        MaxStartups 100
        LogLevel VERBOSE

        """);

    private async Task NewHostKeyAsync() =>
        (await new LocalShell().RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", HostKeyPath], TimeSpan.FromSeconds(30), standardInput: "").ConfigureAwait(false)).EnsureSuccess();

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(Sshd) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-D", "-e", "-f", ConfigPath })
        {
            info.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(e.Data);
            }

            if (e.Data.Contains($"Server listening on 127.0.0.1 port {Port}", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"sshd exited at start: {Log}"));
        process.Start();
        _process = process;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await listening.Task.WaitAsync(StartTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"sshd did not listen within {StartTimeout.TotalSeconds} s: {Log}");
        }
    }

    /// <summary>What sshd has logged, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>A port nothing listens on now (what the system hands out for port 0).</summary>
    public static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
