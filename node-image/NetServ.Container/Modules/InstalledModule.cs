using NetServ.Container.Packets;
using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>A module running in this container: its load context, instance, context and packet slot.</summary>
internal sealed class InstalledModule(string name, ModuleLoadContext loadContext, INetServModule instance, ModuleContext context, ModuleSlot? slot)
{
    public string Name { get; } = name;

    public ModuleLoadContext LoadContext { get; } = loadContext;

    public INetServModule Instance { get; } = instance;

    public ModuleContext Context { get; } = context;

    public ModuleSlot? Slot { get; } = slot;

    public DateTimeOffset Started { get; init; }
}
