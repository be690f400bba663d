namespace NetServ.Testbed.Linux;

/// <summary>
/// A chain of the filter table that a run makes in one of its namespaces, jumped to from a built-in
/// chain, so that what the run adds stays apart from chains that belong to others (netservd's own).
/// It is noted in the run's <see cref="LabRunRecord"/> once it exists; disposing removes the jump,
/// the rules and the chain.
/// </summary>
public sealed class IptablesChain : IDisposable
{
    /// <summary>Every chain the project makes starts with this, as its namespaces do.</summary>
    public const string NamePrefix = NetworkNamespace.NamePrefix;

    /// <summary>The longest chain name iptables takes.</summary>
    public const int MaxNameLength = 28;

    private static readonly string[] BuiltInChains = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

    private readonly NetworkNamespace _ns;
    private readonly RunResource _resource;
    private bool _disposed;

    private IptablesChain(NetworkNamespace ns, string name)
    {
        _ns = ns;
        Name = name;
        _resource = RunResource.Chain(ns.Name, name);
    }

    /// <summary>The chain's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Makes the chain <paramref name="name"/> in <paramref name="ns"/> and appends a jump to it at the
    /// end of <paramref name="hook"/>, after whatever is there (netservd's jump to its chain included).
    /// </summary>
    public static IptablesChain Create(NetworkNamespace ns, string name, string hook = "FORWARD")
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (!IsProjectChain(name))
        {
            throw new ArgumentException($"chain names start with '{NamePrefix}' and have at most {MaxNameLength} letters, digits, '-' or '_': '{name}'", nameof(name));
        }

        if (!BuiltInChains.Contains(hook, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{hook}' is not a built-in chain", nameof(hook));
        }

        ns.ExecChecked("iptables", "-N", name);
        var chain = new IptablesChain(ns, name);
        // Noted once it exists, never before: a record must not name a chain of someone else's that had the name.
        LabRunRecord.Current.Add(chain._resource);
        try
        {
            ns.ExecChecked("iptables", "-A", hook, "-j", name);
        }
        catch
        {
            chain.Dispose();
            throw;
        }

        return chain;
    }

    /// <summary>Whether <paramref name="name"/> is a name the project gives its chains.</summary>
    public static bool IsProjectChain(string? name) =>
        name is { Length: > 0 and <= MaxNameLength }
        && name.StartsWith(NamePrefix, StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Appends a rule (what follows <c>-A chain</c>) to the chain.</summary>
    public void Append(IReadOnlyList<string> rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _ns.ExecChecked("iptables", ["-A", Name, .. rule]);
    }

    /// <summary>
    /// Removes the chain <paramref name="name"/> from the namespace called <paramref name="namespaceName"/>:
    /// every jump to it from a built-in chain, its rules, the chain. Nothing happens when the namespace or
    /// the chain is gone.
    /// </summary>
    public static void Remove(string namespaceName, string name)
    {
        ArgumentNullException.ThrowIfNull(namespaceName);
        if (!NetworkNamespace.ExistsNamed(namespaceName))
        {
            LabRunRecord.NoteRemoved(RunResource.Chain(namespaceName, name));
            return;
        }

        foreach (var hook in BuiltInChains)
        {
            var listing = CommandRunner.Run("ip", ["netns", "exec", namespaceName, "iptables", "-S", hook]);
            foreach (var line in listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var words = line.Split(' ');
                if (words.Length >= 4 && words[0] == "-A" && words[^2] == "-j" && words[^1] == name)
                {
                    CommandRunner.Run("ip", ["netns", "exec", namespaceName, "iptables", "-D", .. words[1..]]);
                }
            }
        }

        CommandRunner.Run("ip", ["netns", "exec", namespaceName, "iptables", "-F", name]);
        var deleted = CommandRunner.Run("ip", ["netns", "exec", namespaceName, "iptables", "-X", name]);
        var present = CommandRunner.Run("ip", ["netns", "exec", namespaceName, "iptables", "-S", name]).Succeeded;
        if (present)
        {
            throw new InvalidOperationException($"chain {name} in {namespaceName} could not be removed: {deleted.StandardError.Trim()}");
        }

        LabRunRecord.NoteRemoved(RunResource.Chain(namespaceName, name));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Remove(_ns.Name, Name);
    }
}
