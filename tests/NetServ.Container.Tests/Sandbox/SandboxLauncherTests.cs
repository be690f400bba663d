using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;

namespace NetServ.Container.Tests.Sandbox;

/// <summary>
/// Runs the real netserv-sandbox binary (built next to netserv-container) as root and checks,
/// from inside the launched child, that each confinement really took effect.
/// </summary>
[TestFixture]
[NonParallelizable]
[SupportedOSPlatform("linux")]
public sealed partial class SandboxLauncherTests
{
    private const int TestId = 64123;
    private const ulong CapNetAdminBit = 1UL << 12;
    private const int AllowedPort = 18081;
    private const int RefusedPort = 18082;
    private const int EAcces = 13;

    /// <summary>What a dynamically linked /bin/sh needs to start under Landlock.</summary>
    private static readonly string[] SystemReadOnly = ["/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache"];

    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    private readonly List<string> _tempDirs = [];
    private readonly List<string> _cgroups = [];
    private string _launcher = "";

    [OneTimeSetUp]
    public void FindLauncher()
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("netserv-sandbox tests change uid, capabilities and cgroups: they must run as root");
        }

        var root = FindRepositoryRoot();
        var candidates = new[] { "debug", "release" }
            .Select(config => Path.Combine(root, "artifacts", "bin", "NetServ.Container", config, "netserv-sandbox"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .ToList();
        Assert.That(candidates, Is.Not.Empty,
            $"netserv-sandbox not found under {root}/artifacts/bin/NetServ.Container/(debug|release): "
            + "build it with `dotnet build node-image/NetServ.Container`");
        _launcher = candidates[0];
    }

    [TearDown]
    public void CleanUp()
    {
        foreach (var dir in _tempDirs)
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        _tempDirs.Clear();

        foreach (var cgroup in _cgroups)
        {
            RemoveCgroup(cgroup);
        }

        _cgroups.Clear();
    }

    [Test]
    public async Task Launch_WithUidAndCap_ChildRunsAsUidWithOnlyThatCapability()
    {
        var result = await RunAsync(
            "--uid", $"{TestId}", "--gid", $"{TestId}", "--cap", "net_admin", "--rx", "/", "--",
            "/bin/sh", "-c", "id -u; id -g; grep -E '^Cap(Inh|Prm|Eff|Amb|Bnd)' /proc/self/status");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var lines = result.Lines;
        var caps = ParseCapabilities(lines);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines[0], Is.EqualTo($"{TestId}"), "uid");
            Assert.That(lines[1], Is.EqualTo($"{TestId}"), "gid");
            Assert.That(caps["CapEff"], Is.EqualTo(CapNetAdminBit), "effective set");
            Assert.That(caps["CapAmb"], Is.EqualTo(CapNetAdminBit), "ambient set");
            Assert.That(caps["CapPrm"], Is.EqualTo(CapNetAdminBit), "permitted set");
            Assert.That(caps["CapInh"], Is.EqualTo(CapNetAdminBit), "inheritable set");
            Assert.That(caps["CapBnd"], Is.EqualTo(CapNetAdminBit), "bounding set");
        }
    }

    [Test]
    public async Task Launch_WithoutCap_ChildHasNoCapabilitiesAtAll()
    {
        var result = await RunAsync(
            "--uid", $"{TestId}", "--gid", $"{TestId}", "--rx", "/", "--",
            "/bin/grep", "-E", "^Cap(Inh|Prm|Eff|Amb|Bnd)", "/proc/self/status");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(ParseCapabilities(result.Lines).Values, Has.All.Zero);
    }

    [Test]
    public async Task Launch_WithCgroup_ChildIsMemberOfThatCgroup()
    {
        // v2 (unified) when the whole tree is cgroup2; otherwise the v1 memory hierarchy.
        var isV2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        var hierarchy = isV2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
        if (!Directory.Exists(hierarchy))
        {
            Assert.Ignore($"no cgroup hierarchy at {hierarchy}");
        }

        var name = $"netserv-test-{Guid.NewGuid():N}"[..25];
        var cgroup = Path.Combine(hierarchy, name);
        _cgroups.Add(cgroup);
        Directory.CreateDirectory(cgroup);

        var result = await RunAsync(
            "--uid", $"{TestId}", "--gid", $"{TestId}", "--cgroup", cgroup, "--rx", "/", "--",
            "/bin/cat", "/proc/self/cgroup");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        // Lines read "ID:CONTROLLERS:PATH"; v2's line is "0::PATH".
        var memberships = result.Lines
            .Select(line => line.Split(':', 3))
            .Where(parts => parts.Length == 3 && parts[2].EndsWith($"/{name}", StringComparison.Ordinal))
            .Select(parts => parts[1])
            .ToList();
        Assert.That(memberships, isV2 ? Does.Contain("") : Has.Some.Matches<string>(c => c.Split(',').Contains("memory")),
            $"child not in {cgroup}; /proc/self/cgroup was:\n{result.Stdout}");
    }

    [TestCase("nofile=64:64", "64", "64")]
    [TestCase("nofile=32", "32", "32")]
    [TestCase("nofile=16:128", "16", "128")]
    public async Task Launch_WithRlimit_ChildSeesThoseLimits(string spec, string soft, string hard)
    {
        var result = await RunAsync(
            "--uid", $"{TestId}", "--gid", $"{TestId}", "--rlimit", spec, "--rx", "/", "--",
            "/bin/sh", "-c", "ulimit -Sn; ulimit -Hn");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Lines, Is.EqualTo(new[] { soft, hard }));
    }

    [Test]
    public async Task Launch_WithLandlockPaths_ChildWritesRwDirButCannotReadOtherFiles()
    {
        await RequireLandlockAbiAsync(1);
        var workDir = CreateWorldWritableTempDir();
        const string Script = "echo written > \"$1/out\" && cat /etc/hostname";

        var confined = await RunAsync(
            [
                "--uid", $"{TestId}", "--gid", $"{TestId}", "--landlock", "required",
                .. SystemReadOnly.SelectMany(path => new[] { "--rx", path }),
                "--rw", workDir, "--", "/bin/sh", "-c", Script, "sh", workDir,
            ]);
        // Control run: same uid without Landlock can read the file, so a denial above is Landlock's.
        var unconfined = await RunAsync(
            "--uid", $"{TestId}", "--gid", $"{TestId}", "--landlock", "off", "--",
            "/bin/sh", "-c", "cat /etc/hostname");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllText(Path.Combine(workDir, "out")), Is.EqualTo("written\n"), confined.Stderr);
            Assert.That(confined.ExitCode, Is.Not.Zero, "cat /etc/hostname must fail under Landlock");
            Assert.That(confined.Stderr, Does.Contain("/etc/hostname: Permission denied"));
            Assert.That(unconfined.ExitCode, Is.Zero, unconfined.Stderr);
        }
    }

    [Test]
    public async Task Launch_WithReadOnlyPath_ChildCannotExecuteProgramsThere()
    {
        await RequireLandlockAbiAsync(1);

        // The shell and its loader may run (--rx); everything else is readable but not executable (--ro).
        var result = await RunAsync(
            [
                "--uid", $"{TestId}", "--gid", $"{TestId}", "--landlock", "required", "--ro", "/",
                .. new[] { "/usr/bin/dash", "/lib", "/lib64", "/usr/lib" }.SelectMany(path => new[] { "--rx", path }),
                "--", "/usr/bin/dash", "-c", "cat /etc/hostname; echo cat=$?; /usr/bin/id -u",
            ]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Stdout, Does.Contain("cat=126").Or.Contain("cat=127"), "exec of cat must be refused");
            Assert.That(result.Stderr, Does.Contain("Permission denied"));
            Assert.That(result.ExitCode, Is.Not.Zero, "exec of id must be refused too");
        }
    }

    [Test]
    public async Task Launch_WithTcpBindPort_ChildBindsOnlyThatPortButConnectsFreely()
    {
        await RequireLandlockAbiAsync(4);
        const string Python = "/usr/bin/python3";
        if (!File.Exists(Python))
        {
            Assert.Ignore($"{Python} is needed to bind sockets inside the sandbox");
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var listenPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        const string Script =
            "import socket, sys\n"
            + "for port in map(int, sys.argv[1:3]):\n"
            + "    s = socket.socket()\n"
            + "    try:\n"
            + "        s.bind(('127.0.0.1', port)); print(port, 'ok')\n"
            + "    except OSError as e:\n"
            + "        print(port, e.errno)\n"
            + "    s.close()\n"
            + "c = socket.create_connection(('127.0.0.1', int(sys.argv[3])), timeout=5)\n"
            + "print('connect ok')\n";

        var result = await RunAsync(
            "--uid", $"{TestId}", "--gid", $"{TestId}", "--landlock", "required", "--rx", "/",
            "--tcp-bind", $"{AllowedPort}", "--",
            Python, "-c", Script, $"{AllowedPort}", $"{RefusedPort}", $"{listenPort}");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Lines, Is.EqualTo(new[] { $"{AllowedPort} ok", $"{RefusedPort} {EAcces}", "connect ok" }));
    }

    [Test]
    public async Task Probe_ReportsLandlockAbiAndCgroupLayoutOfThisHost()
    {
        var result = await RunAsync("--probe");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var expectedLayout = File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "v2"
            : File.Exists("/sys/fs/cgroup/unified/cgroup.controllers") ? "hybrid"
            : "v1";
        Assert.That(result.Lines, Has.Length.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Lines[0], Does.Match("^landlock-abi=[0-9]+$"));
            Assert.That(result.Lines[1], Is.EqualTo($"cgroup={expectedLayout}"));
        }
    }

    [Test]
    public async Task Launch_WithMissingRoPath_WarnsAndStillRuns()
    {
        var result = await RunAsync(
            "--uid", $"{TestId}", "--gid", $"{TestId}", "--ro", "/nonexistent-netserv-path", "--rx", "/", "--",
            "/bin/true");

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stderr, Does.Contain("/nonexistent-netserv-path does not exist"));
    }

    [Test]
    public async Task Launch_ProgramThatDoesNotExist_Exits127()
    {
        var result = await RunAsync("--uid", $"{TestId}", "--gid", $"{TestId}", "--rx", "/", "--", "/nonexistent-program");

        Assert.That(result.ExitCode, Is.EqualTo(127));
        Assert.That(result.Stderr, Does.Contain("execv /nonexistent-program: No such file or directory"));
    }

    [TestCaseSource(nameof(BadCommandLines))]
    public async Task Launch_WithBadCommandLine_Exits126NamingTheProblem(string[] args, string problem)
    {
        var result = await RunAsync(args);

        Assert.That(result.ExitCode, Is.EqualTo(126), result.Stderr);
        Assert.That(result.Stderr, Does.StartWith("netserv-sandbox: ").And.Contain(problem));
    }

    private static IEnumerable<TestCaseData> BadCommandLines()
    {
        yield return new TestCaseData(new[] { "--bogus", "--", "/bin/true" }, "unknown option '--bogus'")
            .SetName("UnknownOption");
        yield return new TestCaseData(WithIds(), "missing '-- PROGRAM").SetName("NoProgram");
        yield return new TestCaseData(WithIds("--"), "missing '-- PROGRAM").SetName("EmptyProgram");
        yield return new TestCaseData(new[] { "--gid", "1", "--", "/bin/true" }, "--uid and --gid are required")
            .SetName("NoUid");
        yield return new TestCaseData(new[] { "--uid", "1x", "--gid", "1", "--", "/bin/true" }, "invalid --uid '1x'")
            .SetName("MalformedUid");
        yield return new TestCaseData(WithIds("--cap", "no_such_cap", "--", "/bin/true"), "unknown capability 'no_such_cap'")
            .SetName("UnknownCapability");
        yield return new TestCaseData(WithIds("--rlimit", "bogus=1", "--", "/bin/true"), "unknown rlimit 'bogus'")
            .SetName("UnknownRlimit");
        yield return new TestCaseData(WithIds("--landlock", "maybe", "--", "/bin/true"), "--landlock must be")
            .SetName("BadLandlockMode");
        yield return new TestCaseData(WithIds("--cgroup", "/nonexistent-cgroup", "--", "/bin/true"), "/nonexistent-cgroup/cgroup.procs")
            .SetName("MissingCgroup");
    }

    private static string[] WithIds(params string[] rest) => ["--uid", "1", "--gid", "1", .. rest];

    private async Task RequireLandlockAbiAsync(int minimum)
    {
        var probe = await RunAsync("--probe");
        Assert.That(probe.ExitCode, Is.Zero, probe.Stderr);
        var abi = int.Parse(LandlockAbiLine().Match(probe.Stdout).Groups[1].Value, CultureInfo.InvariantCulture);
        if (abi < minimum)
        {
            Assert.Ignore($"kernel reports Landlock ABI {abi}; this test needs ABI >= {minimum}");
        }
    }

    private string CreateWorldWritableTempDir()
    {
        var dir = Directory.CreateTempSubdirectory("netserv-sandbox-").FullName;
        _tempDirs.Add(dir);
        // The child runs as TestId, not as the owner (root).
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        return dir;
    }

    private static Dictionary<string, ulong> ParseCapabilities(IEnumerable<string> lines) =>
        lines.Where(line => line.StartsWith("Cap", StringComparison.Ordinal))
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0], parts => ulong.Parse(parts[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private async Task<RunResult> RunAsync(params string[] args)
    {
        var startInfo = new ProcessStartInfo(_launcher)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {_launcher}");
        using var timeout = new CancellationTokenSource(RunTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"netserv-sandbox {string.Join(' ', args)} did not finish in {RunTimeout}");
        }

        return new RunResult(process.ExitCode, await stdout, await stderr);
    }

    private static void RemoveCgroup(string cgroup)
    {
        // A cgroup can be removed only once empty; the exited child may take a moment to leave it.
        for (var attempt = 0; Directory.Exists(cgroup); attempt++)
        {
            try
            {
                Directory.Delete(cgroup);
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(20);
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetServ.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"NetServ.sln not found above {TestContext.CurrentContext.TestDirectory}");
    }

    [GeneratedRegex("^landlock-abi=([0-9]+)$", RegexOptions.Multiline)]
    private static partial Regex LandlockAbiLine();

    private sealed record RunResult(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines { get; } =
            Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
