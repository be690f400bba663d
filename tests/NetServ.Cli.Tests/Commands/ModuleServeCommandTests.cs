using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace NetServ.Cli.Tests.Commands;

[TestFixture]
public sealed partial class ModuleServeCommandTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateFolder() => _directory = Directory.CreateTempSubdirectory("netserv-serve-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Serve_OffersTheFolderspackages_UntilStopped()
    {
        var package = Path.Combine(_directory, "NetServ.Apps.Demo.1.0.0.nupkg");
        await File.WriteAllBytesAsync(package, [1, 2, 3, 4]);
        using var inner = new StringWriter();
        var output = TextWriter.Synchronized(inner);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = NetServCommandLine.RunAsync(["module", "serve", "--dir", _directory, "--address", "127.0.0.1", "--port", "0"], output, TextWriter.Null, cancellationToken: stop.Token);
        var url = string.Empty;
        while (url.Length == 0 && !run.IsCompleted)
        {
            await Task.Delay(50);
            lock (output)
            {
                url = PackageUrl().Match(inner.ToString()).Value;
            }
        }

        using var http = new HttpClient();
        var body = await http.GetByteArrayAsync(new Uri(url));
        var missing = await http.GetAsync(new Uri(url.Replace("Demo", "Other", StringComparison.Ordinal)));
        await stop.CancelAsync();
        var exit = await run;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
            Assert.That((int)missing.StatusCode, Is.EqualTo(404));
            Assert.That(exit, Is.Zero);
            Assert.That(inner.ToString(), Does.Contain("serving 1 module packages").And.Contain($"sha256 {Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3, 4 }))}").And.Contain("stopped after 2 requests"));
        }
    }

    [Test]
    public async Task Serve_NoSuchFolder_FailsSayingSo()
    {
        var run = await CliRun.RunAsync("module", "serve", "--dir", Path.Combine(_directory, "none"), "--address", "127.0.0.1", "--port", "0");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.EqualTo(1));
            Assert.That(run.Error, Does.Contain("is not a folder"));
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/\S+\.nupkg")]
    private static partial Regex PackageUrl();
}
