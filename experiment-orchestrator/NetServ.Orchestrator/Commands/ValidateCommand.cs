using System.CommandLine;
using System.Xml;
using System.Xml.Linq;
using NetServ.Orchestrator.Experiments;
using NetServ.RSpec;
using NetServ.Testbed.Local;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// <c>netserv-lab validate RSPEC [--remap-addresses]</c>: says two things apart, creating nothing. First
/// whether the file is a valid GENI RSpec v3 request, what an aggregate would accept (errors as
/// <c>file:line:column: why</c>; extension elements are kept, not judged); then what the local testbed
/// can realise of it and why not: the addresses it would choose, the subnets it would remap, what it
/// leaves out. Exit 0 when it can realise it, 2 when the file is not a valid request, 3 when it is a
/// valid request the local testbed cannot realise.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>The exit code of a valid request that the local testbed cannot realise.</summary>
    public const int NotRealisable = 3;

    private const string RSpecNamespace = "http://www.geni.net/resources/rspec/3";

    // The elements that define what client ids name.
    private static readonly string[] Definitions = ["node", "interface", "link"];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var rspec = new Argument<string>("rspec") { Description = "the GENI RSpec v3 request file" };
        var remap = RemapAddressesOption();
        var command = new Command("validate", "Check that an rspec is a valid GENI v3 request, then whether the local testbed can realise it and why not (creates nothing)") { rspec, remap };
        command.SetAction(result => Validate(result.GetValue(rspec)!, result.GetValue(remap), output, error));
        return command;
    }

    /// <summary>The option that lets the local testbed map subnets outside 198.18.0.0/15 into it (validate and run share it).</summary>
    public static Option<bool> RemapAddressesOption() => new("--remap-addresses")
    {
        Description = "map each subnet outside 198.18.0.0/15 to one of the same size inside it (host bits kept), in the interfaces and in the execute services' command lines; the map is printed",
    };

    /// <summary>The lines that say which addresses the local testbed chose and which subnets it remapped.</summary>
    public static IEnumerable<string> AddressLines(IReadOnlyList<SubnetMapping> map, IReadOnlyList<AssignedAddress> assigned) =>
        map.Select(m => $"address map: {m.From} -> {m.To}").Concat(assigned.Select(a => $"address chosen: {a}"));

    /// <summary>
    /// Reads and checks <paramref name="path"/>: first whether it is a valid GENI RSpec v3 request, then
    /// what the local testbed can realise of it and why not. What is not realised goes to
    /// <paramref name="output"/>, what prevents realising to <paramref name="error"/>, each as
    /// <c>file:line:column:</c> of the element it is about. Returns the exit code.
    /// </summary>
    public static int Validate(string path, bool remapAddresses, TextWriter output, TextWriter error)
    {
        if (!TryRead(path, error, out var request))
        {
            return 2;
        }

        output.WriteLine($"{path}: a valid GENI RSpec v3 request: {Count(request.Nodes.Count, "node")}, {Count(request.Links.Count, "link")}");
        var check = LocalTestbed.Check(request, remapAddresses);
        foreach (var line in AddressLines(check.AddressMap, check.Assigned))
        {
            output.WriteLine(line);
        }

        var document = check.Problems.Count + check.NotRealised.Count > 0 ? XDocument.Load(path, LoadOptions.SetLineInfo) : null;
        foreach (var finding in check.NotRealised)
        {
            output.WriteLine($"{path}:{Locate(document!, finding)}: not realised locally: {finding.Message}");
        }

        if (!check.CanRealise)
        {
            foreach (var problem in check.Problems)
            {
                error.WriteLine($"{path}:{Locate(document!, problem)}: {problem.Message}");
            }

            error.WriteLine($"netserv-lab: {path} is a valid GENI RSpec v3 request, but it cannot be realised on the local testbed ({Count(check.Problems.Count, "problem")})");
            return NotRealisable;
        }

        output.WriteLine(
            $"the local testbed can realise it: {Count(check.Namespaces, "network namespace")}, {Count(check.VethPairs, "veth pair")}" +
            (check.Lans > 0 ? $", {Count(check.Lans, "LAN bridge")}" : string.Empty) +
            (check.NotRealised.Count > 0 ? $"; without what the {(check.NotRealised.Count == 1 ? "line" : $"{check.NotRealised.Count} lines")} above say{(check.NotRealised.Count == 1 ? "s" : string.Empty)}" : string.Empty));
        var netserv = ExperimentTopology.NetServNodes(request, null);
        output.WriteLine(netserv.Count == 0
            ? "NetServ nodes: none (no execute service starts netservd; name them with run --netserv-nodes)"
            : $"NetServ nodes: {string.Join(", ", netserv)} (their execute service starting netservd is replaced by the deploy phase on the local testbed)");
        return 0;
    }

    /// <summary>Reads the request, printing <c>file:line:column: why</c> when it is not one.</summary>
    public static bool TryRead(string path, TextWriter error, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RequestRSpec? request)
    {
        request = null;
        try
        {
            request = RSpecFile.Read(path);
            return true;
        }
        catch (RSpecFormatException e)
        {
            error.WriteLine(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"netserv-lab: cannot read {path}: {e.Message}");
        }

        return false;
    }

    /// <summary>
    /// Where a finding is: the element that defines the node, interface or link it is about (not an
    /// <c>interface_ref</c> or a property that names it), the root for the request as a whole; the
    /// extension element inside it when the finding is about one.
    /// </summary>
    private static string Locate(XDocument document, LocalTestbedFinding finding)
    {
        var element = finding.Subject is not { } subject
            ? document.Root
            : document.Descendants().FirstOrDefault(e => e.Name.NamespaceName == RSpecNamespace && Definitions.Contains(e.Name.LocalName) && (string?)e.Attribute("client_id") == subject);
        if (finding.Element is { } name)
        {
            element = element?.Element(name) ?? element;
        }

        return element is IXmlLineInfo info && info.HasLineInfo() ? $"{info.LineNumber}:{info.LinePosition}" : "1:1";
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";
}
