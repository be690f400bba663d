using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>The building block layer of this container: named services shared by every module.</summary>
internal sealed class BuildingBlockRegistry : IBuildingBlocks
{
    private readonly Dictionary<string, object?> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<object> _services = [];
    private readonly List<(Type Contract, Lazy<object> Service)> _lazy = [];

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

    /// <summary>
    /// Offers a block that is created the first time a module asks for <typeparamref name="T"/>:
    /// for blocks whose code is costly to load (ASP.NET Core for the HTTP server).
    /// </summary>
    public void AddLazy<T>(string name, Func<T> create)
        where T : class
    {
        _byName[name] = null;
        _lazy.Add((typeof(T), new Lazy<object>(create, LazyThreadSafetyMode.ExecutionAndPublication)));
    }

    /// <summary>Whether a lazily offered block has been created.</summary>
    public bool IsCreated<T>()
        where T : class =>
        _lazy.Any(l => l.Contract == typeof(T) && l.Service.IsValueCreated);

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

        foreach (var (contract, service) in _lazy)
        {
            if (typeof(T).IsAssignableFrom(contract))
            {
                return (T)service.Value;
            }
        }

        return null;
    }

    public T Require<T>()
        where T : class =>
        Find<T>() ?? throw new InvalidOperationException($"this container offers no building block implementing {typeof(T).Name}");
}
