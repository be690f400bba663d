namespace NetServ.NodeImage;

/// <summary>
/// The Debian mirror the machine's apt is configured with, so debootstrap goes where apt goes (a local
/// mirror or snapshot included). Reads one-line (sources.list) and deb822 (.sources) entries.
/// </summary>
internal static class AptSource
{
    /// <summary>The first <c>deb</c> URI that serves <paramref name="suite"/> in <paramref name="text"/>, or null.</summary>
    public static Uri? FindMirror(string text, string suite)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n"))
        {
            if (FromDeb822(stanza, suite) is { } uri)
            {
                return uri;
            }
        }

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#')[0].Trim();
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[0] != "deb")
            {
                continue;
            }

            // Options in brackets ([signed-by=…]) come before the URI.
            var at = 1;
            while (at < fields.Length && fields[at].StartsWith('['))
            {
                while (at < fields.Length && !fields[at].EndsWith(']'))
                {
                    at++;
                }

                at++;
            }

            if (at + 1 < fields.Length && fields[at + 1] == suite && Uri.TryCreate(fields[at], UriKind.Absolute, out var found))
            {
                return found;
            }
        }

        return null;
    }

    private static Uri? FromDeb822(string stanza, string suite)
    {
        string? types = null, uris = null, suites = null;
        foreach (var raw in stanza.Split('\n'))
        {
            var line = raw.Split('#')[0];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || char.IsWhiteSpace(line[0]))
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            switch (line[..colon].Trim().ToLowerInvariant())
            {
                case "types": types = value; break;
                case "uris": uris = value; break;
                case "suites": suites = value; break;
            }
        }

        if (types is null || uris is null || suites is null
            || !types.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("deb")
            || !suites.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(suite))
        {
            return null;
        }

        return Uri.TryCreate(uris.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>The mirror for <paramref name="suite"/> in /etc/apt/sources.list and sources.list.d.</summary>
    public static Uri? FindConfiguredMirror(string suite, string aptDirectory = "/etc/apt")
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
