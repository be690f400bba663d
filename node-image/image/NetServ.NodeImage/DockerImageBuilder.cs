using System.Diagnostics;
using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage;

/// <summary>What a Docker image build gave: the image, whether it was reused from the cache, its size.</summary>
internal sealed record DockerImageResult(string Tag, string ContentHash, bool Reused, long SizeBytes, TimeSpan Elapsed);

/// <summary>
/// The Docker image netserv/node:VERSION (and :latest): the Debian minbase rootfs imported as
/// netserv/debian:bookworm-HASH, then built on with the Dockerfile and a build context made here
/// (packages.txt, the rootfs overlay, the payload). The image carries the hash of its inputs as a
/// label; an image whose label matches is reused without a build.
/// </summary>
internal sealed class DockerImageBuilder(DockerClient client, ImageRecipe recipe, TextWriter log, ILogger? logger = null)
{
    /// <summary>
    /// The tag built: <see cref="Tag"/> (and :latest then) unless a test builds a variant under a tag of its own, so the
    /// image every other test and run uses stays as it is.
    /// </summary>
    public string BuildTag { get; init; } = Tag;

    public const string Repository = "netserv/node";
    public const string BaseRepository = "netserv/debian";

    public const string HashLabel = "netserv.content-hash";

    public static string Tag => $"{Repository}:{ImageRecipe.Version}";

    /// <summary>The stock Debian 12 image (sshd and sudo, no NetServ) that tests install the tarball on.</summary>
    public const string StockTag = NetServ.Testbed.Docker.DockerTestbedOptions.StockImage;

    /// <summary>The content of /opt/netserv/FEATURES: what the image has and lacks.</summary>
    public static string Features(bool click) => click
        ? "click=yes (userlevel click on the PATH, built from --click-source)\n"
        : "click=no (built without --click-source; the paced generator falls back to its .NET sender)\n";

