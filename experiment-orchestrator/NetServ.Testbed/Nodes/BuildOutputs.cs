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
            if (!File.Exists(Path.Combine(NodeDirectory, "netservd.dll")) || !File.Exists(Path.Combine(NodeDirectory, "netserv-container.dll")) || !File.Exists(Path.Combine(NodeDirectory, "netserv-sandbox")))
            {
                foreach (var project in new[] { "node-image/NetServ.Node/NetServ.Node.csproj", "node-image/NetServ.Container/NetServ.Container.csproj", "node-image/NetServ.Cli/NetServ.Cli.csproj" })
                {
                    Dotnet("publish", Path.Combine(RepositoryRoot, project), "-c", "Release", "-o", NodeDirectory, "--nologo");
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
            if (!File.Exists(path))
            {
                Dotnet("pack", Path.Combine(RepositoryRoot, project), "-c", "Release", "--nologo");
            }

            return File.Exists(path) ? path : throw new FileNotFoundException($"packing {project} did not produce {path}");
        }
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
