using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Linux;

/// <summary>This machine's node session, with real processes (sh, cat, sleep) but no root: what every session on this machine shares with the namespace one.</summary>
[TestFixture]
public sealed class LocalShellTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly LocalShell _shell = new();
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("netserv-session-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task RunAsync_ACommand_ReturnsItsExitCodeAndExactlyWhatItPrinted()
    {
        var result = await _shell.RunAsync("sh", ["-c", "printf 'a\\r\\nb'; printf err >&2; exit 4"], Generous);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(4));
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.StandardOutput, Is.EqualTo("a\r\nb"), "read in chunks: carriage returns kept, no newline added");
            Assert.That(result.StandardError, Is.EqualTo("err"));
        }
    }

    [Test]
    public async Task RunAsync_StandardInput_IsWrittenThenClosed()
    {
        var result = await _shell.RunAsync("cat", [], Generous, "hello\nnode\n");

        Assert.That(result.StandardOutput, Is.EqualTo("hello\nnode\n"), "cat ends: its input was closed");
    }

    [Test]
    public void RunAsync_PastTheTimeout_ThrowsATimeoutWithWhatItPrintedSoFar()
    {
        var error = Assert.ThrowsAsync<CommandFailedException>(() => _shell.RunAsync("sh", ["-c", "echo before; exec sleep 30"], TimeSpan.FromSeconds(1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.IsTimeout, Is.True);
            Assert.That(error.TimedOutAfter, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(error.Result?.StandardOutput, Is.EqualTo("before\n"));
            Assert.That(error.Message, Does.Contain("did not finish within 1 s"));
        }
    }

    [Test]
    public async Task RunAsync_ABackgroundChildHoldingTheOutput_DoesNotHoldTheCallUp()
    {
        var watch = Stopwatch.StartNew();

        // The child keeps standard output open for three seconds after the shell exits.
        var result = await _shell.RunAsync("sh", ["-c", "sleep 3 & echo done"], Generous);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.StandardOutput, Is.EqualTo("done\n"));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2.5)), "the output grace is one second");
        }
    }

    [Test]
    public void RunAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.CatchAsync<OperationCanceledException>(() => _shell.RunAsync("sleep", ["30"], Generous, cancellationToken: cancellation.Token));
    }

    [Test]
    public void RunAsync_NoSuchExecutable_ThrowsSayingItCouldNotStart()
    {
        var error = Assert.ThrowsAsync<CommandFailedException>(() => _shell.RunAsync(Path.Combine(_directory, "missing"), [], Generous));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.IsTimeout, Is.False);
            Assert.That(error.Message, Does.Contain("could not be started"));
        }
    }

    [Test]
    public async Task UploadAsync_ThenDownloadAsync_CopyTheBytes()
    {
        var path = Path.Combine(_directory, "netserv.json");
        byte[] bytes = [0, 1, 2, 0xff, (byte)'\r', (byte)'\n'];

        using (var content = new MemoryStream(bytes))
        {
            await _shell.UploadAsync(content, path);
        }

        using var copy = new MemoryStream();
        await _shell.DownloadAsync(path, copy);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes));
            Assert.That(copy.ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public void UploadAsync_RelativePath_IsRefused()
    {
        using var content = new MemoryStream(new byte[] { 1 });

        Assert.ThrowsAsync<ArgumentException>(() => _shell.UploadAsync(content, "netserv.json"));
    }

    [Test]
    public void DownloadAsync_NoSuchFile_IsAnIOException()
    {
        using var copy = new MemoryStream();

        Assert.CatchAsync<IOException>(() => _shell.DownloadAsync(Path.Combine(_directory, "missing"), copy));
    }

    [Test]
    public void UploadAsync_NoSuchFolder_IsAnIOException()
    {
        using var content = new MemoryStream(new byte[] { 1 });

        Assert.CatchAsync<IOException>(() => _shell.UploadAsync(content, Path.Combine(_directory, "missing", "file")));
    }

    [Test]
    public async Task ForwardPortAsync_ThisMachine_IsThePortItselfAndConnects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = (IPEndPoint)listener.LocalEndpoint;

        await using var forward = await _shell.ForwardPortAsync(port);
        using var socket = await forward.ConnectAsync();
        using var accepted = await listener.AcceptSocketAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(forward.EndPoint, Is.EqualTo(port));
            Assert.That(forward.NodeEndPoint, Is.EqualTo(port));
            Assert.That(socket.Connected, Is.True);
        }
    }
}
