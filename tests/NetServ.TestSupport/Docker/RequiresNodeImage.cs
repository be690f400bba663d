using Docker.DotNet.Models;
using NetServ.Testbed.Docker;

namespace NetServ.TestSupport.Docker;

/// <summary>
/// The Docker engine for tests of the Docker testbed: the machine's, or the lab's own started for the fixture (stopped when
/// the returned engine is disposed), with the node image ./lab image builds. Skips, saying why, where either is truly absent.
/// </summary>
public static class RequiresNodeImage
{
    /// <summary>An engine that has <see cref="DockerTestbedOptions.NodeImage"/>; <paramref name="fixture"/> names the skipped tests.</summary>
    public static async Task<DockerEngine> ConnectAsync(string fixture)
    {
        RequiresRoot.Check();
        if (!File.Exists(new DockerEngineOptions().DockerdPath))
        {
            await SkipAsync(fixture, "docker.io is not installed (./lab image installs it)");
        }

        var engine = await DockerEngine.ConnectOrStartAsync(new DockerEngineOptions(), TestContext.Progress, CancellationToken.None);
        var images = await engine.Client.Images.ListImagesAsync(new ImagesListParameters());
        if (!images.Any(i => i.RepoTags?.Contains(DockerTestbedOptions.NodeImage) == true))
        {
            engine.Dispose();
            await SkipAsync(fixture, $"the node image {DockerTestbedOptions.NodeImage} is not built (./lab image builds it; ./lab test runs that first)");
        }

        return engine;
    }

    /// <summary>Every container of any Docker testbed the engine has (for checks that a test left none).</summary>
    public static async Task<IReadOnlyList<string>> TestbedContainersAsync(DockerEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var found = await engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [DockerTestbed.TestbedLabel] = true } },
        });
        return [.. found.Select(c => c.ID)];
    }

    private static async Task SkipAsync(string fixture, string reason)
    {
        await TestContext.Progress.WriteLineAsync($"{fixture} skipped: {reason}");
        Assert.Ignore(reason);
    }
}
