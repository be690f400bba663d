using System.CommandLine;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using NetServ.Orchestrator.Experiments;
using NetServ.RSpec;
using NetServ.Testbed.Local;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// <c>netserv-lab validate RSPEC</c>: reads the request (errors as <c>file:line:column: why</c>) and
/// checks that the local testbed can realise it, creating nothing. Exit 0 when it can, 2 when not.
/// </summary>
internal static partial class ValidateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var rspec = new Argument<string>("rspec") { Description = "the GENI RSpec v3 request file" };
        var command = new Command("validate", "Check that an rspec is a valid request the local testbed can realise (creates nothing)") { rspec };
        command.SetAction(result => Validate(result.GetValue(rspec)!, output, error));
        return command;
    }

    /// <summary>Reads and checks <paramref name="path"/>; prints what is wrong on <paramref name="error"/>. Returns the exit code.</summary>
    public static int Validate(string path, TextWriter output, TextWriter error)
    {
        if (!TryRead(path, error, out var request))
        {
            return 2;
        }

        var problems = LocalTestbed.Check(request);
        if (problems.Count > 0)
        {
            var document = XDocument.Load(path, LoadOptions.SetLineInfo);
            foreach (var problem in problems)
            {
                var (line, column) = Locate(document, problem);
                error.WriteLine($"{path}:{line}:{column}: {problem}");
            }

            error.WriteLine($"netserv-lab: {path} cannot be realised on the local testbed ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")})");
            return 2;
        }

        var netserv = ExperimentTopology.NetServNodes(request, null);
        output.WriteLine($"{path}: a valid request the local testbed can realise: {request.Nodes.Count} nodes, {request.Links.Count} links");
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

    /// <summary>Where a problem is: the first element whose client_id the problem names in quotes (1:1 when none).</summary>
    private static (int Line, int Column) Locate(XDocument document, string problem)
    {
        foreach (Match quoted in Quoted().Matches(problem))
        {
            var element = document.Descendants().FirstOrDefault(e => (string?)e.Attribute("client_id") == quoted.Groups[1].Value);
            if (element is IXmlLineInfo info && info.HasLineInfo())
            {
                return (info.LineNumber, info.LinePosition);
            }
        }

        return (1, 1);
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();
}
