using System.Globalization;

namespace NetServ.Orchestrator.Experiments;

/// <summary>The small languages of the run command's options: filters (<c>udp/5060</c>) and node lists (<c>a,b</c>).</summary>
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
}
