using System.Diagnostics;
using NetServ.Testbed.Linux;

namespace NetServ.NodeImage;

/// <summary>
/// Publishes the payload (<see cref="PayloadLayout"/>) from the repository: every program
/// self-contained for linux-x64 into bin/ (one shared copy of the runtime), a launcher per
/// application server in apps/, the module packages ./lab build packed into modules/, and VERSION.
/// </summary>
internal static class PayloadPublisher
{
    public static TimeSpan Publish(ImageRecipe recipe, TextWriter log)
    {
        var watch = Stopwatch.StartNew();
        var root = recipe.Payload;
        var modules = Path.Combine(recipe.RepositoryRoot, "artifacts", "modules");
        var packages = Directory.Exists(modules) ? Directory.GetFiles(modules, PayloadLayout.ModulePackagePattern) : [];
        if (packages.Length == 0)
        {
            throw new ImageBuildException($"no module packages ({PayloadLayout.ModulePackagePattern}) in {modules}: run ./lab build first");
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var bin = Path.Combine(root, PayloadLayout.BinDirectory);
        foreach (var (project, program) in PayloadLayout.AppServers.Concat(PayloadLayout.NodePrograms))
        {
            log.WriteLine($"netserv-image: publishing {program} ({PayloadLayout.RuntimeIdentifier}, self-contained)");
            var result = CommandRunner.Run(
                "dotnet",
                ["publish", Path.Combine(recipe.RepositoryRoot, project), "-c", "Release", "-r", PayloadLayout.RuntimeIdentifier,
                 "--self-contained", "-p:SelfContained=true", "-o", bin, "--nologo", "-v", "quiet", "-clp:ErrorsOnly"],
                TimeSpan.FromMinutes(10));
            if (!result.Succeeded)
            {
                throw new ImageBuildException($"dotnet publish of {project} failed: {DebianRootfs.Tail(result.StandardOutput + result.StandardError)}");
            }
        }

        foreach (var file in Directory.EnumerateFiles(bin).Where(f => PayloadLayout.IsLeftOut(Path.GetFileName(f))))
        {
            File.Delete(file);
        }

        var apps = Directory.CreateDirectory(Path.Combine(root, PayloadLayout.AppsDirectory)).FullName;
        foreach (var (_, program) in PayloadLayout.AppServers)
        {
            var launcher = Path.Combine(apps, program);
            File.WriteAllText(launcher, PayloadLayout.AppLauncher(program));
            File.SetUnixFileMode(launcher, TarFiles.Executable);
        }

        AddMuxer(root, bin);
        var moduleDirectory = Directory.CreateDirectory(Path.Combine(root, PayloadLayout.ModulesDirectory)).FullName;
        foreach (var package in packages)
        {
            File.Copy(package, Path.Combine(moduleDirectory, Path.GetFileName(package)));
        }

        File.WriteAllText(Path.Combine(root, PayloadLayout.VersionFile), ImageRecipe.Version + "\n");
        var missing = PayloadLayout.Missing(root);
        if (missing.Count > 0)
        {
            throw new ImageBuildException($"the published payload lacks {string.Join(", ", missing)}");
        }

        return watch.Elapsed;
    }

    private static void AddMuxer(string root, string bin)
    {
        var dotnet = CommandRunner.FindOnPath("dotnet") is { } onPath ? new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath : null;
        if (dotnet is null)
        {
            throw new ImageBuildException("the dotnet muxer is not on the PATH: it is copied into the payload to start containers");
        }

        var directory = Path.Combine(root, PayloadLayout.DotnetDirectory);
        var fxr = Directory.CreateDirectory(Path.Combine(directory, "host", "fxr", Environment.Version.ToString())).FullName;
        File.Copy(dotnet, Path.Combine(directory, "dotnet"));
        File.SetUnixFileMode(Path.Combine(directory, "dotnet"), TarFiles.Executable);
        File.Copy(Path.Combine(bin, "libhostfxr.so"), Path.Combine(fxr, "libhostfxr.so"));
    }

    /// <summary>Bytes under <paramref name="directory"/>.</summary>
    public static long Size(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
