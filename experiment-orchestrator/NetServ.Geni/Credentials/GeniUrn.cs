namespace NetServ.Geni.Credentials;

/// <summary>
/// A GENI URN, <c>urn:publicid:IDN+&lt;authority&gt;+&lt;type&gt;+&lt;name&gt;</c> (GENI identifiers):
/// <c>urn:publicid:IDN+emulab.net+user+alice</c>, <c>urn:publicid:IDN+emulab.net:proj+slice+s1</c>.
/// </summary>
public sealed record GeniUrn(string Authority, string Type, string Name)
{
    private const string Prefix = "urn:publicid:IDN+";

    /// <summary>The URN, or <see langword="null"/> when <paramref name="urn"/> is not a GENI URN.</summary>
    public static GeniUrn? TryParse(string? urn)
    {
        if (urn is null || !urn.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = urn[Prefix.Length..].Split('+', 3);
        return parts.Length == 3 && parts.All(p => p.Length > 0) ? new GeniUrn(parts[0], parts[1], parts[2]) : null;
    }

    public override string ToString() => $"{Prefix}{Authority}+{Type}+{Name}";
}
