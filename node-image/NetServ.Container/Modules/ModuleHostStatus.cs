using NetServ.Contracts.Status;

namespace NetServ.Container.Modules;

/// <summary>The module host's part of the container's status report: its modules and its load contexts.</summary>
internal sealed record ModuleHostStatus(
    IReadOnlyList<ModuleLiveStatus> Modules,
    int LoadedModuleContexts,
    IReadOnlyList<string> UnloadingModuleContexts);
