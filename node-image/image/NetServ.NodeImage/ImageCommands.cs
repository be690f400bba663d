using System.CommandLine;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Diagnostics;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage;

/// <summary>
/// The command line of netserv-image: payload, build, check. Exit codes: 0 ok, 1 failed, 2 bad arguments.
/// </summary>
internal static class ImageCommands
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var outputOption = new Option<string?>("--output") { Description = "the build output directory (default artifacts/image)" };
        var root = new RootCommand("netserv-image: builds the NetServ node image (Docker image, install tarball, bootable disk) from the published payload")
        {
            Payload(outputOption, output, error),
            Build(outputOption, output, error),
            Check(outputOption, output, error),
            DiskCommands.Create(),
        };
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            return 2;
        }

        return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static Command Payload(Option<string?> outputOption, TextWriter output, TextWriter error)
    {
        var command = new Command("payload", $"Publish the node's programs self-contained ({PayloadLayout.RuntimeIdentifier}), the application servers and the module packages into artifacts/image/payload{PayloadLayout.InstallRoot}/") { outputOption };
        command.SetAction(parse => Guarded(error, () =>
        {
            var recipe = ImageRecipe.Locate(parse.GetValue(outputOption));
            var elapsed = PayloadPublisher.Publish(recipe, output);
            output.WriteLine($"payload {recipe.Payload}: {Megabytes(PayloadPublisher.Size(recipe.Payload))} in {elapsed.TotalSeconds:0} s");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command Build(Option<string?> outputOption, TextWriter output, TextWriter error)
    {
        var docker = new Option<bool>("--docker") { Description = $"the Docker image {DockerImageBuilder.Repository}:VERSION and :latest" };
        var tarball = new Option<bool>("--tarball") { Description = "the install tarball netserv-node-VERSION.tar.gz with install.sh" };
        var stock = new Option<bool>("--stock") { Description = $"the stock Debian 12 Docker image {DockerImageBuilder.StockTag} (sshd and sudo, no NetServ), that the tarball's tests install on" };
        var disk = new Option<bool>("--disk") { Description = "the bootable disk image netserv-node-VERSION.qcow2 (UEFI, boots under qemu)" };
        var click = new Option<DirectoryInfo?>("--click-source") { Description = "a Click source tree whose userlevel driver the Docker image builds and carries (without it, the image records that it has no Click; the tarball and the disk carry none)" };
        var command = new Command("build", "Build the node image's outputs (all of them when none is named); unchanged inputs reuse what was built") { docker, tarball, stock, disk, click, outputOption };
        command.SetAction((parse, cancellationToken) => Guarded(error, async () =>
        {
            var recipe = ImageRecipe.Locate(parse.GetValue(outputOption));
            var all = !parse.GetValue(docker) && !parse.GetValue(tarball) && !parse.GetValue(stock) && !parse.GetValue(disk);
            var clickSource = parse.GetValue(click) is { } source ? ClickSource.Open(source.FullName) : null;
            if (clickSource is not null && !(all || parse.GetValue(docker)))
            {
                throw new ImageBuildException("--click-source: only the Docker image builds Click; add --docker");
            }

            if (all || parse.GetValue(tarball))
            {
                var result = InstallTarball.Build(recipe, click: false);
                output.WriteLine($"tarball {result.Path}: {Megabytes(result.SizeBytes)}, {(result.Reused ? "unchanged, reused" : "built")} in {result.Elapsed.TotalSeconds:0.0} s");
            }

            if (all || parse.GetValue(docker))
            {
                var result = await BuildDockerImageAsync(recipe, output, clickSource, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"image {result.Tag} (and :latest): {Megabytes(result.SizeBytes)} unpacked, {(result.Reused ? "unchanged, reused" : "built")} in {result.Elapsed.TotalSeconds:0.0} s");
            }

            if (all || parse.GetValue(stock))
            {
                var result = await BuildStockImageAsync(recipe, output, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"image {result.Tag}: {Megabytes(result.SizeBytes)} unpacked, {(result.Reused ? "unchanged, reused" : "built")} in {result.Elapsed.TotalSeconds:0.0} s");
            }

            if (all || parse.GetValue(disk))
            {
                var started = Stopwatch.GetTimestamp();
                var result = await DiskCommands.BuildAsync(recipe, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"disk {result.ImagePath}: {Megabytes(result.ImageBytes)}, {(result.Reused ? "unchanged, reused" : "built")} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            }

            return 0;
        }));
        return command;
    }

    internal static Task<DockerImageResult> BuildDockerImageAsync(ImageRecipe recipe, TextWriter log, ClickSource? click, CancellationToken cancellationToken) =>
        WithBuilderAsync(recipe, log, (builder, mirror) => builder.BuildAsync(mirror, click, cancellationToken), cancellationToken);

    internal static Task<DockerImageResult> BuildStockImageAsync(ImageRecipe recipe, TextWriter log, CancellationToken cancellationToken) =>
        WithBuilderAsync(recipe, log, (builder, mirror) => builder.BuildStockAsync(mirror, cancellationToken), cancellationToken);

    private static async Task<DockerImageResult> WithBuilderAsync(ImageRecipe recipe, TextWriter log, Func<DockerImageBuilder, Uri, Task<DockerImageResult>> build, CancellationToken cancellationToken)
    {
        var mirror = AptSource.FindConfiguredMirror(DebianRootfs.Suite)
                     ?? throw new ImageBuildException($"no apt source for Debian {DebianRootfs.Suite} in /etc/apt: debootstrap needs the mirror apt uses");
        using var engine = await DockerEngine.ConnectOrStartAsync(new DockerEngineOptions(), log, cancellationToken).ConfigureAwait(false);
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
        return await build(new DockerImageBuilder(engine.Client, recipe, log, loggers.CreateLogger<DockerImageBuilder>()), mirror).ConfigureAwait(false);
    }

    private static Command Check(Option<string?> outputOption, TextWriter output, TextWriter error)
    {
        var command = new Command("check", "List what each output holds and its size") { outputOption };
        command.SetAction((parse, cancellationToken) => Guarded(error, async () =>
        {
            var recipe = ImageRecipe.Locate(parse.GetValue(outputOption));
            output.WriteLine($"payload {recipe.Payload}: {Megabytes(PayloadPublisher.Size(recipe.Payload))}");
            foreach (var sub in new[] { PayloadLayout.BinDirectory, PayloadLayout.AppsDirectory, PayloadLayout.ModulesDirectory })
            {
                var directory = Path.Combine(recipe.Payload, sub);
                var files = Directory.Exists(directory) ? Directory.GetFiles(directory).Length : 0;
                output.WriteLine($"  {sub}/: {files} files, {Megabytes(PayloadPublisher.Size(directory))}");
            }

            var missing = PayloadLayout.Missing(recipe.Payload);
            output.WriteLine(missing.Count == 0 ? "  complete" : $"  lacks {string.Join(", ", missing)}");
            CheckTarball(recipe, output);
            await CheckDockerImageAsync(output, cancellationToken).ConfigureAwait(false);
            await DiskCommands.CheckAsync(recipe, output, cancellationToken).ConfigureAwait(false);
            return missing.Count == 0 ? 0 : 1;
        }));
        return command;
    }

    private static void CheckTarball(ImageRecipe recipe, TextWriter output)
    {
        if (!File.Exists(recipe.TarballPath))
        {
            output.WriteLine($"tarball {recipe.TarballPath}: not built");
            return;
        }

        var sizes = new SortedDictionary<string, (int Files, long Bytes)>(StringComparer.Ordinal);
        using (var gzip = new GZipStream(File.OpenRead(recipe.TarballPath), CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    var parts = entry.Name.Split('/');
                    var key = parts.Length > 2 ? $"{parts[0]}/{parts[1]}/" : entry.Name;
                    var (files, bytes) = sizes.GetValueOrDefault(key);
                    sizes[key] = (files + 1, bytes + entry.Length);
                }
            }
        }

        output.WriteLine($"tarball {recipe.TarballPath}: {Megabytes(new FileInfo(recipe.TarballPath).Length)} packed, {Megabytes(sizes.Values.Sum(v => v.Bytes))} unpacked");
        foreach (var (name, (files, bytes)) in sizes)
        {
            output.WriteLine($"  {name}: {files} files, {Megabytes(bytes)}");
        }
    }

    private static async Task CheckDockerImageAsync(TextWriter output, CancellationToken cancellationToken)
    {
        // check only looks: it asks a running engine and starts none.
        var options = new DockerEngineOptions { DockerdPath = "/nonexistent/dockerd" };
        try
        {
            using var engine = await DockerEngine.ConnectOrStartAsync(options, output, cancellationToken).ConfigureAwait(false);
            var image = await engine.Client.Images.InspectImageAsync(DockerImageBuilder.Tag, cancellationToken).ConfigureAwait(false);
            var hash = image.Config?.Labels is { } labels && labels.TryGetValue(DockerImageBuilder.HashLabel, out var label) ? label : "none";
            output.WriteLine($"image {DockerImageBuilder.Tag}: {Megabytes(image.Size)} unpacked, {image.RootFS?.Layers?.Count ?? 0} layers, created {image.Created.ToString("u", CultureInfo.InvariantCulture)}, content hash {hash[..Math.Min(16, hash.Length)]}");
        }
        catch (DockerUnavailableException)
        {
            output.WriteLine($"image {DockerImageBuilder.Tag}: no Docker engine is running to ask");
        }
        catch (DockerImageNotFoundException)
        {
            output.WriteLine($"image {DockerImageBuilder.Tag}: not built");
        }
    }

    private static async Task<int> Guarded(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ImageBuildException or DockerUnavailableException or DockerApiException or ExternalToolException)
        {
            await error.WriteLineAsync($"netserv-image: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    internal static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB");
}
