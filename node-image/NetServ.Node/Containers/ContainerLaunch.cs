using System.Diagnostics;
using System.Globalization;
using NetServ.Contracts.Configuration;

namespace NetServ.Node.Containers;

/// <summary>Builds the command line that starts a container through netserv-sandbox.</summary>
internal sealed class ContainerLaunch(NodeConfiguration options)
{
    /// <summary>The dotnet host that runs containers.</summary>
    public string DotnetHost { get; } = ResolveDotnet(options.Containers.Dotnet);

    public string ContainerAssembly { get; } = options.Containers.Executable ?? Path.Combine(AppContext.BaseDirectory, "netserv-container.dll");

    public string Sandbox { get; } = options.Containers.Sandbox ?? Path.Combine(AppContext.BaseDirectory, "netserv-sandbox");

    /// <summary>Checks that the files a launch needs are there; returns what is missing.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!File.Exists(DotnetHost))
        {
            problems.Add($"the dotnet host {DotnetHost} is missing (set Containers:Dotnet)");
        }

        if (!File.Exists(ContainerAssembly))
        {
            problems.Add($"{ContainerAssembly} is missing (set Containers:Executable, or run ./lab build)");
        }

        if (!File.Exists(Sandbox))
        {
            problems.Add($"{Sandbox} is missing (set Containers:Sandbox, or run ./lab build)");
        }

        return problems;
    }

    public ProcessStartInfo Create(ContainerHandle handle, ContainerCgroup? cgroup, string controlSocket)
    {
        var settings = options.Containers;
        var info = new ProcessStartInfo(Sandbox)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = handle.Directory,
        };
        var uid = handle.Uid.ToString(CultureInfo.InvariantCulture);
        List<string> arguments =
        [
            "--uid", uid, "--gid", uid,
            "--cap", "net_admin",
            "--rlimit", "nofile=4096",
            "--rlimit", "core=0",
            "--rlimit", "nproc=512",
            "--landlock", settings.Landlock,
        ];
        foreach (var directory in cgroup?.Directories ?? [])
        {
            arguments.AddRange(["--cgroup", directory]);
        }

        // Execution only of the runtime, the shared libraries it maps and the programs the operator
        // lists (ffmpeg): no shell, no other program.
        var dotnetRoot = Path.GetDirectoryName(DotnetHost)!;
        foreach (var path in new[] { dotnetRoot, Path.GetDirectoryName(Path.GetFullPath(ContainerAssembly))!, "/lib", "/lib64", "/usr/lib", "/usr/lib64" })
        {
            arguments.AddRange(["--rx", path]);
        }

        foreach (var program in settings.Programs.Where(File.Exists))
        {
            arguments.AddRange(["--rx", program]);
        }

        foreach (var path in new[] { "/etc", "/proc", "/sys", "/dev", "/usr/share" })
        {
            arguments.AddRange(["--ro", path]);
        }

        arguments.AddRange(["--rw", "/dev/null", "--rw", handle.Directory]);
        foreach (var port in handle.User.AllowedPorts)
        {
            arguments.AddRange(["--tcp-bind", port.ToString(CultureInfo.InvariantCulture)]);
        }

        arguments.AddRange(["--", DotnetHost, ContainerAssembly, "--user", handle.Name, "--control", controlSocket, "--queue", handle.Queue.ToString(CultureInfo.InvariantCulture)]);
        arguments.AddRange(["--hang-timeout-ms", settings.HangTimeoutMs.ToString(CultureInfo.InvariantCulture)]);
        arguments.AddRange(["--batch", settings.BatchSize.ToString(CultureInfo.InvariantCulture)]);
        arguments.AddRange(["--queue-max-length", settings.QueueMaxLength.ToString(CultureInfo.InvariantCulture)]);
        arguments.AddRange(["--log-level", settings.LogLevel]);
        if (settings.NoModuleLayer)
        {
            arguments.Add("--no-module-layer");
        }

        if (settings.ReaderCpu is { } cpu)
        {
            arguments.AddRange(["--reader-cpu", cpu.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A clean environment: nothing of netservd's leaks into a user's container.
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["HOME"] = handle.Directory;
        info.Environment["TMPDIR"] = Path.Combine(handle.Directory, "tmp");
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment["DOTNET_ROOT"] = dotnetRoot;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings.Environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private static string ResolveDotnet(string? configured)
    {
        var candidates = new List<string?> { configured };
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet")
        {
            candidates.Add(self);
        }

        candidates.Add(Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } root ? Path.Combine(root, "dotnet") : null);
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "dotnet")));
        candidates.AddRange(["/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet", "/usr/local/share/dotnet/dotnet"]);
        foreach (var candidate in candidates)
        {
            if (candidate is not null && File.Exists(candidate))
            {
                // Landlock rules and DOTNET_ROOT need the real install directory, not a symlink in /usr/bin.
                return new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(candidate);
            }
        }

        return configured ?? "/usr/share/dotnet/dotnet";
    }
}
