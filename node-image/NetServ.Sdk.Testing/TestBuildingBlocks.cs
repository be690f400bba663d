namespace NetServ.Sdk.Testing;

/// <summary>The building blocks a test gives a module (none by default): each object is found by its type.</summary>
public sealed class TestBuildingBlocks(params object[] blocks) : IBuildingBlocks
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Names => [.. blocks.Select(b => b.GetType().Name)];

    /// <inheritdoc />
    public bool Has(string name) => Names.Contains(name);

    /// <inheritdoc />
    public T? Find<T>()
        where T : class => blocks.OfType<T>().FirstOrDefault();

    /// <inheritdoc />
    public T Require<T>()
        where T : class => Find<T>() ?? throw new InvalidOperationException($"no {typeof(T).Name} in this test's building blocks");
}