    /// <summary>Imports the Debian rootfs (when not yet imported) and returns its image name.</summary>
    public async Task<string> EnsureBaseAsync(Uri mirror, CancellationToken cancellationToken)
    {
        // The image installs packages.txt in its Dockerfile, where apt can leave out what it recommends.
        IReadOnlyList<string> packages = [];
        var name = $"{BaseRepository}:{DebianRootfs.Suite}-{DebianRootfs.Key(mirror, packages)[..16]}";
        if (await ExistsAsync(name, cancellationToken).ConfigureAwait(false) is not null)
        {
            return name;
        }

        var root = await DebianRootfs.EnsureAsync(recipe.CacheDirectory, mirror, packages, logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        var tar = root + ".tar";
        log.WriteLine($"netserv-image: importing {Path.GetFileName(root)} as {name}");
        await ExternalTool.RunAsync("tar", ["--numeric-owner", "-C", root, "-cf", tar, "."], TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = File.OpenRead(tar);
            await using (stream.ConfigureAwait(false))
            {
                var failure = new Failure();
                await client.Images.CreateImageAsync(
                    new ImagesCreateParameters { FromSrc = "-", Repo = BaseRepository, Tag = name[(BaseRepository.Length + 1)..] },
                    stream, null, failure, cancellationToken).ConfigureAwait(false);
                failure.ThrowIfAny("docker import of the Debian rootfs");
            }
        }
        finally
        {
            File.Delete(tar);
        }

        await client.Images.TagImageAsync(name, new ImageTagParameters { RepositoryName = BaseRepository, Tag = DebianRootfs.Suite, Force = true }, cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Builds netserv/node:VERSION (with Click when <paramref name="click"/> is given), or reuses it when its inputs have not changed.</summary>
    public async Task<DockerImageResult> BuildAsync(Uri mirror, ClickSource? click, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var missing = PayloadLayout.Missing(recipe.Payload);
        if (missing.Count > 0)
        {
            throw new ImageBuildException($"the payload in {recipe.Payload} lacks {string.Join(", ", missing)}: run ./lab image (or netserv-image payload)");
        }

        var baseImage = await EnsureBaseAsync(mirror, cancellationToken).ConfigureAwait(false);
        using var inputs = recipe.HashRecipe();
        string hash;
        inputs
            .Add("base", baseImage)
            .Add("features", Features(click is not null))
            .AddFile("Dockerfile", recipe.Dockerfile)
            .AddDirectory("payload", recipe.Payload);
        if (click is not null)
        {
            inputs.AddDirectory("click", click.Directory, ClickSource.Skipped);
        }

        hash = inputs.ToHex();
        if (await BuiltFromAsync(BuildTag, hash, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            await TagLatestAsync(cancellationToken).ConfigureAwait(false);
            return new DockerImageResult(BuildTag, hash, Reused: true, existing.Size, watch.Elapsed);
        }

        log.WriteLine($"netserv-image: building {BuildTag} on {baseImage}");
        var context = Path.Combine(recipe.CacheDirectory, "docker-context.tar");
        Directory.CreateDirectory(recipe.CacheDirectory);
        WriteContext(context, click);
        await BuildFromContextAsync(context, BuildTag, hash, new Dictionary<string, string> { ["BASE"] = baseImage, ["CLICK"] = click is null ? "no" : "yes" }, cancellationToken).ConfigureAwait(false);
        await TagLatestAsync(cancellationToken).ConfigureAwait(false);
        var image = await ExistsAsync(BuildTag, cancellationToken).ConfigureAwait(false)
                    ?? throw new ImageBuildException($"the build of {BuildTag} ended without the image");
        return new DockerImageResult(BuildTag, hash, Reused: false, image.Size, watch.Elapsed);
    }

    /// <summary>
    /// Builds <see cref="StockTag"/>, a stock Debian 12 machine (the base with sshd and sudo, no NetServ) on which tests put
    /// the install tarball, or reuses it when its inputs have not changed.
    /// </summary>
    public async Task<DockerImageResult> BuildStockAsync(Uri mirror, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var baseImage = await EnsureBaseAsync(mirror, cancellationToken).ConfigureAwait(false);
        using var inputs = new ContentHash().Add("base", baseImage).AddDirectory("stock", recipe.StockDirectory);
        var hash = inputs.ToHex();
        if (await BuiltFromAsync(StockTag, hash, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return new DockerImageResult(StockTag, hash, Reused: true, existing.Size, watch.Elapsed);
        }

        log.WriteLine($"netserv-image: building {StockTag} on {baseImage}");
        var context = Path.Combine(recipe.CacheDirectory, "stock-context.tar");
        Directory.CreateDirectory(recipe.CacheDirectory);
        using (var file = File.Create(context))
        using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            foreach (var path in Directory.GetFiles(recipe.StockDirectory).Order(StringComparer.Ordinal))
            {
                writer.WriteEntry(path, Path.GetFileName(path));
            }
        }

        await BuildFromContextAsync(context, StockTag, hash, new Dictionary<string, string> { ["BASE"] = baseImage }, cancellationToken).ConfigureAwait(false);
        var image = await ExistsAsync(StockTag, cancellationToken).ConfigureAwait(false)
                    ?? throw new ImageBuildException($"the build of {StockTag} ended without the image");
        return new DockerImageResult(StockTag, hash, Reused: false, image.Size, watch.Elapsed);
    }

    /// <summary>Builds <paramref name="tag"/> from the build context archive at <paramref name="context"/>, then deletes the archive.</summary>
    private async Task BuildFromContextAsync(string context, string tag, string hash, Dictionary<string, string> buildArgs, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(context);
        await using (stream.ConfigureAwait(false))
        {
            var failure = new Failure(log);
            await client.Images.BuildImageFromDockerfileAsync(
                new ImageBuildParameters
                {
                    Dockerfile = "Dockerfile",
                    Tags = [tag],
                    BuildArgs = buildArgs,
                    Labels = new Dictionary<string, string> { [HashLabel] = hash, ["netserv.version"] = ImageRecipe.Version },
                    // dockerd runs without a bridge: the package step reaches the apt mirror through the host's network.
                    NetworkMode = "host",
                    Remove = true,
                    ForceRemove = true,
                },
                stream, null, null, failure, cancellationToken).ConfigureAwait(false);
            failure.ThrowIfAny($"the build of {tag}");
        }

        File.Delete(context);
    }

    private void WriteContext(string path, ClickSource? click)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(recipe.Dockerfile, "Dockerfile");
        writer.WriteEntry(recipe.PackageList, "packages.txt");
        TarFiles.AddDirectory(writer, recipe.RootfsOverlay, "rootfs");
        TarFiles.AddDirectory(writer, recipe.Payload, "opt/netserv");
        TarFiles.AddText(writer, $"rootfs{PayloadLayout.InstallRoot}/{PayloadLayout.FeaturesFile}", Features(click is not null), TarFiles.Readable);
        if (click is null)
        {
            TarFiles.AddEmptyDirectory(writer, "click");
        }
        else
        {
            TarFiles.AddDirectory(writer, click.Directory, "click", ClickSource.Skipped);
        }
    }

    private Task TagLatestAsync(CancellationToken cancellationToken) =>
        BuildTag != Tag
            ? Task.CompletedTask
            : client.Images.TagImageAsync(Tag, new ImageTagParameters { RepositoryName = Repository, Tag = "latest", Force = true }, cancellationToken);

    /// <summary>Image <paramref name="tag"/> if it exists and was built from inputs whose hash is <paramref name="hash"/>.</summary>
    private async Task<ImageInspectResponse?> BuiltFromAsync(string tag, string hash, CancellationToken cancellationToken) =>
        await ExistsAsync(tag, cancellationToken).ConfigureAwait(false) is { Config.Labels: { } labels } existing
        && labels.TryGetValue(HashLabel, out var built) && built == hash
            ? existing
            : null;

    private async Task<ImageInspectResponse?> ExistsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Images.InspectImageAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The engine reports a failed build or import in its progress messages, not as an HTTP error.</summary>
    private sealed class Failure(TextWriter? log = null) : IProgress<JSONMessage>
    {
        private string? _error;

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message: { Length: > 0 } message })
            {
                _error ??= message;
            }
            else if (!string.IsNullOrEmpty(value.ErrorMessage))
            {
                _error ??= value.ErrorMessage;
            }
            else if (log is not null && !string.IsNullOrWhiteSpace(value.Stream))
            {
                log.Write(value.Stream);
            }
        }

        public void ThrowIfAny(string what)
        {
            if (_error is not null)
            {
                throw new ImageBuildException($"{what} failed: {_error}");
            }
        }
    }
}
