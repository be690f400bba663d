namespace NetServ.NodeImage.Disk;

/// <summary>Finds the Debian mirror this machine's apt is configured with, so debootstrap fetches through it too.</summary>
internal static class DiskAptSource
{
    public const string SourcesDirectory = "/etc/apt/sources.list.d";
    public const string SourcesList = "/etc/apt/sources.list";

    /// <summary>
    /// The first mirror serving <paramref name="suite"/> in a deb822 <c>.sources</c> text (URIs:/Suites:) or a one-line
    /// <c>sources.list</c> text (<c>deb URL SUITE ...</c>); null when the text names none. Security and update suites
    /// (bookworm-security, bookworm-updates) are not the suite.
    /// </summary>
    public static string? FindMirror(string text, string suite)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n"))
        {
            string[] uris = [], suites = [], types = [];
            var enabled = true;
            foreach (var rawLine in stanza.Split('\n'))
            {
                var line = rawLine.Trim();
                if (line.StartsWith('#'))
                {
                    continue;
                }

                var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words is ["deb", .. var rest])
                {
                    // deb [arch=amd64 signed-by=...] URL SUITE COMPONENT...
                    var at = 0;
                    if (rest is [['[', ..], ..])
                    {
                        while (at < rest.Length && !rest[at].EndsWith(']'))
                        {
                            at++;
                        }

                        at++;
                    }

                    if (rest.Length >= at + 2 && rest[at + 1] == suite)
                    {
                        return rest[at];
                    }

                    continue;
                }

                if (words.Length == 0 || !words[0].EndsWith(':'))
                {
                    continue;
                }

                switch (words[0].ToLowerInvariant())
                {
                    case "uris:":
                        uris = words[1..];
                        break;
                    case "suites:":
                        suites = words[1..];
                        break;
                    case "types:":
                        types = words[1..];
                        break;
                    case "enabled:":
                        enabled = words is not [_, "no"];
                        break;
                }
            }

            if (enabled && types.Contains("deb") && suites.Contains(suite) && uris.Length > 0)
            {
                return uris[0];
            }
        }

        return null;
    }

    /// <summary>The mirror of <paramref name="suite"/> in this machine's apt configuration, or null.</summary>
    public static string? FindConfiguredMirror(string suite)
    {
        var files = new List<string>();
        if (Directory.Exists(SourcesDirectory))
        {
            files.AddRange(Directory.GetFiles(SourcesDirectory, "*.sources").Order(StringComparer.Ordinal));
            files.AddRange(Directory.GetFiles(SourcesDirectory, "*.list").Order(StringComparer.Ordinal));
        }

        if (File.Exists(SourcesList))
        {
            files.Insert(0, SourcesList);
        }

        return files.Select(file => FindMirror(File.ReadAllText(file), suite)).FirstOrDefault(mirror => mirror is not null);
    }
}
