using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Tests.Ssh;

/// <summary>The SSH node session against a real sshd on this machine's loopback, logged in with a key made for the run.</summary>
[TestFixture]
public sealed class SshNodeSessionTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private SshServer _server = null!;
    private SshKeyPair _key = null!;
    private string _directory = null!;
    private SshNodeSession _session = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        if (SshServer.Missing is { } reason)
        {
            TestContext.Progress.WriteLine($"SSH session tests skipped: {reason}");
            Assert.Ignore(reason);
        }

        _server = await SshServer.StartAsync();
        _key = await SshKeyPair.CreateAsync(Path.Combine(_server.Directory, "run"), "netserv-test-run");
        await _server.AuthorizeAsync(_key);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("netserv-ssh-session-").FullName;
        _session = new SshNodeSession(Options(), TimeProvider.System, NullLogger<SshNodeSession>.Instance);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _session.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string KnownHostsPath => Path.Combine(_directory, "known_hosts");

    private SshNodeOptions Options(string? privateKeyPath = null, string? fingerprint = null, int? port = null) => new()
    {
        NodeName = "router",
        Host = "127.0.0.1",
        Port = port ?? _server.Port,
        User = SshServer.User,
        PrivateKeyPath = privateKeyPath ?? _key.PrivateKeyPath,
        KnownHostsPath = KnownHostsPath,
        HostKeyFingerprint = fingerprint,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        BootRetryWindow = TimeSpan.FromSeconds(1.5),
        FirstRetryDelay = TimeSpan.FromMilliseconds(200),
        MaxRetryDelay = TimeSpan.FromMilliseconds(400),
    };

    [Test]
    public void CreateAsync_TheRunsKey_IsReadableByItsOwnerOnly()
    {
        Assert.That(File.GetUnixFileMode(_key.PrivateKeyPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(_key.PublicKey, Does.StartWith("ssh-ed25519 ").And.EndWith(" netserv-test-run"));
    }

    [Test]
    public async Task RunAsync_ACommand_ReturnsItsExitCodeAndExactlyWhatItPrinted()
    {
        var result = await _session.RunAsync("sh", ["-c", "printf 'a\\r\\nb'; printf err >&2; exit 4"], Generous);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(4), "a non-zero exit is a result, not an exception");
            Assert.That(result.StandardOutput, Is.EqualTo("a\r\nb"));
            Assert.That(result.StandardError, Is.EqualTo("err"));
        }
    }

    [Test]
    public async Task RunAsync_ArgumentsTheShellWouldInterpret_ReachTheCommandUnchanged()
    {
        string[] arguments = ["a b", "it's", "$HOME", "*", "", "; exit 3", "\"q\"", "back\\slash", "~"];

        var result = await _session.RunAsync("printf", ["[%s]\\n", .. arguments], Generous);

        Assert.That(result.StandardOutput, Is.EqualTo(string.Concat(arguments.Select(a => $"[{a}]\n"))));
    }

    [Test]
    public async Task RunAsync_StandardInput_IsWrittenThenClosed()
    {
        var result = await _session.RunAsync("cat", [], Generous, "hello\nnode\n");

        Assert.That(result.StandardOutput, Is.EqualTo("hello\nnode\n"), "cat ends: its input was closed");
    }

    [Test]
    public async Task RunAsync_NoStandardInput_GivesTheCommandAClosedOne()
    {
        var result = await _session.RunAsync("cat", [], TimeSpan.FromSeconds(10));

        Assert.That(result.ExitCode, Is.Zero);
    }

    [Test]
    public async Task RunAsync_PastTheTimeout_KillsTheCommandAndItsChildrenAndThrowsATimeout()
    {
        var marker = $"{Random.Shared.Next(100, 999)}.{Random.Shared.Next(100000, 999999)}";

        var error = Assert.ThrowsAsync<CommandFailedException>(() => _session.RunAsync("sh", ["-c", $"echo before; sleep {marker}; echo after"], TimeSpan.FromSeconds(1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.IsTimeout, Is.True);
            Assert.That(error.Result?.StandardOutput, Is.EqualTo("before\n"));
        }

        // The sleep is the shell's child: the kill reached the command's process group, not the shell alone.
        var deadline = Stopwatch.StartNew();
        while (ProcessesRunning($"sleep\0{marker}") && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(100);
        }

        Assert.That(ProcessesRunning($"sleep\0{marker}"), Is.False, "the remote sleep was killed; sshd: " + _server.Log);
    }

    [Test]
    public void RunAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        Assert.That(() => _session.RunAsync("sleep", ["30"], Generous, cancellationToken: cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task RunAsync_ABackgroundChildHoldingTheOutput_DoesNotHoldTheCallUp()
    {
        var stopwatch = Stopwatch.StartNew();

        var result = await _session.RunAsync("sh", ["-c", "sleep 8 & echo done"], Generous);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.StandardOutput, Is.EqualTo("done\n"));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)));
        }
    }

    [Test]
    public void RunAsync_ACommandThatIsNotThere_ThrowsCouldNotBeStarted()
    {
        var error = Assert.ThrowsAsync<CommandFailedException>(() => _session.RunAsync("netserv-no-such-command", [], Generous));

        Assert.That(error!.Message, Does.Contain("could not be started on router"));
    }

    [Test]
    public async Task UploadThenDownload_ABinaryFile_ComesBackByteForByte()
    {
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var nodePath = Path.Combine(_directory, "uploaded.bin");

        await _session.UploadAsync(new MemoryStream(content), nodePath);
        using var downloaded = new MemoryStream();
        await _session.DownloadAsync(nodePath, downloaded);

        Assert.That(downloaded.ToArray(), Is.EqualTo(content));
    }

    [Test]
    public void DownloadAsync_AMissingFile_ThrowsIOException()
    {
        Assert.That(() => _session.DownloadAsync(Path.Combine(_directory, "missing"), new MemoryStream()), Throws.InstanceOf<IOException>().With.Message.Contains("no such file"));
    }

    [Test]
    public async Task ForwardPortAsync_ALoopbackListenerOnTheNode_IsReachedThroughALocalPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var nodeEndPoint = (IPEndPoint)listener.LocalEndpoint;

        await using var forward = await _session.ForwardPortAsync(nodeEndPoint);
        using var client = await forward.ConnectAsync();
        using var accepted = await listener.AcceptSocketAsync().WaitAsync(Generous);
        await client.SendAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        var read = await accepted.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Generous);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(forward.EndPoint.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(forward.EndPoint.Port, Is.Not.EqualTo(nodeEndPoint.Port));
            Assert.That(forward.NodeEndPoint, Is.EqualTo(nodeEndPoint));
            Assert.That(buffer.AsSpan(0, read).ToArray(), Is.EqualTo("ping"u8.ToArray()));
        }
    }

    [Test]
    public async Task FirstContact_RecordsTheHostKeyInTheExperimentsKnownHosts()
    {
        await _session.RunAsync("true", [], Generous);

        var line = File.ReadAllText(KnownHostsPath).Trim();
        var hostPublicKey = File.ReadAllText(_server.HostPublicKeyPath).Split(' ');
        Assert.That(line, Is.EqualTo($"[127.0.0.1]:{_server.Port} {hostPublicKey[0]} {hostPublicKey[1].Trim()}"));
    }

    [Test]
    public async Task AManifestFingerprint_ThatMatches_IsTrustedAtFirstContact()
    {
        await using var session = new SshNodeSession(Options(fingerprint: await _server.HostKeyFingerprintAsync()), TimeProvider.System, NullLogger<SshNodeSession>.Instance);

        var result = await session.RunAsync("true", [], Generous);

        Assert.That(result.ExitCode, Is.Zero);
    }

    [Test]
    public async Task AManifestFingerprint_ThatDiffers_IsRefusedAsAChangedHostKey()
    {
        const string Manifest = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        await using var session = new SshNodeSession(Options(fingerprint: Manifest), TimeProvider.System, NullLogger<SshNodeSession>.Instance);

        var error = Assert.ThrowsAsync<NodeUnreachableException>(() => session.RunAsync("true", [], Generous));

        var failure = error!.InnerException as SshConnectFailedException;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failure?.Failure, Is.EqualTo(SshConnectFailure.HostKeyChanged));
            Assert.That(failure?.ExpectedFingerprint, Is.EqualTo(Manifest));
            Assert.That(failure?.PresentedFingerprint, Is.EqualTo(await _server.HostKeyFingerprintAsync()));
            Assert.That(error.Message, Does.Contain("node router").And.Contain("host key changed").And.Contain("the manifest"));
            Assert.That(File.Exists(KnownHostsPath), Is.False, "a refused key is not recorded");
        }
    }

    [Test]
    public async Task AKeyTheNodeDoesNotAuthorize_IsAnAuthenticationFailure()
    {
        var stranger = await SshKeyPair.CreateAsync(Path.Combine(_directory, "stranger"), "stranger");
        await using var session = new SshNodeSession(Options(privateKeyPath: stranger.PrivateKeyPath), TimeProvider.System, NullLogger<SshNodeSession>.Instance);

        var error = Assert.ThrowsAsync<NodeUnreachableException>(() => session.RunAsync("true", [], Generous));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((error!.InnerException as SshConnectFailedException)?.Failure, Is.EqualTo(SshConnectFailure.AuthenticationFailed));
            Assert.That(error.Message, Does.Contain("node router").And.Contain("authentication failed").And.Contain(stranger.PrivateKeyPath));
            Assert.That(error.Message, Does.Not.Contain("tried"), "a rejected key is not retried");
        }
    }

    [Test]
    public async Task NothingListening_IsRefusedWithinTheRetryWindow()
    {
        await using var session = new SshNodeSession(Options(port: SshServer.FreePort()), TimeProvider.System, NullLogger<SshNodeSession>.Instance);
        var stopwatch = Stopwatch.StartNew();

        var error = Assert.ThrowsAsync<NodeUnreachableException>(() => session.RunAsync("true", [], Generous));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((error!.InnerException as SshConnectFailedException)?.Failure, Is.EqualTo(SshConnectFailure.Refused));
            Assert.That(error.Message, Does.Contain("node router").And.Contain("connection refused").And.Contain("tried"));
            Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.4)).And.LessThan(TimeSpan.FromSeconds(10)), "retried for the window, then gave up");
        }
    }

    [Test]
    public void ANodePath_ThatIsRelative_IsRejected()
    {
        Assert.That(() => _session.UploadAsync(new MemoryStream(), "relative/file"), Throws.ArgumentException);
    }

    private static bool ProcessesRunning(string commandLine)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).TrimEnd('\0') == commandLine)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not a process, or it ended while being read.
            }
        }

        return false;
    }
}
