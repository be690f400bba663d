using Microsoft.Extensions.Logging;
using NetServ.Native;
using NetServ.Sdk.Packaging;

namespace NetServ.Node.Modules;

/// <summary>The node's module files: packages from <see cref="ModuleFetcher"/>'s cache, extracted into the users' container directories.</summary>
internal sealed partial class ModuleStore(ModuleFetcher fetcher, ILogger<ModuleStore> logger) : IModuleStore
{
    public Task<string> FetchAsync(Uri url, byte[] digest, CancellationToken cancellationToken) => fetcher.FetchAsync(url, digest, cancellationToken);

    public ModulePackageInfo Inspect(string package) => ModulePackage.Inspect(package);

    public void Place(string package, ModulePackageInfo info, string codeDirectory, string dataDirectory, int uid)
    {
        ModulePackage.Extract(package, info, codeDirectory);
        Directory.CreateDirectory(dataDirectory);

        // The module's code stays root's, readable only; its data is the container's to write.
        Interop.ChangeOwner(dataDirectory, uid, uid);
    }

    public void Delete(string codeDirectory, string dataDirectory)
    {
        foreach (var directory in new[] { codeDirectory, dataDirectory })
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            catch (IOException e)
            {
                Log.CleanupFailed(logger, directory, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2508, LogLevel.Warning, "Could not delete {Directory}: {Error}")]
        public static partial void CleanupFailed(ILogger logger, string directory, string error);
    }
}
