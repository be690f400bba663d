using Docker.DotNet;
using Docker.DotNet.Models;
using NetServ.Apps.ActiveCdn;
using NetServ.Testbed.Linux;

namespace NetServ.NodeImage.Tests;

/// <summary>
/// The Docker image against a real dockerd (the machine's, or one started for the fixture and stopped
/// after it): built or reused from the cache of ./lab image, then run. Every container carries the
/// label netserv.testbed=ID and is removed afterwards.
/// </summary>
[TestFixture]
[NonParallelizable]
internal sealed class NodeImageDockerTests
{
    private const string TestbedLabel = "netserv.testbed";
    private const long MaxImageBytes = 400_000_000;

    /// <summary>Names a Click source tree the Click test builds the image with.</summary>
    private const string ClickSourceVariable = "NETSERV_CLICK_SOURCE";
    private readonly string _testbed = $"image-tests-{Environment.ProcessId}";
    private DockerEngine _engine = null!;
    private DockerImageResult _image = null!;

    private DockerClient Client => _engine.Client;

    [OneTimeSetUp]
    public async Task BuildOrReuseImage()
    {
        var recipe = ImageRecipe.Locate(null);
        Assert.That(PayloadLayout.Missing(recipe.Payload), Is.Empty, "the payload is published by ./lab image (./lab test runs it)");
        var mirror = AptSource.FindConfiguredMirror(DebianRootfs.Suite);
        Assert.That(mirror, Is.Not.Null, "an apt source for bookworm");
        _engine = await DockerEngine.ConnectOrStartAsync(new DockerEngineOptions(), TestContext.Progress, CancellationToken.None);
        _image = await new DockerImageBuilder(Client, recipe, TestContext.Progress).BuildAsync(mirror!, click: null, CancellationToken.None);
        await TestContext.Progress.WriteLineAsync($"{_image.Tag}: {ImageCommands.Megabytes(_image.SizeBytes)} unpacked, {(_image.Reused ? "reused" : "built")} in {_image.Elapsed.TotalSeconds:0.0} s");
    }

    [OneTimeTearDown]
    public async Task RemoveContainersAndStopEngine()
    {
        if (_engine is null)
        {
            return;
        }

        await RemoveContainersAsync();
        _engine.Dispose();
    }

