namespace NetServ.Testbed.Local;

/// <summary>How <see cref="LocalTestbed"/> realises a request. The defaults suit experiments and tests.</summary>
public sealed class LocalTestbedOptions
{
    /// <summary>How long one <c>execute</c> service may run before it is killed (and recorded as timed out).</summary>
    public TimeSpan ExecuteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many characters of each of a service's output streams are kept.</summary>
    public int OutputLimit { get; init; } = 64 * 1024;

    /// <summary>
    /// Whether realising runs the nodes' <c>execute</c> services. An experiment runner that deploys
    /// software first turns this off and runs them later with <see cref="LocalTestbed.RunServiceAsync"/>.
    /// </summary>
    public bool RunExecuteServices { get; init; } = true;

    /// <summary>
    /// Whether subnets outside 198.18.0.0/15 are mapped into it (each to a free subnet of the same size,
    /// host bits kept, in the interfaces and in the execute services' command lines) instead of refused.
    /// </summary>
    public bool RemapAddresses { get; init; }

    /// <summary>The MTU of every veth pair.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>The tag in every namespace name, instead of a random one (tests look for their namespaces by it).</summary>
    internal string? NetworkId { get; init; }

    /// <summary>Called with the name of each step before it runs (tests make a step fail).</summary>
    internal Action<string>? BeforeStep { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    internal void Validate()
    {
        if (ExecuteTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ExecuteTimeout), ExecuteTimeout, "ExecuteTimeout must be positive");
        }

        if (OutputLimit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OutputLimit), OutputLimit, "OutputLimit must be positive");
        }

        if (Mtu is < 68 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Mtu), Mtu, "Mtu must be 68 to 65535");
        }
    }
}
