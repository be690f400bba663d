namespace NetServ.Apps.ActiveCdn.Tests;

/// <summary>A fresh cache directory path per test, removed after it.</summary>
public abstract class CacheDirectoryFixture
{
    protected string CacheDirectory { get; private set; } = null!;

    [SetUp]
    public void CreateCacheDirectoryPath() => CacheDirectory = Path.Combine(Path.GetTempPath(), $"activecdn-test-{Guid.NewGuid():N}");

    [TearDown]
    public void DeleteCacheDirectory()
    {
        if (Directory.Exists(CacheDirectory))
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }
    }
}
