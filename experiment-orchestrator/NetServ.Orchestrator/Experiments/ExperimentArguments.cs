using System.Globalization;

namespace NetServ.Orchestrator.Experiments;

/// <summary>The small languages of the run command's options: filters (<c>udp/5060</c>), node lists (<c>a,b</c>) and port lists (<c>5070,30000-30099</c>).</summary>
internal static class ExperimentArguments
{
    /// <summary>Reads <c>udp/5060</c>, <c>tcp/80</c>, <c>udp</c>, <c>tcp</c> or <c>any</c>.</summary>
    /// <exception cref="FormatException">Anything else.</exception>
    public static (string Protocol, int? Port) ParseFilter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split('/');
        if (parts[0] is not ("udp" or "tcp" or "any") || parts.Length > 2)
        {
            throw new FormatException($"filter '{text}' is not udp/PORT, tcp/PORT, udp, tcp or any");
        }

        if (parts.Length == 1)
        {
            return (parts[0], null);
        }

        if (parts[0] == "any" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"filter '{text}': the port must be 1-65535, after udp or tcp");
        }

        return (parts[0], port);
    }

    /// <summary>Splits <c>a,b</c> into names.</summary>
    public static IReadOnlyList<string> ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Reads <c>none</c>, or ports and ranges: <c>5070,7070,30000-30099</c>.</summary>
    /// <exception cref="FormatException">Anything else, or a range longer than <see cref="ModulePorts.MaxRange"/>.</exception>
    public static IReadOnlyList<int> ParsePorts(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var ports = new SortedSet<int>();
        foreach (var item in ParseList(text))
        {
            var bounds = item.Split('-', StringSplitOptions.TrimEntries);
            var low = bounds.Length <= 2 ? Port(bounds[0]) : null;
            var high = bounds.Length == 2 ? Port(bounds[1]) : low;
            if (low is null || high is null || high < low || high - low >= ModulePorts.MaxRange)
            {
                throw new FormatException($"--allow-ports: '{item}' is not a port 1-65535 or a range LOW-HIGH of at most {ModulePorts.MaxRange} ports");
            }

            for (var port = low.Value; port <= high; port++)
            {
                ports.Add(port);
            }
        }

        return ports.Count > 0 ? [.. ports] : throw new FormatException("--allow-ports: name ports (5070,30000-30099) or none");
    }

    private static int? Port(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535 ? port : null;

    /// <summary>Writes <paramref name="ports"/> as <see cref="ParsePorts"/> reads them: <c>7070,30000-30099</c>, or <c>none</c>.</summary>
    public static string FormatPorts(IReadOnlyList<int> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var ranges = new List<string>();
        for (var i = 0; i < ports.Count;)
        {
            var end = i;
            while (end + 1 < ports.Count && ports[end + 1] == ports[end] + 1)
            {
                end++;
            }

            ranges.Add(end == i ? ports[i].ToString(CultureInfo.InvariantCulture) : $"{ports[i]}-{ports[end]}");
            i = end + 1;
        }

        return ranges.Count == 0 ? "none" : string.Join(',', ranges);
    }
}
