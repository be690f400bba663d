using System.Diagnostics.CodeAnalysis;

namespace NetServ.Signaling.Nslp;

/// <summary>A module's name: its package id and version joined by '_', as in <c>NetServ.Apps.NetMonitor_1.0.0</c>.</summary>
public sealed record ModuleName(string PackageId, string Version)
{
    /// <summary>Parses <c>&lt;package id&gt;_&lt;version&gt;</c>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ModuleName? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        var underscore = text?.LastIndexOf('_') ?? -1;
        if (text is null || underscore <= 0 || underscore == text.Length - 1)
        {
            error = $"module name '{text}' is not <package id>_<version>, for example NetServ.Apps.NetMonitor_1.0.0";
            return false;
        }

        var id = text[..underscore];
        var version = text[(underscore + 1)..];
        if (id.Length > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') || !char.IsAsciiLetter(id[0]))
        {
            error = $"package id '{id}' may hold letters, digits, '.', '-' and '_' and starts with a letter";
            return false;
        }

        if (version.Length > 64 || !char.IsAsciiDigit(version[0]) || !version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+'))
        {
            error = $"version '{version}' is not a package version such as 1.0.0";
            return false;
        }

        name = new ModuleName(id, version);
        error = null;
        return true;
    }

    /// <summary>The name as signaling spells it.</summary>
    public override string ToString() => $"{PackageId}_{Version}";
}
