using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.Loader;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>
/// One collectible load context per module. The SDK (with NetServ.Networking, whose value types
/// it exposes), the framework and the building blocks come from the container's default context,
/// so every module shares them; anything else is loaded from the module's own directory.
/// Unloading the context frees the module's code and statics once nothing references them any more.
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private readonly string _directory;

    public ModuleLoadContext(string moduleName, string directory)
        : base($"module:{moduleName}", isCollectible: true)
    {
        ModuleName = moduleName;
        _directory = directory;
    }

    public string ModuleName { get; }

    /// <summary>The module whose code threw <paramref name="exception"/> (or one of its inner exceptions), if any.</summary>
    public static string? FindModuleOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            foreach (var frame in new System.Diagnostics.StackTrace(e, fNeedFileInfo: false).GetFrames())
            {
                var assembly = frame.GetMethod()?.DeclaringType?.Assembly;
                if (assembly is not null && GetLoadContext(assembly) is ModuleLoadContext module)
                {
                    return module.ModuleName;
                }
            }
        }

        return null;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Shared first: a module must see the container's NetServ.Sdk and NetServ.Networking, or its
        // IPacketProcessor or Ipv4Address would be a different type from the container's.
        if (IsShared(assemblyName))
        {
            return null;
        }

        var candidate = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override nint LoadUnmanagedDll(string unmanagedDllName)
    {
        // Modules may not bring native code: the building block layer wraps what native code there is.
        throw new InvalidOperationException($"modules may not load native libraries ({unmanagedDllName})");
    }

    private static bool IsShared(AssemblyName name)
    {
        // By name, so that a copy in the module's directory never wins, even before the container has loaded the assembly itself.
        if (SdkAssemblies.Contains(name.Name ?? string.Empty))
        {
            return true;
        }

        foreach (var assembly in Default.Assemblies)
        {
            if (AssemblyName.ReferenceMatchesDefinition(name, assembly.GetName()))
            {
                return true;
            }
        }

        return TrustedPlatformAssemblies.Value.Contains(name.Name ?? string.Empty);
    }

    private static readonly FrozenSet<string> SdkAssemblies = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        typeof(INetServModule).Assembly.GetName().Name!,
        typeof(Ipv4Address).Assembly.GetName().Name!,
        "NetServ.Sdk.Http");

    private static readonly Lazy<HashSet<string>> TrustedPlatformAssemblies = new(() =>
    {
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        return list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    });
}
