namespace NetServ.NodeImage;

/// <summary>
/// The Debian mirror the machine's apt is configured with, so debootstrap goes where apt goes (a local
/// mirror or snapshot included). Reads one-line (sources.list) and deb822 (.sources) entries; the
/// Docker image's and the disk's root file systems both come from it.
/// </summary>
internal static class AptSource
{
    public const string AptDirectory = "/etc/apt";

    /// <summary>
    /// The first <c>deb</c> URI that serves <paramref name="suite"/> in <paramref name="text"/>, or null. Security and update
    /// suites (bookworm-security, bookworm-updates) are not the suite; disabled (<c>Enabled: no</c>) and source-only
    /// (<c>Types: deb-src</c>) stanzas are skipped.
    /// </summary>
    public static Uri? FindMirror(string text, string suite)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n"))
        {
            string[] uris = [], suites = [], types = [];
            var enabled = true;
            foreach (var raw in stanza.Split('\n'))
            {
                // A line that starts with white space continues a deb822 field (an embedded key, say): none of ours.
                if (raw.Length == 0 || char.IsWhiteSpace(raw[0]))
                {
                    continue;
                }

                var words = raw.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words is ["deb", .. var rest])
                {
                    if (FromOneLine(rest, suite) is { } found)
                    {
                        return found;
                    }

                    continue;
                }

                if (words.Length == 0 || !words[0].EndsWith(':'))
                {
                    continue;
                }

                switch (words[0].ToLowerInvariant())
                {
                    case "uris:": uris = words[1..]; break;
                    case "suites:": suites = words[1..]; break;
                    case "types:": types = words[1..]; break;
                    case "enabled:": enabled = words is not [_, "no"]; break;
                }
            }

            if (enabled && types.Contains("deb") && suites.Contains(suite) && uris.Length > 0
                && Uri.TryCreate(uris[0], UriKind.Absolute, out var uri))
            {
                return uri;
            }
        }

        return null;
    }

    /// <summary>deb [arch=amd64 signed-by=...] URL SUITE COMPONENT...: the URL when SUITE is <paramref name="suite"/>.</summary>
    private static Uri? FromOneLine(string[] fields, string suite)
    {
        var at = 0;
        if (fields is [['[', ..], ..])
        {
            while (at < fields.Length && !fields[at].EndsWith(']'))
            {
                at++;
            }

            at++;
        }

        return fields.Length >= at + 2 && fields[at + 1] == suite && Uri.TryCreate(fields[at], UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>The mirror for <paramref name="suite"/> in sources.list, then sources.list.d's files in name order; or null.</summary>
    public static Uri? FindConfiguredMirror(string suite, string aptDirectory = AptDirectory)
    {
        var files = new List<string>();
        var list = Path.Combine(aptDirectory, "sources.list");
        if (File.Exists(list))
        {
            files.Add(list);
        }

        var directory = Path.Combine(aptDirectory, "sources.list.d");
        if (Directory.Exists(directory))
        {
            files.AddRange(Directory.EnumerateFiles(directory)
                .Where(f => f.EndsWith(".list", StringComparison.Ordinal) || f.EndsWith(".sources", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));
        }

        return files.Select(f => FindMirror(File.ReadAllText(f), suite)).FirstOrDefault(uri => uri is not null);
    }
}
