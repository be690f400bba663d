using Docker.DotNet.Models;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Nodes;

namespace NetServ.TestSupport.Docker;

/// <summary>
/// The Docker engine for tests of the Docker testbed: the machine's, or the lab's own started for the fixture (stopped when
/// the returned engine is disposed), with the node image ./lab image builds. Skips, saying why, where either is truly absent.
/// </summary>
public static class RequiresNodeImage
{
    /// <summary>
    /// An engine that has <see cref="DockerTestbedOptions.NodeImage"/> and the images in <paramref name="alsoNeeded"/>;
    /// <paramref name="fixture"/> names the skipped tests.
    /// </summary>
    public static async Task<DockerEngine> ConnectAsync(string fixture, params string[] alsoNeeded)
    {
        RequiresRoot.Check();
        if (!File.Exists(new DockerEngineOptions().DockerdPath))
        {
            await SkipAsync(fixture, "docker.io is not installed (./lab image installs it)");
        }

        var engine = await DockerEngine.ConnectOrStartAsync(new DockerEngineOptions(), TestContext.Progress, CancellationToken.None);
        foreach (var needed in (string[])[DockerTestbedOptions.NodeImage, .. alsoNeeded])
        {
            try
            {
                await RequireImageAsync(engine, fixture, needed);
            }
            catch (IgnoreException)
            {
                engine.Dispose();
                throw;
            }
        }

        return engine;
    }

    /// <summary>Skips, saying why, unless <paramref name="engine"/> has <paramref name="image"/> (a tag ./lab image builds).</summary>
    public static async Task RequireImageAsync(DockerEngine engine, string fixture, string image)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var images = await engine.Client.Images.ListImagesAsync(new ImagesListParameters());
        if (!images.Any(i => i.RepoTags?.Contains(image) == true))
        {
            await SkipAsync(fixture, $"the image {image} is not built (./lab image builds it; ./lab test runs that first)");
        }
    }

    /// <summary>The install tarball ./lab image builds (artifacts/image/netserv-node-VERSION.tar.gz, the newest if several); skips without one.</summary>
    public static async Task<string> TarballAsync(string fixture)
    {
        var folder = Path.Combine(BuildOutputs.RepositoryRoot, "artifacts", "image");
        var found = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "netserv-node-*.tar.gz").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        if (found is null)
        {
            await SkipAsync(fixture, $"the install tarball is not built in {folder} (./lab image builds it; ./lab test runs that first)");
        }

        return found!;
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
