using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetServ.Apps.ActiveCdn.Tests;

public sealed class ContentEndpointTests : CacheDirectoryFixture
{
    private static readonly byte[] Video = ContentCacheTests.Content(300_000);

    [Test]
    public async Task Get_TwiceInARow_SecondIsServedFromTheCacheByteForByte()
    {
        var origin = new FakeOrigin();
        origin.Add("/v.bin", Video);
        var (endpoint, counters, edge) = Create(origin);
        await using var _ = edge;

        var first = await GetAsync(endpoint, "/v.bin");
        var second = await GetAsync(endpoint, "/v.bin");

        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(200));
            Assert.That(first.Body, Is.EqualTo(Video));
            Assert.That(second.Body, Is.EqualTo(Video));
            Assert.That(origin.Requests, Is.EqualTo(1));
            Assert.That(counters.ToJson()["hits"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(counters.ToJson()["misses"]!.GetValue<long>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Get_ConcurrentRequestsDuringOneDownload_ShareOneOriginRequestAndAreServedAsItArrives()
    {
        var origin = new FakeOrigin { Gated = true };
        origin.Add("/v.bin", Video);
        var (endpoint, counters, edge) = Create(origin);
        await using var _ = edge;

        var requests = Enumerable.Range(0, 5).Select(_ => GetAsync(endpoint, "/v.bin")).ToArray();
        await WaitUntilAsync(() => origin.Requests == 1);
        await origin.ReleaseAsync("/v.bin", 0, 100_000);
        await WaitUntilAsync(() => counters.ToJson()["bytesServed"]!.GetValue<long>() >= 5 * 100_000);
        Assert.That(requests.Any(r => r.IsCompleted), Is.False, "clients get the first part before the origin sent the rest");

        await origin.ReleaseAsync("/v.bin", 100_000, Video.Length - 100_000);
        await origin.CompleteAsync();
        var responses = await Task.WhenAll(requests);
        await WaitUntilAsync(() => edge.DownloadsInProgress == 0);

        Assert.Multiple(() =>
        {
            Assert.That(origin.Requests, Is.EqualTo(1), "one origin download for every client");
            Assert.That(responses.Select(r => r.Status), Is.All.EqualTo(200));
            foreach (var response in responses)
            {
                Assert.That(response.Body, Is.EqualTo(Video));
            }

            Assert.That(edge.Cache.Contains("/v.bin"), Is.True);
        });
    }

    [Test]
    public async Task Get_RangeOfACachedObject_Answers206WithThoseBytes()
    {
        var origin = new FakeOrigin();
        origin.Add("/v.bin", Video);
        var (endpoint, _, edge) = Create(origin);
        await using var __ = edge;
        await GetAsync(endpoint, "/v.bin");

        var partial = await GetAsync(endpoint, "/v.bin", "bytes=1000-1999");
        var unsatisfiable = await GetAsync(endpoint, "/v.bin", "bytes=900000-");

        Assert.Multiple(() =>
        {
            Assert.That(partial.Status, Is.EqualTo(206));
            Assert.That(partial.Headers["Content-Range"].ToString(), Is.EqualTo($"bytes 1000-1999/{Video.Length}"));
            Assert.That(partial.Body, Is.EqualTo(Video.AsSpan(1000, 1000).ToArray()));
            Assert.That(unsatisfiable.Status, Is.EqualTo(416));
            Assert.That(unsatisfiable.Headers["Content-Range"].ToString(), Is.EqualTo($"bytes */{Video.Length}"));
        });
    }

    [Test]
    public async Task Get_RangeDuringTheDownload_Answers206FromTheDownload()
    {
        var origin = new FakeOrigin { Gated = true };
        origin.Add("/v.bin", Video);
        var (endpoint, _, edge) = Create(origin);
        await using var __ = edge;

        var request = GetAsync(endpoint, "/v.bin", "bytes=-10");
        await WaitUntilAsync(() => origin.Requests == 1);
        await origin.ReleaseAsync("/v.bin", 0, Video.Length);
        await origin.CompleteAsync();
        var response = await request;

        Assert.That(response.Status, Is.EqualTo(206));
        Assert.That(response.Body, Is.EqualTo(Video[^10..]));
    }

    [TestCase("POST", "/v.bin", 405)]
    [TestCase("DELETE", "/v.bin", 405)]
    [TestCase("GET", "//elsewhere.example/x", 400)]
    [TestCase("GET", "/missing", 404)]
    public async Task Request_NotAGetOfAnOriginObject_IsRefusedWithoutAnOriginDownload(string method, string path, int status)
    {
        var origin = new FakeOrigin();
        origin.Add("/v.bin", Video);
        var (endpoint, _, edge) = Create(origin);
        await using var _ = edge;

        var response = await SendAsync(endpoint, method, path, null);

        Assert.That(response.Status, Is.EqualTo(status));
        Assert.That(edge.Cache.Count, Is.Zero);
    }

    [Test]
    public async Task Get_VideoWithAProcessor_IsCachedAndServedProcessed()
    {
        var origin = new FakeOrigin();
        origin.Add("/clip.mp4", Video, "video/mp4");
        var (endpoint, counters, edge) = Create(origin, new ReversingProcessor());
        await using var _ = edge;

        var first = await GetAsync(endpoint, "/clip.mp4");
        var second = await GetAsync(endpoint, "/clip.mp4");

        var expected = Video.Reverse().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(first.Body, Is.EqualTo(expected), "even the first client gets the processed object");
            Assert.That(second.Body, Is.EqualTo(expected));
            Assert.That(counters.ToJson()["watermarked"]!.GetValue<long>(), Is.EqualTo(1));
        });
    }

    private (ContentEndpoint Endpoint, CdnCounters Counters, EdgeCache Edge) Create(FakeOrigin origin, IContentProcessor? processor = null)
    {
        var counters = new CdnCounters();
        var edge = new EdgeCache(new ContentCache(CacheDirectory, 10_000_000), new HttpClient(origin), new Uri("http://198.18.1.1:8080"), processor, counters, NullLogger.Instance);
        return (new ContentEndpoint(edge, counters, NullLogger.Instance), counters, edge);
    }

    private static Task<Response> GetAsync(ContentEndpoint endpoint, string path, string? range = null) => SendAsync(endpoint, "GET", path, range);

    private static async Task<Response> SendAsync(ContentEndpoint endpoint, string method, string path, string? range)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        if (range is not null)
        {
            context.Request.Headers.Range = range;
        }

        var body = new MemoryStream();
        context.Response.Body = body;
        await Task.Yield();
        await endpoint.HandleAsync(context);
        return new Response(context.Response.StatusCode, body.ToArray(), context.Response.Headers);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out waiting");
            await Task.Delay(10);
        }
    }

    private sealed record Response(int Status, byte[] Body, IHeaderDictionary Headers);

    private sealed class ReversingProcessor : IContentProcessor
    {
        public bool Applies(string key, string contentType) => contentType.StartsWith("video/", StringComparison.Ordinal);

        public async Task ProcessAsync(string key, string input, string output, CancellationToken cancellationToken) =>
            await File.WriteAllBytesAsync(output, (await File.ReadAllBytesAsync(input, cancellationToken)).Reverse().ToArray(), cancellationToken);
    }
}
