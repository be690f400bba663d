using System.Globalization;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>
/// An exact packet count from the kernel: an iptables rule in a namespace whose packet counter is
/// read (<c>iptables -nvxL</c>) and zeroed (<c>-Z</c>). At a receiver the rule drops what it counts,
/// so no socket (and no socket buffer that could overflow) is involved. Disposing removes the rule.
/// </summary>
public sealed class IptablesCounter : IDisposable
{
    private readonly NetworkNamespace _ns;
    private readonly string[] _specification;
    private bool _disposed;

    private IptablesCounter(NetworkNamespace ns, string chain, string comment, string[] specification)
    {
        _ns = ns;
        Chain = chain;
        Comment = comment;
        _specification = specification;
    }

    /// <summary>The chain holding the rule.</summary>
    public string Chain { get; }

    /// <summary>The rule's comment, which identifies it in listings.</summary>
    public string Comment { get; }

    /// <summary>
    /// Inserts, first in <paramref name="chain"/> of <paramref name="ns"/>, a rule matching UDP to
    /// <paramref name="port"/> that jumps to <paramref name="target"/> (DROP at a receiver).
    /// </summary>
    public static IptablesCounter InstallUdp(NetworkNamespace ns, ushort port, string chain = "INPUT", string target = "DROP", string comment = "netserv counter") =>
        InstallUdp(ns, port, port, chain, target, comment);

    /// <summary>
    /// Inserts, first in <paramref name="chain"/> of <paramref name="ns"/>, a rule matching UDP to any port from
    /// <paramref name="firstPort"/> to <paramref name="lastPort"/> that jumps to <paramref name="target"/>.
    /// </summary>
    public static IptablesCounter InstallUdp(NetworkNamespace ns, ushort firstPort, ushort lastPort, string chain = "INPUT", string target = "DROP", string comment = "netserv counter")
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastPort, firstPort);
        var ports = firstPort == lastPort
            ? firstPort.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{firstPort}:{lastPort}");
        string[] specification =
        [
            "-p", "udp", "--dport", ports,
            "-m", "comment", "--comment", comment, "-j", target,
        ];
        ns.ExecChecked("iptables", ["-I", chain, "1", .. specification]);
        return new IptablesCounter(ns, chain, comment, specification);
    }

    /// <summary>The rule's packet count.</summary>
    public long Read() => ReadCounter(_ns, Chain, Comment, zero: false);

    /// <summary>Zeroes the chain's counters.</summary>
    public void Zero() => _ns.ExecChecked("iptables", "-Z", Chain);

    /// <summary>
    /// The packet count of the rule carrying <paramref name="comment"/> in <paramref name="chain"/>;
    /// with <paramref name="zero"/>, the chain's counters are zeroed in the same call.
    /// </summary>
    public static long ReadCounter(NetworkNamespace ns, string chain, string comment, bool zero = false)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var output = zero
            ? ns.ExecChecked("iptables", "-nvxL", chain, "-Z").StandardOutput
            : ns.ExecChecked("iptables", "-nvxL", chain).StandardOutput;
        foreach (var rule in ParseListing(output))
        {
            if (rule.Text.Contains($"/* {comment} */", StringComparison.Ordinal))
            {
                return rule.Packets;
            }
        }

        throw new InvalidOperationException($"no rule with comment '{comment}' in {chain} of {ns.Name}:\n{output}");
    }

    /// <summary>The packet counts of the rules of <paramref name="chain"/> that jump to <paramref name="target"/>, summed.</summary>
    public static long SumByTarget(NetworkNamespace ns, string chain, string target)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var result = ns.Exec("iptables", "-nvxL", chain);
        return result.Succeeded ? ParseListing(result.StandardOutput).Where(r => r.Target == target).Sum(r => r.Packets) : 0;
    }

    /// <summary>The rules of an <c>iptables -nvxL CHAIN</c> listing: packets, bytes, target, and the whole line.</summary>
    public static IReadOnlyList<(long Packets, long Bytes, string Target, string Text)> ParseListing(string listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var rules = new List<(long, long, string, string)>();
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3
                && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var packets)
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            {
                rules.Add((packets, bytes, fields[2], line));
            }
        }

        return rules;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _ns.Exec("iptables", ["-D", Chain, .. _specification]);
    }
}