    private async Task RemoveContainersAsync()
    {
        var mine = await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{TestbedLabel}={_testbed}"] = true } },
        });
        foreach (var container in mine)
        {
            await Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    /// <summary>The target of the node image: 400 MB unpacked (about 295 MB measured with the ffmpeg stage's binary).</summary>
    [Test]
    public void Image_UnpackedSize_Reported_AndBounded()
    {
        TestContext.Out.WriteLine($"image {_image.Tag}: {ImageCommands.Megabytes(_image.SizeBytes)} unpacked");

        Assert.That(_image.SizeBytes, Is.LessThanOrEqualTo(MaxImageBytes));
    }

    [Test]
    public async Task Container_StartsNetservd_AnswersProbeStatus()
    {
        var id = await StartAsync(DockerImageBuilder.Tag, command: null);

        var (exitCode, output) = await UntilSuccessAsync(id, ["netserv", "admin", "probe", "status"], TimeSpan.FromSeconds(60));

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("200 OK").And.Contain("container experimenter: ready"));
        var (_, features) = await ExecAsync(id, ["cat", "/opt/netserv/FEATURES", "/opt/netserv/VERSION"]);
        Assert.That(features, Does.Contain("click=no").And.Contain(ImageRecipe.Version));
    }

    [Test]
    public async Task Container_HasTheNodesTools()
    {
        var id = await StartAsync(DockerImageBuilder.Tag, command: ["sleep", "300"]);

        var (exitCode, output) = await ExecAsync(id, ["sh", "-c", "command -v sshd iptables sipp ffmpeg netservd netserv-container netserv-sandbox keepalive-server activecdn-provider && ls /opt/netserv/modules"]);

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("NetServ.Apps.NetMonitor"));
    }

    /// <summary>
    /// The image's ffmpeg is the one of the Dockerfile's ffmpeg stage: Debian's package, with its codec, filter and
    /// device libraries, is not in the image.
    /// </summary>
    [Test]
    public async Task Ffmpeg_IsTheMinimalBuild_NotDebiansPackage()
    {
        var id = await StartAsync(DockerImageBuilder.Tag, command: ["sleep", "300"]);

        var (exitCode, version) = await ExecAsync(id, ["ffmpeg", "-hide_banner", "-version"]);
        var (debianPackage, _) = await ExecAsync(id, ["dpkg-query", "-W", "ffmpeg"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, version);
            Assert.That(version, Does.Contain("--disable-everything").And.Contain("--enable-libx264").And.Contain("--enable-libfreetype"));
            Assert.That(debianPackage, Is.Not.Zero, "Debian's ffmpeg package is installed in the image");
        }
    }

    /// <summary>
    /// ActiveCDN's <see cref="VideoWatermarker"/> itself, run with the image's ffmpeg (entered in the container's mount
    /// namespace, so it finds the image's libraries and font), on a video of each container format it names: the
    /// encoder ffmpeg picks for the format, the drawtext filter with the font file, the audio copied. The inputs come
    /// from the host's ffmpeg: H.264 and AAC in MP4 (in MPEG-TS for .ts), VP9 and Opus for WebM.
    /// </summary>
    [Test]
    public async Task Ffmpeg_WatermarksEveryContainerFormat_AsVideoWatermarkerAsks()
    {
        var directory = Directory.CreateTempSubdirectory("netserv-image-ffmpeg-").FullName;
        try
        {
            var mp4 = MakeVideo(directory, "input.mp4", "libx264", "aac", "-pix_fmt", "yuv420p");
            var ts = MakeVideo(directory, "input.ts", "libx264", "aac", "-pix_fmt", "yuv420p");
            var webm = MakeVideo(directory, "input.webm", "libvpx-vp9", "libopus");
            var id = await StartAsync(DockerImageBuilder.Tag, ["sleep", "300"], binds: [$"{directory}:{directory}"]);
            var pid = (await Client.Containers.InspectContainerAsync(id)).State.Pid;
            var bin = Directory.CreateDirectory(Path.Combine(directory, "bin")).FullName;
            var ffmpeg = Path.Combine(bin, "ffmpeg");
            await File.WriteAllTextAsync(ffmpeg, $"#!/bin/sh\nexec nsenter --target {pid} --mount /usr/bin/ffmpeg \"$@\"\n");
            File.SetUnixFileMode(ffmpeg, TarFiles.Executable);
            var watermarker = new VideoWatermarker("NetServ 21°C", bin, ActiveCdnSettings.DefaultFont);

            foreach (var (key, input, expected) in new[]
                     {
                         ("clip.mp4", mp4, "h264,aac"), ("clip.mkv", mp4, "h264,aac"), ("clip.mov", mp4, "h264,aac"),
                         ("clip.avi", mp4, "mpeg4,aac"), ("clip.ts", ts, "mpeg2video,aac"), ("clip.webm", webm, "vp9,opus"),
                     })
            {
                var output = Path.Combine(directory, "watermarked-" + key);
                await watermarker.ProcessAsync(key, input, output, CancellationToken.None);

                // An MPEG-TS file lists its streams again under its program: each codec once.
                var streams = CommandRunner.Run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "default=noprint_wrappers=1:nokey=1", output]);
                Assert.That(string.Join(',', streams.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()), Is.EqualTo(expected), key);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Two seconds of ffmpeg's test pattern with a tone, made by the host's ffmpeg.</summary>
    private static string MakeVideo(string directory, string name, string videoEncoder, string audioEncoder, params string[] options)
    {
        var path = Path.Combine(directory, name);
        CommandRunner.Run(
            "ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10", "-f", "lavfi", "-i", "sine=duration=2",
             "-c:v", videoEncoder, .. options, "-c:a", audioEncoder, "-shortest", path],
            TimeSpan.FromSeconds(60)).EnsureSuccess();
        return path;
    }

    [Test]
    public async Task InstallScript_MakesStockDebianANode_SecondRunChangesNothing()
    {
        var recipe = ImageRecipe.Locate(null);
        var tarball = InstallTarball.Build(recipe, click: false);
        var binds = new List<string> { $"{Path.GetDirectoryName(tarball.Path)}:/tarball:ro" };
        var unpackAndInstall = $"tar -xzf /tarball/{Path.GetFileName(tarball.Path)} -C /opt && /opt/netserv/install.sh --no-start";

        // Debian's packages come from the apt mirror through the host's network; netservd must not
        // start there, so it starts later in a container of its own without network.
        var stock = await StartAsync($"{DockerImageBuilder.BaseRepository}:{DebianRootfs.Suite}", ["sleep", "900"], "host", binds);
        var (installed, installOutput) = await ExecAsync(stock, ["sh", "-c", unpackAndInstall]);
        var (again, againOutput) = await ExecAsync(stock, ["/opt/netserv/install.sh", "--no-start"]);
        Assert.That((installed, again), Is.EqualTo((0L, 0L)), installOutput + againOutput);
        Assert.That(installOutput, Does.Contain("installed the Debian packages"));
        Assert.That(againOutput, Does.Contain("nothing changed"));

        var committed = await Client.Images.CommitContainerChangesAsync(new CommitContainerChangesParameters
        {
            ContainerID = stock,
            RepositoryName = "netserv/install-test",
            Tag = _testbed,
        });
        try
        {
            var node = await StartAsync(committed.ID, ["sleep", "900"], "none", null);
            var (started, startOutput) = await ExecAsync(node, ["/opt/netserv/install.sh"]);
            var (probed, probeOutput) = await UntilSuccessAsync(node, ["netserv", "admin", "probe", "status"], TimeSpan.FromSeconds(60));
            var (unchanged, unchangedOutput) = await ExecAsync(node, ["/opt/netserv/install.sh"]);

            Assert.That((started, probed, unchanged), Is.EqualTo((0L, 0L, 0L)), startOutput + probeOutput + unchangedOutput);
            Assert.That(startOutput, Does.Contain("started netservd"));
            Assert.That(unchangedOutput, Does.Contain("nothing changed"));
        }
        finally
        {
            await RemoveContainersAsync();
            await Client.Images.DeleteImageAsync(committed.ID, new ImageDeleteParameters { Force = true });
        }
    }

    [Test]
    public async Task InstallScript_UnsupportedSystem_FailsWithAClearMessage()
    {
        var recipe = ImageRecipe.Locate(null);
        var tarball = InstallTarball.Build(recipe, click: false);
        var binds = new List<string> { $"{Path.GetDirectoryName(tarball.Path)}:/tarball:ro" };
        var stock = await StartAsync($"{DockerImageBuilder.BaseRepository}:{DebianRootfs.Suite}", ["sleep", "300"], "none", binds);

        var (exitCode, output) = await ExecAsync(stock, ["sh", "-c", $"tar -xzf /tarball/{Path.GetFileName(tarball.Path)} -C /opt && sed -i 's/^VERSION_ID=.*/VERSION_ID=\"11\"/' /etc/os-release && /opt/netserv/install.sh"]);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(output, Does.Contain("unsupported system"));
    }

    /// <summary>
    /// The image built with a Click source (<c>./lab image --click-source DIR</c>) under a tag of its own, so the image
    /// the other tests use stays without Click. Compiling Click takes minutes: it runs only when
    /// <see cref="ClickSourceVariable"/> names a Click source tree.
    /// </summary>
    [Test]
    public async Task WithClickSource_ImageHasUserlevelClick_AndSaysSo()
    {
        var tree = Environment.GetEnvironmentVariable(ClickSourceVariable);
        if (string.IsNullOrEmpty(tree))
        {
            Assert.Ignore($"{ClickSourceVariable} names no Click source tree (e.g. a checkout of github.com/kohler/click): the image is not built with Click here");
            return;
        }

        var recipe = ImageRecipe.Locate(null);
        var mirror = AptSource.FindConfiguredMirror(DebianRootfs.Suite)!;
        var builder = new DockerImageBuilder(Client, recipe, TestContext.Progress) { BuildTag = $"{DockerImageBuilder.Repository}:click-test" };
        var built = await builder.BuildAsync(mirror, ClickSource.Open(tree), CancellationToken.None);
        await TestContext.Progress.WriteLineAsync($"{built.Tag}: {ImageCommands.Megabytes(built.SizeBytes)} unpacked, {(built.Reused ? "reused" : "built")} in {built.Elapsed.TotalSeconds:0.0} s");
        var id = await StartAsync(built.Tag, command: ["sleep", "300"]);

        var (exitCode, version) = await ExecAsync(id, ["click", "--version"]);
        var (_, features) = await ExecAsync(id, ["cat", "/opt/netserv/FEATURES"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, version);
            Assert.That(version, Does.Match(@"^click \(Click\) \S+"), "the Click modular router, not Debian's packaging tool");
            Assert.That(features, Does.StartWith("click=yes"));
        }
    }

    private async Task<string> StartAsync(string image, IList<string>? command, string network = "none", IList<string>? binds = null)
    {
        var created = await Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = command,
            Labels = new Dictionary<string, string> { [TestbedLabel] = _testbed },
            // netservd installs netfilter rules and starts sandboxed containers: the capabilities for
            // that (not --privileged, which asks for every capability and fails where the host lacks one).
            HostConfig = new HostConfig
            {
                CapAdd = ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"],
                SecurityOpt = ["seccomp=unconfined"],
                NetworkMode = network,
                Binds = binds,
            },
        });
        await Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return created.ID;
    }

    private async Task<(long ExitCode, string Output)> ExecAsync(string container, IList<string> command)
    {
        var exec = await Client.Exec.ExecCreateContainerAsync(container, new ContainerExecCreateParameters
        {
            Cmd = command,
            AttachStdout = true,
            AttachStderr = true,
        });
        using var stream = await Client.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
        var inspected = await Client.Exec.InspectContainerExecAsync(exec.ID);
        return (inspected.ExitCode, stdout + stderr);
    }

    private async Task<(long ExitCode, string Output)> UntilSuccessAsync(string container, IList<string> command, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await ExecAsync(container, command);
            if (result.ExitCode == 0 || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(500);
        }
    }
}
