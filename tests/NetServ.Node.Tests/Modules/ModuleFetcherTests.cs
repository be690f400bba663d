using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Node.Modules;

namespace NetServ.Node.Tests.Modules;

[TestFixture]
public sealed class ModuleFetcherTests
{
    private const long Limit = 64 * 1024;

    private static readonly byte[] Package = Enumerable.Range(0, 20_000).Select(i => (byte)(i * 7)).ToArray();
    private static readonly byte[] PackageDigest = SHA256.HashData(Package);

    private string _state = null!;
    private TestHttpServer _server = null!;
    private ServiceProvider _services = null!;
    private ModuleFetcher _fetcher = null!;

    [SetUp]
    public void SetUp()
    {
        _state = Directory.CreateTempSubdirectory("netserv-fetch-test-").FullName;
        _server = new TestHttpServer();
        var services = new ServiceCollection();
        services.AddHttpClient(ModuleFetcher.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false });
        _services = services.BuildServiceProvider();
        var options = Options.Create(new NodeConfiguration
        {
            StateDirectory = _state,
            ModuleCache = { DownloadTimeoutSeconds = 1, MaxPackageBytes = Limit },
        });
        _fetcher = new ModuleFetcher(_services.GetRequiredService<IHttpClientFactory>(), options, NullLogger<ModuleFetcher>.Instance);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        await _services.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Test]
    public async Task FetchAsync_MatchingDigest_StoresThePackageInTheCacheUnderItsDigest()
    {
        _server.File("/m.nupkg", Package);

        var path = await _fetcher.FetchAsync(_server.Url("/m.nupkg"), PackageDigest, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(path, Is.EqualTo(Path.Combine(_state, "cache", Convert.ToHexStringLower(PackageDigest) + ".nupkg")));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(Package));
            Assert.That(CacheFiles(), Is.EqualTo(new[] { Path.GetFileName(path) }), "no partial download is left");
        }
    }

    [Test]
    public async Task FetchAsync_SecondTime_ComesFromTheCacheWithoutAsking()
    {
        _server.File("/m.nupkg", Package);
        await _fetcher.FetchAsync(_server.Url("/m.nupkg"), PackageDigest, CancellationToken.None);

        var path = await _fetcher.FetchAsync(_server.Url("/elsewhere.nupkg"), PackageDigest, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(Package));
            Assert.That(_server.Hits["/m.nupkg"], Is.EqualTo(1));
            Assert.That(_server.Hits.ContainsKey("/elsewhere.nupkg"), Is.False);
        }
    }

    [Test]
    public async Task FetchAsync_DamagedCacheEntry_IsFetchedAgain()
    {
        _server.File("/m.nupkg", Package);
        var path = await _fetcher.FetchAsync(_server.Url("/m.nupkg"), PackageDigest, CancellationToken.None);
        File.WriteAllText(path, "damaged");

        await _fetcher.FetchAsync(_server.Url("/m.nupkg"), PackageDigest, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_server.Hits["/m.nupkg"], Is.EqualTo(2));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(Package));
        }
    }

    [Test]
    public void FetchAsync_WrongDigest_Is422WithBothDigestsAndNoCacheFile()
    {
        var other = Package.Reverse().ToArray();
        _server.File("/wrong.nupkg", other);

        var e = Assert.ThrowsAsync<ModuleFetchException>(() => _fetcher.FetchAsync(_server.Url("/wrong.nupkg"), PackageDigest, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Status, Is.EqualTo(422));
            Assert.That(e.Message, Does.Contain(Convert.ToHexStringLower(PackageDigest)).And.Contain(Convert.ToHexStringLower(SHA256.HashData(other))));
            Assert.That(CacheFiles(), Is.Empty);
        }
    }

    [Test]
    public void FetchAsync_NotFound_Is502NamingTheStatus()
    {
        _server.NotFound("/missing.nupkg");

        var e = Assert.ThrowsAsync<ModuleFetchException>(() => _fetcher.FetchAsync(_server.Url("/missing.nupkg"), PackageDigest, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Status, Is.EqualTo(502));
            Assert.That(e.Message, Does.Contain("404"));
            Assert.That(CacheFiles(), Is.Empty);
        }
    }

    [Test]
    public void FetchAsync_NothingListening_Is502()
    {
        var url = new Uri($"http://127.0.0.1:{UnusedPort()}/m.nupkg");

        var e = Assert.ThrowsAsync<ModuleFetchException>(() => _fetcher.FetchAsync(url, PackageDigest, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Status, Is.EqualTo(502));
            Assert.That(e.Message, Does.Contain(url.ToString()));
        }
    }

    [Test]
    public void FetchAsync_ServerStalls_Is504AfterTheDownloadTimeout()
    {
        _server.Stall("/slow.nupkg");
        var started = DateTime.UtcNow;

        var e = Assert.ThrowsAsync<ModuleFetchException>(() => _fetcher.FetchAsync(_server.Url("/slow.nupkg"), PackageDigest, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Status, Is.EqualTo(504));
            Assert.That(e.Message, Does.Contain("1 s"));
            Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(CacheFiles(), Is.Empty);
        }
    }

    [Test]
    public void FetchAsync_CallerCancels_IsCancellationNotATimeout()
    {
        _server.Stall("/slow.nupkg");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.CatchAsync<OperationCanceledException>(() => _fetcher.FetchAsync(_server.Url("/slow.nupkg"), PackageDigest, cancel.Token));
    }

    [Test]
    public void FetchAsync_AnnouncedLengthOverTheLimit_Is422BeforeReadingTheBody()
    {
        var large = new byte[Limit + 1];
        _server.File("/large.nupkg", large);

        var e = Assert.ThrowsAsync<ModuleFetchException>(() => _fetcher.FetchAsync(_server.Url("/large.nupkg"), SHA256.HashData(large), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Status, Is.EqualTo(422));
            Assert.That(e.Message, Does.Contain($"{Limit + 1} bytes").And.Contain(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(CacheFiles(), Is.Empty);
        }
    }

    [Test]
    public void FetchAsync_StreamedBodyOverTheLimit_Is422AndLeavesNoPartialFile()
    {
        var large = new byte[Limit + 10_000];
        _server.File("/streamed.nupkg", large, announceLength: false);

        var e = Assert.ThrowsAsync<ModuleFetchException>(() => _fetcher.FetchAsync(_server.Url("/streamed.nupkg"), SHA256.HashData(large), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Status, Is.EqualTo(422));
            Assert.That(e.Message, Does.Contain("larger than"));
            Assert.That(CacheFiles(), Is.Empty);
        }
    }

    [Test]
    public async Task FetchAsync_StreamedBodyAtTheLimit_IsAccepted()
    {
        var body = new byte[Limit];
        new Random(3).NextBytes(body);
        _server.File("/exact.nupkg", body, announceLength: false);

        var path = await _fetcher.FetchAsync(_server.Url("/exact.nupkg"), SHA256.HashData(body), CancellationToken.None);

        Assert.That(new FileInfo(path).Length, Is.EqualTo(Limit));
    }

    [Test]
    public void FetchAsync_ConnectionClosedMidBody_Is502()
    {
        _server.CutShort("/cut.nupkg", announced: 10_000, sent: 100);

        var e = Assert.ThrowsAsync<ModuleFetchException>(() => _fetcher.FetchAsync(_server.Url("/cut.nupkg"), PackageDigest, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e!.Status, Is.EqualTo(502));
            Assert.That(CacheFiles(), Is.Empty);
        }
    }

    private string[] CacheFiles()
    {
        var cache = Path.Combine(_state, "cache");
        return Directory.Exists(cache) ? Directory.GetFiles(cache).Select(f => Path.GetFileName(f)!).ToArray() : [];
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
