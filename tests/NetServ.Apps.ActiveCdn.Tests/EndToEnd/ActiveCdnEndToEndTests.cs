using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NetServ.Contracts.Status;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Nodes;

namespace NetServ.Apps.ActiveCdn.Tests.EndToEnd;

/// <summary>ActiveCDN on a real NetServ node between a real origin and a real end user.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ActiveCdnEndToEndTests
{
    private const string NetMonitor = "NetServ.Apps.NetMonitor_1.0.0";
    private CdnPath _path = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        RequiresRoot.Check("ffmpeg");

        _path = await CdnPath.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_path is not null)
        {
            await _path.DisposeAsync();
        }
    }

    [TearDown]
    public async Task RemoveLeftoversAsync()
    {
        foreach (var user in new[] { "alice", "bob" })
        {
            await _path.Router.RemoveAsync(CdnPath.ModuleName, user);
            await _path.Router.RemoveAsync(NetMonitor, user);
        }
    }

    [Test]
    public async Task Container_WithOnlyAPacketModule_LoadsNoAspNetCoreUntilActiveCdnAsksForTheHttpServer()
    {
        // bob's container has run nothing else in this fixture: what it has loaded is what this test did.
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor/NetServ.Apps.NetMonitor.csproj");
        var netMonitor = ModuleSetup.ForPackage(package, "bob", _path.Packages.UrlOf) with { FilterProtocol = "udp", FilterDestination = "198.18.2.0/24" };
        await InstallAsync(netMonitor);
        var before = (await _path.Router.StatusAsync()).ContainerOf("bob");

        await InstallAsync(_path.Setup($"origin={CdnPath.OriginUrl},port={CdnPath.BobPort}", "bob"));
        var after = (await _path.Router.StatusAsync()).ContainerOf("bob");
        TestContext.Progress.WriteLine($"bob's container memory with NetMonitor: {before.Memory}; with ActiveCDN too: {after.Memory}");

        Assert.Multiple(() =>
        {
            Assert.That(before.AspNetCoreLoaded, Is.False, "NetMonitor's container must not pay for Kestrel");
            Assert.That(after.AspNetCoreLoaded, Is.True);
        });
    }

    [Test]
    public async Task ConcurrentClients_OneOriginDownloadByteExactCachingRangesAndRemoveStopsTheService()
    {
        var content = ContentCacheTests.Content(16 * 1024 * 1024);
        await File.WriteAllBytesAsync(Path.Combine(_path.ContentDirectory, "big.bin"), content);
        var originBefore = _path.Content.Requests;
        await InstallAsync(_path.Setup($"origin={CdnPath.OriginUrl},port={CdnPath.CdnPort},cache_bytes=100000000"));
        using var client = _path.UserClient();
        var url = $"http://{CdnPath.RouterAddress}:{CdnPath.CdnPort}/big.bin";

        const int Clients = 8;
        var bodies = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => client.GetByteArrayAsync(url)));
        var again = await client.GetByteArrayAsync(url);
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new System.Net.Http.Headers.RangeHeaderValue(1_000_000, 1_000_099) } };
        using var range = await client.SendAsync(rangeRequest);
        var rangeBody = await range.Content.ReadAsByteArrayAsync();

        var status = ModuleStatus(await _path.Router.StatusAsync());
        Assert.Multiple(() =>
        {
            foreach (var body in bodies)
            {
                Assert.That(body.AsSpan().SequenceEqual(content), Is.True, "every client gets the origin's bytes");
            }

            Assert.That(again.AsSpan().SequenceEqual(content), Is.True);
            Assert.That(_path.Content.Requests - originBefore, Is.EqualTo(1), $"one origin download for {Clients + 2} requests");
            Assert.That(range.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(range.Content.Headers.ContentRange?.ToString(), Is.EqualTo($"bytes 1000000-1000099/{content.Length}"));
            Assert.That(rangeBody, Is.EqualTo(content.AsSpan(1_000_000, 100).ToArray()));
            Assert.That(status["originFetches"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(status["hits"]!.GetValue<long>() + status["misses"]!.GetValue<long>(), Is.EqualTo(Clients + 2));
            Assert.That(status["cachedObjects"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(status["bytesFromOrigin"]!.GetValue<long>(), Is.EqualTo(content.Length));
        });

        var removed = await _path.Router.RemoveAsync(CdnPath.ModuleName, "alice");
        Assert.That(removed.StatusCode, Is.EqualTo(NslpStatus.Ok), removed.Headers[NslpHeaderNames.Error]);
        Assert.ThrowsAsync<HttpRequestException>(async () => await client.GetByteArrayAsync(url + "?after-remove"), "REMOVE stops the server");
        Assert.That(CacheDirectories(), Is.Empty, "the module's cache goes with it");
    }

    [Test]
    public async Task MalformedRequests_NeitherCrashTheModuleNorItsContainer()
    {
        await File.WriteAllTextAsync(Path.Combine(_path.ContentDirectory, "small.txt"), "hello");
        await InstallAsync(_path.Setup($"origin={CdnPath.OriginUrl},port={CdnPath.CdnPort}"));
        string[] garbage =
        [
            "\0\0\0\0\r\n\r\n",
            "GET\r\n\r\n",
            "GET /small.txt HTTP/9.9\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            "GET //elsewhere/x HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /small.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=9-1,,,\r\n\r\n",
            "GET /" + new string('a', 20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
        ];
        foreach (var request in garbage)
        {
            await SendRawAsync(request);
        }

        using var client = _path.UserClient();
        var body = await client.GetStringAsync($"http://{CdnPath.RouterAddress}:{CdnPath.CdnPort}/small.txt");
        var container = (await _path.Router.StatusAsync()).ContainerOf("alice");
        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo("hello"));
            Assert.That(container.Modules.Select(m => m.Name), Does.Contain(CdnPath.ModuleName));
        });
    }

    [Test]
    public async Task Video_IsWatermarkedWithTheNodesTextInItsCornerAndCachedWatermarked()
    {
        var original = Path.Combine(_path.ContentDirectory, "clip.mp4");
        TestVideo.Make(original);
        await InstallAsync(_path.Setup($"origin={CdnPath.OriginUrl},port={CdnPath.CdnPort},watermark=Salt Lake City 12C"));
        using var client = _path.UserClient();
        var url = $"http://{CdnPath.RouterAddress}:{CdnPath.CdnPort}/clip.mp4";

        var served = Path.Combine(_path.Directory, "served.mp4");
        await File.WriteAllBytesAsync(served, await client.GetByteArrayAsync(url));
        var second = await client.GetByteArrayAsync(url);

        var before = TestVideo.Frame(original, 5, _path.Directory);
        var after = TestVideo.Frame(served, 5, _path.Directory);
        var text = TestVideo.MeanDifference(before, after, (14, 14, 80, 16), inside: true);
        var rest = TestVideo.MeanDifference(before, after, (0, 0, TestVideo.Width, 60), inside: false);
        var status = ModuleStatus(await _path.Router.StatusAsync());
        TestContext.Progress.WriteLine($"mean difference: {text:0.0} under the text, {rest:0.00} elsewhere");
        Assert.Multiple(async () =>
        {
            Assert.That(text, Is.GreaterThan(25), "the text is drawn in the top left corner");
            Assert.That(rest, Is.LessThan(4), "the rest of the picture is the original, within codec tolerance");
            Assert.That(second, Is.EqualTo(await File.ReadAllBytesAsync(served)), "the watermarked video is what is cached");
            Assert.That(status["watermarked"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(status["originFetches"]!.GetValue<long>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Provider_ServesAFirstRequestDeploysActiveCdnTowardTheUserAndRedirectsTheRegionThere()
    {
        var content = ContentCacheTests.Content(2 * 1024 * 1024);
        await File.WriteAllBytesAsync(Path.Combine(_path.ContentDirectory, "foo.bin"), content);
        var setup = _path.Setup(string.Empty);
        await using var provider = ProviderProcess.Start(_path.Provider.Namespace, new Dictionary<string, string>
        {
            ["Content"] = _path.ContentDirectory,
            ["Listen"] = $"198.18.1.1:{ProviderPort}",
            ["User"] = "alice",
            ["Key"] = _path.AliceKey,
            ["ModuleUrl"] = setup.Url.ToString(),
            ["ModuleDigest"] = setup.Digest,
            ["CdnPort"] = CdnPath.CdnPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = _path.UserClient();
        var url = $"http://198.18.1.1:{ProviderPort}/foo.bin?file=foo";

        using var first = await GetWhenListeningAsync(client, url, provider);
        var firstBody = await first.Content.ReadAsByteArrayAsync();
        var deployed = await WaitForProviderAsync(client, s => s["regions"]?["198.18.2.0/24"]?["nodes"]?.AsArray().Count > 0, provider);
        using var second = await client.GetAsync(url);
        var redirectedTo = second.Headers.Location;
        var fromCdn = await client.GetByteArrayAsync(redirectedTo);
        var providerStatus = await WaitForProviderAsync(client, _ => true, provider);

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), "no ActiveCDN node yet: the provider serves the first request itself");
            Assert.That(firstBody.AsSpan().SequenceEqual(content), Is.True);
            Assert.That(deployed["regions"]!["198.18.2.0/24"]!["nodes"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { CdnPath.RouterAddress.ToString() }), "PROBE found the edge router");
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(redirectedTo, Is.EqualTo(new Uri($"http://{CdnPath.RouterAddress}:{CdnPath.CdnPort}/foo.bin?file=foo")));
            Assert.That(fromCdn.AsSpan().SequenceEqual(content), Is.True, "the edge node serves the provider's bytes");
            Assert.That(providerStatus["redirected"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(providerStatus["served"]!.GetValue<long>(), Is.EqualTo(2), "the user's first request, then the edge node's fill");
        });
    }

    private const int ProviderPort = 8002;

    private static async Task<HttpResponseMessage> GetWhenListeningAsync(HttpClient client, string url, ProviderProcess provider)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await client.GetAsync(url);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            catch (HttpRequestException e)
            {
                throw new AssertionException($"the provider did not come up: {e.Message}\n{provider.LogTail}");
            }
        }
    }

    private static async Task<JsonObject> WaitForProviderAsync(HttpClient client, Func<JsonObject, bool> condition, ProviderProcess provider)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = JsonNode.Parse(await client.GetStringAsync($"http://198.18.1.1:{ProviderPort}/_provider/status"))!.AsObject();
            if (condition(status))
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AssertionException($"the provider never got there: {status.ToJsonString()}\n{provider.LogTail}");
            }

            await Task.Delay(200);
        }
    }

    private async Task InstallAsync(ModuleSetup setup)
    {
        var response = await _path.Router.SetupAsync(setup);
        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok), $"{response.Headers[NslpHeaderNames.Error]}\n{_path.Router.LogTail()}");
    }

    private static JsonObject ModuleStatus(NodeStatus status) =>
        status.ContainerOf("alice").Modules
            .Select(m => m.Live?.Status as JsonObject)
            .First(m => m?["originFetches"] is not null)!;

    private string[] CacheDirectories() =>
        Directory.EnumerateDirectories(_path.Router.StateDirectory, "cache", SearchOption.AllDirectories)
            .Where(d => d.Contains(CdnPath.ModuleName, StringComparison.Ordinal)).ToArray();

    private async Task SendRawAsync(string request)
    {
        using var socket = _path.EndUser.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(CdnPath.RouterAddress, CdnPath.CdnPort));
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(request));
        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
        {
        }
    }
}
