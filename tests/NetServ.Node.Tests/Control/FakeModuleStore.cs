using NetServ.Node.Modules;
using NetServ.Sdk.Packaging;

namespace NetServ.Node.Tests.Control;

/// <summary>
/// Module packages and files in memory: a package holds the module its URL names
/// (<c>…/NetServ.Apps.NetMonitor_1.0.0.nupkg</c>), and the directories a module's files would take
/// are kept in a set, so a test sees what an install left behind.
/// </summary>
internal sealed class FakeModuleStore : IModuleStore
{
    /// <summary>The code and data directories that exist now.</summary>
    public HashSet<string> Directories { get; } = new(StringComparer.Ordinal);

    /// <summary>The URLs fetched, in order.</summary>
    public List<Uri> Fetched { get; } = [];

    /// <summary>When set, every package holds this module instead of the one its URL names.</summary>
    public string? PackageHolds { get; set; }

    /// <summary>When set, placing files fails with this after the code directory was written, as an extraction stopped at the size limit does.</summary>
    public ModulePackageException? PlaceFails { get; set; }

    public Task<string> FetchAsync(Uri url, byte[] digest, CancellationToken cancellationToken)
    {
        Fetched.Add(url);
        return Task.FromResult($"/var/cache/netserv-test/{Path.GetFileName(url.AbsolutePath)}");
    }

    public ModulePackageInfo Inspect(string package)
    {
        var module = PackageHolds ?? Path.GetFileNameWithoutExtension(package);
        var underscore = module.LastIndexOf('_');
        var id = module[..underscore];
        return new ModulePackageInfo(id, module[(underscore + 1)..], $"{id}.dll", $"{id}.Module", [$"{id}.dll"]);
    }

    public void Place(string package, ModulePackageInfo info, string codeDirectory, string dataDirectory, int uid)
    {
        Directories.Add(codeDirectory);
        if (PlaceFails is { } failure)
        {
            throw failure;
        }

        Directories.Add(dataDirectory);
    }

    public void Delete(string codeDirectory, string dataDirectory)
    {
        Directories.Remove(codeDirectory);
        Directories.Remove(dataDirectory);
    }
}
