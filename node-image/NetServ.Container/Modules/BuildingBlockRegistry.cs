using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>The building block layer of this container: named services shared by every module.</summary>
internal sealed class BuildingBlockRegistry : IBuildingBlocks
{
    private readonly Dictionary<string, object?> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<object> _services = [];

    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>Offers a block under <paramref name="name"/>; <paramref name="service"/> may be null for blocks that are a capability rather than an object (the packet dispatcher).</summary>
    public void Add(string name, object? service)
    {
        _byName[name] = service;
        if (service is not null)
        {
            _services.Add(service);
        }
    }

    public bool Has(string name) => _byName.ContainsKey(name);

    public T? Find<T>()
        where T : class
    {
        foreach (var service in _services)
        {
            if (service is T match)
            {
                return match;
            }
        }

        return null;
    }

    public T Require<T>()
        where T : class =>
        Find<T>() ?? throw new InvalidOperationException($"this container offers no building block implementing {typeof(T).Name}");
}
