using NetServ.Sdk.Packaging;

namespace NetServ.Node.Modules;

/// <summary>
/// Where module packages come from and where their files go: the package cache, and each module's
/// code and data directories inside its user's container directory. The installer works through this
/// interface so that it can be tested without downloads or root.
/// </summary>
internal interface IModuleStore
{
    /// <summary>Returns the path of the verified package, downloading it when the cache lacks it.</summary>
    /// <exception cref="ModuleFetchException">The package could not be had; the exception's status says what kind of failure it was.</exception>
    Task<string> FetchAsync(Uri url, byte[] digest, CancellationToken cancellationToken);

    /// <summary>Reads what the package holds without loading any of its code.</summary>
    /// <exception cref="ModulePackageException">The package is not a module.</exception>
    ModulePackageInfo Inspect(string package);

    /// <summary>Extracts the module's assemblies into its code directory and creates its data directory, owned by the container's uid.</summary>
    /// <exception cref="ModulePackageException">The package expands beyond the limit.</exception>
    void Place(string package, ModulePackageInfo info, string codeDirectory, string dataDirectory, int uid);

    /// <summary>Deletes a module's code and data directories; a directory that cannot be deleted is logged, not thrown.</summary>
    void Delete(string codeDirectory, string dataDirectory);
}
