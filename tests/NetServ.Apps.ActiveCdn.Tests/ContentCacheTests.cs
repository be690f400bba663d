namespace NetServ.Apps.ActiveCdn.Tests;

public sealed class ContentCacheTests : CacheDirectoryFixture
{
    [Test]
    public void Add_BeyondCapacity_EvictsTheLeastRecentlyUsedObject()
    {
        var cache = new ContentCache(CacheDirectory, 250);
        Add(cache, "/a", 100);
        Add(cache, "/b", 100);
        cache.TryOpen("/a")!.Value.Stream.Dispose();

        Add(cache, "/c", 100);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Contains("/a"), Is.True, "used recently");
            Assert.That(cache.Contains("/b"), Is.False, "least recently used");
            Assert.That(cache.Contains("/c"), Is.True);
            Assert.That(cache.Bytes, Is.EqualTo(200));
            Assert.That(cache.Evictions, Is.EqualTo(1));
            Assert.That(Directory.GetFiles(CacheDirectory), Has.Length.EqualTo(2), "the evicted file is deleted");
        });
    }

    [Test]
    public void Add_LargerThanTheWholeCache_IsNotKept()
    {
        var cache = new ContentCache(CacheDirectory, 50);

        var kept = Add(cache, "/big", 100);

        Assert.Multiple(() =>
        {
            Assert.That(kept, Is.False);
            Assert.That(cache.Contains("/big"), Is.False);
            Assert.That(Directory.GetFiles(CacheDirectory), Is.Empty);
        });
    }

    [Test]
    public async Task TryOpen_ObjectEvictedWhileOpen_StillReadsCompletely()
    {
        var cache = new ContentCache(CacheDirectory, 100);
        Add(cache, "/a", 100);
        var (cached, stream) = cache.TryOpen("/a")!.Value;

        Add(cache, "/b", 100);
        using var copy = new MemoryStream();
        await using (stream)
        {
            await stream.CopyToAsync(copy);
        }

        Assert.Multiple(() =>
        {
            Assert.That(cache.Contains("/a"), Is.False);
            Assert.That(copy.ToArray(), Is.EqualTo(Content(100)));
            Assert.That(cached.ContentType, Is.EqualTo("text/plain"));
        });
    }

    [Test]
    public void Constructor_DirectoryWithLeftovers_StartsEmpty()
    {
        Directory.CreateDirectory(CacheDirectory);
        File.WriteAllText(Path.Combine(CacheDirectory, "old"), "x");

        var cache = new ContentCache(CacheDirectory, 100);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Count, Is.Zero);
            Assert.That(Directory.GetFiles(CacheDirectory), Is.Empty);
        });
    }

    internal static byte[] Content(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

    private static bool Add(ContentCache cache, string key, int length)
    {
        var file = cache.NewTemporaryPath();
        File.WriteAllBytes(file, Content(length));
        return cache.Add(key, file, "text/plain");
    }
}
