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
    /// two spaces for lines that agree or that a <c>...</c> line stands for.
    /// </summary>
    public string Diff(string output)
    {
        var actual = Normalise(output);
        int lines = _lines.Length, printed = actual.Length;

        // The fewest lines missing or extra, a "..." line taking any number of printed lines for free.
        var cost = new int[lines + 1, printed + 1];
        for (var e = lines; e >= 0; e--)
        {
            for (var a = printed; a >= 0; a--)
            {
                cost[e, a] = e == lines ? printed - a : Step(e, a, actual, cost).Cost;
            }
        }

        var diff = new StringBuilder();
        int i = 0, j = 0;
        while (i < lines || j < printed)
        {
            var (_, move) = i == lines ? (0, Move.Extra) : Step(i, j, actual, cost);
            switch (move)
            {
                case Move.Agree:
                    diff.Append("  ").AppendLine(actual[j++]);
                    i++;
                    break;
                case Move.Absorb:
                    diff.Append("  ").AppendLine(actual[j++]);
                    break;
                case Move.EndEllipsis:
                    i++;
                    break;
                case Move.Missing:
                    diff.Append("- ").AppendLine(_lines[i++].Text);
                    break;
                default:
                    diff.Append("+ ").AppendLine(actual[j++]);
                    break;
            }
        }

        return diff.ToString();
    }

    private (int Cost, Move Move) Step(int e, int a, string[] actual, int[,] cost)
    {
        var best = (Cost: int.MaxValue, Move: Move.Extra);
        void Consider(int candidate, Move move)
        {
            if (candidate < best.Cost)
            {
                best = (candidate, move);
            }
        }

        if (_lines[e].Pattern is null)
        {
            Consider(cost[e + 1, a], Move.EndEllipsis);
            if (a < actual.Length)
            {
                Consider(cost[e, a + 1], Move.Absorb);
            }
        }
        else
        {
            if (a < actual.Length && _lines[e].Pattern!.IsMatch(actual[a]))
            {
                Consider(cost[e + 1, a + 1], Move.Agree);
            }

            Consider(cost[e + 1, a] + 1, Move.Missing);
        }

        if (a < actual.Length)
        {
            Consider(cost[e, a + 1] + 1, Move.Extra);
        }

        return best;
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

    private enum Move
    {
        Agree,
        Absorb,
        EndEllipsis,
        Missing,
        Extra,
    }
}
