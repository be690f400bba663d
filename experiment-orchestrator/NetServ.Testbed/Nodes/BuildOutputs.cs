using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Nodes;

/// <summary>
/// Where `./lab build` puts what runs on a node: the published node layout (netservd,
/// netserv-container, netserv-sandbox) and the module packages. Builds what is missing, so a test
/// run straight from `dotnet test` works too.
/// </summary>
public static class BuildOutputs
{
    private static readonly Lock BuildLock = new();
    private static readonly string[] NodeFiles = ["netservd.dll", "netserv-container.dll", "netserv-sandbox", "netserv.dll"];

    /// <summary>The repository root: the first folder upwards holding NetServ.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The published node layout: artifacts/node.</summary>
    public static string NodeDirectory => Path.Combine(RepositoryRoot, "artifacts", "node");

    /// <summary>The module packages: artifacts/modules.</summary>
    public static string ModulesDirectory => Path.Combine(RepositoryRoot, "artifacts", "modules");

    /// <summary>Makes sure the node layout exists (publishing it when it does not) and returns its folder.</summary>
    public static string EnsureNode()
    {
        lock (BuildLock)
        {
            var outputs = NodeFiles.Select(f => Path.Combine(NodeDirectory, f)).ToArray();
            if (outputs.Any(f => !File.Exists(f)) || IsStale(outputs.Min(File.GetLastWriteTimeUtc), "node-image"))
            {
                foreach (var project in new[] { "node-image/NetServ.Node/NetServ.Node.csproj", "node-image/NetServ.Container/NetServ.Container.csproj", "node-image/NetServ.Cli/NetServ.Cli.csproj" })
                {
                    Dotnet("publish", Path.Combine(RepositoryRoot, project), "-c", "Release", "-o", NodeDirectory, "--nologo");
                }

                // A publish leaves files whose content did not change as they were: without this, a source newer than
                // the oldest of them (a change under node-image that does not touch the node) made every run publish again.
                var now = DateTime.UtcNow;
                foreach (var output in outputs)
                {
                    File.SetLastWriteTimeUtc(output, now);
                }
            }

            return NodeDirectory;
        }
    }

    /// <summary>Returns the package of module <paramref name="packageId"/> 1.0.0, packing <paramref name="project"/> (relative to the root) when it is missing.</summary>
    public static string EnsurePackage(string packageId, string project, string version = "1.0.0")
    {
        lock (BuildLock)
        {
            var path = Path.Combine(ModulesDirectory, $"{packageId}.{version}.nupkg");
            if (!File.Exists(path) || IsStale(File.GetLastWriteTimeUtc(path), Path.GetDirectoryName(project) ?? project, "node-image/NetServ.Sdk"))
            {
                Dotnet("pack", Path.Combine(RepositoryRoot, project), "-c", "Release", "--nologo");
            }

            return File.Exists(path) ? path : throw new FileNotFoundException($"packing {project} did not produce {path}");
        }
    }

    /// <summary>Whether a source or build file under <paramref name="folders"/> is newer than the output (a test run after an edit rebuilds).</summary>
    private static bool IsStale(DateTime output, params string[] folders)
    {
        string[] patterns = ["*.cs", "*.csproj", "*.c", "*.props", "*.targets"];
        foreach (var folder in folders.Select(f => Path.Combine(RepositoryRoot, f)).Where(Directory.Exists))
        {
            foreach (var pattern in patterns)
            {
                if (Directory.EnumerateFiles(folder, pattern, SearchOption.AllDirectories).Any(f => File.GetLastWriteTimeUtc(f) > output))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void Dotnet(params string[] arguments)
    {
        var result = CommandRunner.Run("dotnet", arguments, TimeSpan.FromMinutes(5));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed: {result.StandardOutput}{result.StandardError}");
        }
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "NetServ.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find the NetServ repository (NetServ.sln) above " + AppContext.BaseDirectory);
    }
}
