namespace NetServ.Orchestrator.Tutorial;

/// <summary>
/// A lab's markdown read as a doc test: its marked command blocks in the order the text gives them.
/// A fenced block whose info string is <c>sh run</c> (optionally <c>sh run timeout=SECONDS</c>) is a command the
/// check runs; a <c>text stable</c> block right after it (blank lines between allowed) is its expected output.
/// Every other block is text for the reader.
/// </summary>
/// <param name="Blocks">The command blocks, in the order of the document.</param>
internal sealed record LabDocument(IReadOnlyList<LabBlock> Blocks);

/// <summary>One command block of a lab.</summary>
/// <param name="Line">The 1-based line of the block's opening fence.</param>
/// <param name="Command">The block's text, run by bash as one script.</param>
/// <param name="Expected">Its stable output, or null when the output is not compared.</param>
/// <param name="Timeout">How long the block may run before the check kills it and fails.</param>
internal sealed record LabBlock(int Line, string Command, ExpectedOutput? Expected, TimeSpan Timeout);

/// <summary>A lab's markdown that cannot be read as a doc test, with the line that says why.</summary>
internal sealed class LabDocumentException(int line, string message) : Exception($"line {line}: {message}")
{
    /// <summary>The 1-based line of the markdown concerned.</summary>
    public int Line { get; } = line;
}

/// <summary>Reads a lab's markdown into its <see cref="LabDocument"/>; no I/O.</summary>
internal static class LabDocumentParser
{
    /// <summary>How long a block may run when its fence names no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public static LabDocument Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var fences = ReadFences(lines);
        var blocks = new List<LabBlock>();
        for (var i = 0; i < fences.Count; i++)
        {
            var fence = fences[i];
            var words = fence.Info.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (IsStable(words))
            {
                throw new LabDocumentException(fence.Line, "a 'text stable' block must follow an 'sh run' block (only blank lines between)");
            }

            if (words is not [_, "run", ..])
            {
                continue;
            }

            if (words[0] is not ("sh" or "bash" or "shell"))
            {
                throw new LabDocumentException(fence.Line, $"'{words[0]} run': only sh blocks can run");
            }

            var timeout = ReadTimeout(fence.Line, words.AsSpan(2));
            ExpectedOutput? expected = null;
            if (i + 1 < fences.Count && IsStable(fences[i + 1].Info.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                && OnlyBlankBetween(lines, fence.EndLine, fences[i + 1].Line))
            {
                expected = ExpectedOutput.Parse(fences[i + 1].Body);
                i++;
            }

            if (string.IsNullOrWhiteSpace(fence.Body))
            {
                throw new LabDocumentException(fence.Line, "an 'sh run' block with no command");
            }

            blocks.Add(new LabBlock(fence.Line, fence.Body, expected, timeout));
        }

        return new LabDocument(blocks);
    }

    private static bool IsStable(string[] words) => words is ["text", "stable", ..];

    private static TimeSpan ReadTimeout(int line, ReadOnlySpan<string> options)
    {
        var timeout = DefaultTimeout;
        foreach (var option in options)
        {
            if (option.StartsWith("timeout=", StringComparison.Ordinal)
                && int.TryParse(option.AsSpan("timeout=".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                && seconds > 0)
            {
                timeout = TimeSpan.FromSeconds(seconds);
                continue;
            }

            throw new LabDocumentException(line, $"unknown option '{option}' of an 'sh run' block (known: timeout=SECONDS)");
        }

        return timeout;
    }

    private static bool OnlyBlankBetween(string[] lines, int endLine, int nextLine)
    {
        // endLine and nextLine are 1-based: the closing fence and the next opening fence.
        for (var n = endLine + 1; n < nextLine; n++)
        {
            if (!string.IsNullOrWhiteSpace(lines[n - 1]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every fenced block (``` or ~~~, three or more), with its info string and body.</summary>
    private static List<Fence> ReadFences(string[] lines)
    {
        var fences = new List<Fence>();
        for (var n = 0; n < lines.Length; n++)
        {
            var trimmed = lines[n].TrimStart();
            var indent = lines[n].Length - trimmed.Length;
            if (indent > 3 || !TryOpen(trimmed, out var marker))
            {
                continue;
            }

            var info = trimmed[marker.Length..].Trim();
            var body = new List<string>();
            var close = -1;
            for (var m = n + 1; m < lines.Length; m++)
            {
                var candidate = lines[m].Trim();
                if (candidate.Length >= marker.Length && candidate.All(c => c == marker[0]))
                {
                    close = m;
                    break;
                }

                body.Add(lines[m]);
            }

            if (close < 0)
            {
                throw new LabDocumentException(n + 1, $"a fenced block that is never closed ('{marker}')");
            }

            fences.Add(new Fence(n + 1, close + 1, info, string.Join('\n', body)));
            n = close;
        }

        return fences;
    }

    private static bool TryOpen(string line, out string marker)
    {
        marker = "";
        if (line.Length < 3 || (line[0] != '`' && line[0] != '~'))
        {
            return false;
        }

        var length = 0;
        while (length < line.Length && line[length] == line[0])
        {
            length++;
        }

        if (length < 3)
        {
            return false;
        }

        marker = line[..length];
        return true;
    }

    private sealed record Fence(int Line, int EndLine, string Info, string Body);
}
