using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using NetServ.Contracts.Configuration;

namespace NetServ.Node.Configuration;

/// <summary>
/// Reads netservd's configuration file into the contract's records. A file that does not read gives one
/// message naming the file, the line and the field in the validator's notation (NetServ:Users:0:Name).
/// </summary>
internal static class NodeConfigurationReader
{
    public static bool TryRead(string path, [NotNullWhen(true)] out NodeConfigurationFile? file, [NotNullWhen(false)] out string? error)
    {
        byte[] json;
        try
        {
            json = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (file, error) = (null, $"{path}: {e.Message}");
            return false;
        }

        return TryParse(json, path, out file, out error);
    }

    public static bool TryParse(ReadOnlySpan<byte> json, string fileName, [NotNullWhen(true)] out NodeConfigurationFile? file, [NotNullWhen(false)] out string? error)
    {
        try
        {
            file = JsonSerializer.Deserialize(json, ConfigurationJsonContext.Default.NodeConfigurationFile);
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? $" line {l + 1}" : string.Empty;
            (file, error) = (null, $"{fileName}{line}: {FieldOf(e.Path)}: {ReasonOf(e.Message)}");
            return false;
        }

        error = file is null ? $"{fileName}: holds null, not a configuration" : null;
        return file is not null;
    }

    /// <summary>$.NetServ.Users[0].Name (or $['NetServ']...) as NetServ:Users:0:Name.</summary>
    internal static string FieldOf(string? jsonPath)
    {
        if (jsonPath is null or "$")
        {
            return "(the whole file)";
        }

        var field = new StringBuilder(jsonPath.Length);
        foreach (var c in jsonPath.AsSpan(1))
        {
            switch (c)
            {
                case '.' or '[':
                    field.Append(':');
                    break;
                case ']' or '\'':
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        return field.ToString().TrimStart(':');
    }

    // System.Text.Json ends its messages with where it was (Path: ... | LineNumber: ...), which the caller says its own way.
    private static string ReasonOf(string message)
    {
        var at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }
}
