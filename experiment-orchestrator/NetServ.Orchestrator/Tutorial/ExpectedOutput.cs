using System.Text;
using System.Text.RegularExpressions;

namespace NetServ.Orchestrator.Tutorial;

/// <summary>
/// The stable output of a command block: its lines as the lab shows them, where <c>...</c> inside a line stands
/// for any text (times, ids, addresses chosen at run time) and a line that is only <c>...</c> for any number of
/// lines, none included. Lines are compared without trailing blanks, colour codes and leading or trailing blank lines.
/// </summary>
internal sealed partial class ExpectedOutput
{
    private const string Ellipsis = "...";

    private readonly Line[] _lines;

    private ExpectedOutput(Line[] lines) => _lines = lines;

    /// <summary>The expected lines as written.</summary>
    public IReadOnlyList<string> Lines => _lines.Select(l => l.Text).ToArray();

    public static ExpectedOutput Parse(string text) =>
        new(Normalise(text).Select(l => new Line(l, l == Ellipsis ? null : Pattern(l))).ToArray());

    /// <summary>Whether <paramref name="output"/> is the expected output, parts marked variable aside.</summary>
    public bool Matches(string output)
    {
        var actual = Normalise(output);
        var memo = new bool?[_lines.Length + 1, actual.Length + 1];
        return MatchFrom(0, 0, actual, memo);
    }

    /// <summary>
    /// The lines that differ, as a diff: <c>-</c> expected and not seen, <c>+</c> seen and not expected,
    /// two spaces for lines that agree.
    /// </summary>
    public string Diff(string output)
    {
        var actual = Normalise(output);
        var expected = _lines.Where(l => l.Pattern is not null).ToArray();

        // Longest common subsequence where a line agrees when the expected line's pattern matches it.
        var common = new int[expected.Length + 1, actual.Length + 1];
        for (var e = expected.Length - 1; e >= 0; e--)
        {
            for (var a = actual.Length - 1; a >= 0; a--)
            {
                common[e, a] = expected[e].Pattern!.IsMatch(actual[a])
                    ? common[e + 1, a + 1] + 1
                    : Math.Max(common[e + 1, a], common[e, a + 1]);
            }
        }

        var diff = new StringBuilder();
        int i = 0, j = 0;
        while (i < expected.Length || j < actual.Length)
        {
            if (i < expected.Length && j < actual.Length && expected[i].Pattern!.IsMatch(actual[j]))
            {
                diff.Append("  ").AppendLine(actual[j]);
                i++;
                j++;
            }
            else if (j < actual.Length && (i == expected.Length || common[i, j + 1] >= common[i + 1, j]))
            {
                diff.Append("+ ").AppendLine(actual[j++]);
            }
            else
            {
                diff.Append("- ").AppendLine(expected[i++].Text);
            }
        }

        return diff.ToString();
    }

    private bool MatchFrom(int e, int a, string[] actual, bool?[,] memo)
    {
        if (memo[e, a] is { } known)
        {
            return known;
        }

        bool result;
        if (e == _lines.Length)
        {
            result = a == actual.Length;
        }
        else if (_lines[e].Pattern is null)
        {
            // Any number of lines: none, or one more and still any number.
            result = MatchFrom(e + 1, a, actual, memo) || (a < actual.Length && MatchFrom(e, a + 1, actual, memo));
        }
        else
        {
            result = a < actual.Length && _lines[e].Pattern!.IsMatch(actual[a]) && MatchFrom(e + 1, a + 1, actual, memo);
        }

        memo[e, a] = result;
        return result;
    }

    /// <summary>The output's lines without colour codes and trailing blanks, leading and trailing blank lines dropped.</summary>
    internal static string[] Normalise(string text)
    {
        var lines = ColourCodes().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), "")
            .Split('\n')
            .Select(l => l.TrimEnd())
            .ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return [.. lines];
    }

    private static Regex Pattern(string line) =>
        new("^" + string.Join(".*", line.Split(Ellipsis).Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex ColourCodes();

    private sealed record Line(string Text, Regex? Pattern);
}
