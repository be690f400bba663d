namespace NetServ.Sdk;

/// <summary>
/// The building block layer of a container: services preloaded by the node operator and
/// shared by every module of the container. A SETUP request lists the blocks a module needs in
/// its <c>dependencies</c> header; the node refuses the module where one is missing.
/// </summary>
public interface IBuildingBlocks
{
    /// <summary>The names of the blocks this container offers (see <see cref="BuildingBlockNames"/>).</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Whether the container offers the block called <paramref name="name"/>.</summary>
    bool Has(string name);

    /// <summary>Returns the block implementing <typeparamref name="T"/>, or <see langword="null"/>.</summary>
    T? Find<T>()
        where T : class;

    /// <summary>Returns the block implementing <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The container offers no such block.</exception>
    T Require<T>()
        where T : class;
}
