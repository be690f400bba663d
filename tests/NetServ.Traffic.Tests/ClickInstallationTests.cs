using NetServ.Testbed;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class ClickInstallationTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("netserv-click-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Detect_ClickOnPathThatIsAnotherProgram_IsNotInstalled()
    {
        // What Debian's `click` package (an Ubuntu packaging tool) could answer.
        FakeClick("echo 'click 0.4.46'");

        var installation = ClickInstallation.Detect(new PathShell(_directory));

        Assert.Multiple(() =>
        {
            Assert.That(installation.IsInstalled, Is.False);
            Assert.That(installation.Problem, Does.Contain("click 0.4.46"));
            Assert.That(installation.NotInstalledMessage, Does.StartWith("Click modular router not installed on node fake-node; use the paced generator"));
        });
    }

    [Test]
    public void Detect_ClickModularRouterOnPath_IsInstalledWithItsVersion()
    {
        FakeClick("printf 'click (Click) 2.1\\nCopyright (C) 1999-2001 Massachusetts Institute of Technology\\n'");

        var installation = ClickInstallation.Detect(new PathShell(_directory));

        Assert.Multiple(() =>
        {
            Assert.That(installation.IsInstalled, Is.True);
            Assert.That(installation.Version, Is.EqualTo("2.1"));
        });
    }

    [Test]
    public void Detect_ClickModularRouterVersionButFailing_IsNotInstalled()
    {
        FakeClick("echo 'click (Click) 2.1'; exit 3");

        Assert.That(ClickInstallation.Detect(new PathShell(_directory)).IsInstalled, Is.False);
    }

    [Test]
    public void Detect_NoSuchExecutable_IsNotInstalledAndSaysWhy()
    {
        var installation = ClickInstallation.Detect(new LocalShell(), Path.Combine(_directory, "click"));

        Assert.Multiple(() =>
        {
            Assert.That(installation.IsInstalled, Is.False);
            Assert.That(installation.Problem, Does.Contain("could not be started"));
        });
    }

    [Test]
    public void Run_NodeWithoutClick_ThrowsClickNotInstalledNamingTheNode()
    {
        FakeClick("echo 'click 0.4.46'");
        using var generator = new ClickTrafficGenerator(new PathShell(_directory));

        var e = Assert.Throws<ClickNotInstalledException>(() => generator.Run(ClickConfigurationTests.Udp64));

        Assert.That(e!.Message, Does.StartWith("Click modular router not installed on node fake-node; use the paced generator"));
    }

    [Test]
    public void Run_WithANiceValue_RunsClickAtThatNiceValue()
    {
        var seen = Path.Combine(_directory, "nice-seen");
        FakeClick($$"""
            if [ "$1" = --version ]; then echo 'click (Click) 2.1'; exit 0; fi
            nice > '{{seen}}'
            printf '0.01u 0.01s 0:00.10\nsrc.count:\n1\n\nsent.count:\n1\n\nfailed.count:\n0\n\n'
            """);
        using var generator = new ClickTrafficGenerator(new PathShell(_directory), new ClickGeneratorOptions { Nice = 5 });

        var result = generator.Run(ClickConfigurationTests.Udp64 with { Packets = 1 });

        Assert.Multiple(() =>
        {
            Assert.That(result.Offered, Is.EqualTo(1));
            Assert.That(File.ReadAllText(seen).Trim(), Is.EqualTo("5"), "nice -n 5 in front of click");
        });
    }

    private void FakeClick(string body)
    {
        var path = Path.Combine(_directory, "click");
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>This machine as a node whose PATH starts with <paramref name="directory"/>.</summary>
    private sealed class PathShell(string directory) : INodeSession
    {
        private readonly LocalShell _machine = new();

        public string NodeName => "fake-node";

        public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default) =>
            _machine.RunAsync("env", [$"PATH={directory}:{Environment.GetEnvironmentVariable("PATH")}", file, .. arguments], timeout, standardInput, cancellationToken);

        public Task UploadAsync(Stream content, string nodePath, CancellationToken cancellationToken = default) =>
            _machine.UploadAsync(content, nodePath, cancellationToken);

        public Task DownloadAsync(string nodePath, Stream destination, CancellationToken cancellationToken = default) =>
            _machine.DownloadAsync(nodePath, destination, cancellationToken);

        public Task<INodePortForward> ForwardPortAsync(System.Net.IPEndPoint nodeEndPoint, CancellationToken cancellationToken = default) =>
            _machine.ForwardPortAsync(nodeEndPoint, cancellationToken);
    }
}
