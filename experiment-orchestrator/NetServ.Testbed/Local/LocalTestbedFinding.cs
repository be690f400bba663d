using NetServ.RSpec;

namespace NetServ.Testbed.Local;

/// <summary>
/// One thing the local testbed says about a request: a reason it cannot realise it, or a part of it
/// that it realises differently or not at all.
/// </summary>
/// <param name="Subject">The client id of the node, interface or link the finding is about, or <see langword="null"/> when it is about the request as a whole.</param>
/// <param name="Message">What and why, naming the subject and the local limitation.</param>
public sealed record LocalTestbedFinding(string? Subject, string Message)
{
    /// <summary>The extension element the finding is about, inside the subject (or the root), when it is about one.</summary>
    public System.Xml.Linq.XName? Element { get; init; }

    /// <summary>The message.</summary>
    public override string ToString() => Message;
}

/// <summary>What the local testbed makes of a request, worked out without creating anything.</summary>
/// <param name="Problems">Why the request cannot be realised here; empty when it can.</param>
/// <param name="NotRealised">What of the request the local testbed does not realise (shaping, tunnels, extensions…), or realises otherwise; realisation goes ahead without it.</param>
/// <param name="Namespaces">How many network namespaces realising it makes (one per node, one per LAN for its bridge).</param>
/// <param name="VethPairs">How many veth pairs it makes (one per link of two, one per interface of a LAN).</param>
public sealed record LocalTestbedCheck(
    IReadOnlyList<LocalTestbedFinding> Problems,
    IReadOnlyList<LocalTestbedFinding> NotRealised,
    int Namespaces,
    int VethPairs)
{
    /// <summary>How many LANs (links of three interfaces or more) it realises as a bridge.</summary>
    public int Lans { get; init; }

    /// <summary>The addresses the local testbed would choose for interfaces the request gives none.</summary>
    public IReadOnlyList<AssignedAddress> Assigned { get; init; } = [];

    /// <summary>The subnets outside 198.18.0.0/15 and where they would be mapped (when remapping was asked for).</summary>
    public IReadOnlyList<SubnetMapping> AddressMap { get; init; } = [];

    /// <summary>The request as it would be realised: chosen and remapped addresses in place; <see langword="null"/> only for a check built by hand.</summary>
    public RequestRSpec? Request { get; init; }

    /// <summary>Whether the request can be realised here.</summary>
    public bool CanRealise => Problems.Count == 0;
}

/// <summary>Counted nouns, as messages say them ("1 node", "2 nodes").</summary>
internal static class Counted
{
    public static string Of(int count, string noun, string? plural = null) => $"{count} {(count == 1 ? noun : plural ?? noun + "s")}";

    /// <summary>The items as "a", "a and b", "a, b and c".</summary>
    public static string List(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";
}
