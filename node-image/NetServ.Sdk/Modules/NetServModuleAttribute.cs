namespace NetServ.Sdk;

/// <summary>
/// Names the entry type of a module package. Every module assembly carries exactly one,
/// for example <c>[assembly: NetServModule(typeof(NetMonitorModule))]</c>.
/// </summary>
/// <remarks>
/// The node reads this attribute from the assembly's metadata before loading it, so a package
/// without it is refused as "not a module". The entry type must be public, non-abstract, have a
/// public parameterless constructor and implement <see cref="INetServModule"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public sealed class NetServModuleAttribute : Attribute
{
    /// <summary>Creates the attribute naming <paramref name="entryType"/> as the module's entry type.</summary>
    /// <param name="entryType">The type the container instantiates when the module is installed.</param>
    public NetServModuleAttribute(Type entryType) => EntryType = entryType;

    /// <summary>The type the container instantiates when the module is installed.</summary>
    public Type EntryType { get; }
}
