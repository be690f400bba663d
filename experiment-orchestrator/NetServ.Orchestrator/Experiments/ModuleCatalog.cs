using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// Finds the package of a module named on the command line: a .nupkg file; a folder of
/// applications/ (<c>NetMonitor</c>: package <c>NetServ.Apps.NetMonitor</c>, packed when missing or stale);
/// or a package id with a package in artifacts/modules. Folder names are matched in any case.
/// </summary>
internal static class ModuleCatalog
{
    private const string ApplicationPrefix = "NetServ.Apps.";

    /// <summary>The package file of <paramref name="module"/>.</summary>
    /// <exception cref="ExperimentException">No such module.</exception>
    public static string Resolve(string module)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        if (module.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase))
        {
            return File.Exists(module) ? Path.GetFullPath(module) : throw new ExperimentException($"module package {module} does not exist");
        }

        var application = module.StartsWith(ApplicationPrefix, StringComparison.Ordinal) ? module[ApplicationPrefix.Length..] : module;
        // Folder names and package ids differ in case (applications/ActiveCDN packs NetServ.Apps.ActiveCdn): the project names the package.
        var folder = Applications().FirstOrDefault(a => a.Equals(application, StringComparison.OrdinalIgnoreCase));
        var project = folder is null ? null : Directory.EnumerateFiles(Path.Combine(BuildOutputs.RepositoryRoot, "applications", folder), $"{ApplicationPrefix}*.csproj").FirstOrDefault();
        if (project is not null)
        {
            return BuildOutputs.EnsurePackage(Path.GetFileNameWithoutExtension(project), $"applications/{folder}", VersionOf(project));
        }

        var packed = Directory.Exists(BuildOutputs.ModulesDirectory)
            ? Directory.EnumerateFiles(BuildOutputs.ModulesDirectory, $"{module}.*.nupkg").Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return packed ?? throw new ExperimentException(
            $"unknown module '{module}': not a .nupkg file, not a folder of applications/ ({string.Join(", ", Applications())}), and no {module}.*.nupkg in {BuildOutputs.ModulesDirectory}");
    }

    /// <summary>The project's &lt;Version&gt;, 1.0.0 where it sets none.</summary>
    private static string VersionOf(string project) =>
        System.Xml.Linq.XDocument.Load(project).Descendants("Version").FirstOrDefault()?.Value.Trim() is { Length: > 0 } version ? version : "1.0.0";

    private static IEnumerable<string> Applications() =>
        Directory.EnumerateDirectories(Path.Combine(BuildOutputs.RepositoryRoot, "applications")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
}

/// <summary>An experiment cannot go on; the message says why, for a person.</summary>
internal sealed class ExperimentException : Exception
{
    public ExperimentException()
    {
    }

    public ExperimentException(string message)
        : base(message)
    {
    }

    public ExperimentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
