using System.Net;
using NetServ.RSpec;
using NetServ.TestSupport.Testbeds;

namespace NetServ.Testbed.Tests;

/// <summary>An rspec's install service run through a node's session: fetched here, copied, unpacked with tar there.</summary>
[TestFixture]
public sealed class InstallServiceRunnerTests
{
    private static readonly byte[] Archive = [0x1f, 0x8b, 8, 0, 1, 2, 3, 4];
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("netserv-install-test-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task RunAsync_FileUrl_CopiesTheArchiveAndUnpacksItAtTheInstallPath()
    {
        var path = Path.Combine(_folder, "tools.tar.gz");
        await File.WriteAllBytesAsync(path, Archive);
        var node = new FakeNodeSession("router");
        using var http = new HttpClient(new Answering(HttpStatusCode.NotFound));

        await InstallServiceRunner.RunAsync(node, new InstallService(new Uri(path).AbsoluteUri, "/opt/lab"), http, TimeSpan.FromSeconds(5));

        var (copied, bytes) = node.Files.Single();
        var unpack = node.Commands.Single();
        Assert.Multiple(() =>
        {
            Assert.That(bytes, Is.EqualTo(Archive));
            Assert.That(copied, Does.StartWith("/tmp/netserv-install-"));
            Assert.That(unpack.File, Is.EqualTo("sh"));
            Assert.That(unpack.Arguments[1], Does.Contain("tar -xf \"$2\" -C \"$1\""));
            Assert.That(unpack.Arguments.Skip(3), Is.EqualTo(new[] { "/opt/lab", copied }), "the install path and the copy, as the script's arguments");
        });
    }

    [Test]
    public async Task RunAsync_HttpUrl_FetchesItHere()
    {
        var node = new FakeNodeSession("router");
        using var http = new HttpClient(new Answering(HttpStatusCode.OK, Archive));

        await InstallServiceRunner.RunAsync(node, new InstallService("http://198.18.0.1:8080/tools.tar.gz", "/local"), http, TimeSpan.FromSeconds(5));

        Assert.That(node.Files.Single().Value, Is.EqualTo(Archive));
    }

    [TestCase("ftp://198.18.0.1/tools.tar.gz", "/opt/lab", "is not a file:, http: or https: URL")]
    [TestCase("tools.tar.gz", "/opt/lab", "is not a file:, http: or https: URL")]
    [TestCase("http://198.18.0.1/tools.tar.gz", "opt/lab", "install_path 'opt/lab' of http://198.18.0.1/tools.tar.gz is not an absolute path")]
    public void RunAsync_BadService_RefusedBeforeAnythingIsCopied(string url, string installPath, string expected)
    {
        var node = new FakeNodeSession("router");
        using var http = new HttpClient(new Answering(HttpStatusCode.OK, Archive));

        Assert.That(async () => await InstallServiceRunner.RunAsync(node, new InstallService(url, installPath), http, TimeSpan.FromSeconds(5)),
            Throws.TypeOf<InstallServiceException>().With.Message.StartsWith("router: ").And.Message.Contains(expected));
        Assert.That((node.Files.Count, node.Commands.Count), Is.EqualTo((0, 0)));
    }

    [Test]
    public void RunAsync_ArchiveNotFound_NamesNodeAndUrl()
    {
        var node = new FakeNodeSession("receiver");
        using var http = new HttpClient(new Answering(HttpStatusCode.NotFound));

        Assert.That(async () => await InstallServiceRunner.RunAsync(node, new InstallService("http://198.18.0.1/missing.tar.gz", "/opt/lab"), http, TimeSpan.FromSeconds(5)),
            Throws.TypeOf<InstallServiceException>().With.Message.StartsWith("receiver: cannot fetch http://198.18.0.1/missing.tar.gz").And.Message.Contains("404"));
    }

    [Test]
    public void RunAsync_ServerNeverAnswers_SaysHowLongItWaited()
    {
        var node = new FakeNodeSession("receiver");
        using var http = new HttpClient(new Answering(HttpStatusCode.OK, Archive, TimeSpan.FromSeconds(30)));

        Assert.That(async () => await InstallServiceRunner.RunAsync(node, new InstallService("http://198.18.0.1/slow.tar.gz", "/opt/lab"), http, TimeSpan.FromMilliseconds(200)),
            Throws.TypeOf<InstallServiceException>().With.Message.Contains("no answer within"));
    }

    [Test]
    public void RunAsync_TarFails_SaysWhatTarSaid()
    {
        var path = Path.Combine(_folder, "broken.tar.gz");
        File.WriteAllBytes(path, Archive);
        var node = new FakeNodeSession("router");
        node.AnswerWith(2, string.Empty, "gzip: stdin: unexpected end of file");
        using var http = new HttpClient(new Answering(HttpStatusCode.NotFound));

        Assert.That(async () => await InstallServiceRunner.RunAsync(node, new InstallService(new Uri(path).AbsoluteUri, "/opt/lab"), http, TimeSpan.FromSeconds(5)),
            Throws.TypeOf<InstallServiceException>().With.Message.Contains("failed (tar exit 2): gzip: stdin: unexpected end of file"));
    }

    private sealed class Answering(HttpStatusCode status, byte[]? body = null, TimeSpan? delay = null) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (delay is { } wait)
            {
                await Task.Delay(wait, cancellationToken);
            }

            return new HttpResponseMessage(status) { Content = new ByteArrayContent(body ?? []) };
        }
    }
}
