namespace NetServ.Geni.Credentials;

/// <summary>A privilege a credential grants: an operation's name, or <c>*</c> for all, and whether its owner may delegate it.</summary>
public sealed record CredentialPrivilege(string Name, bool CanDelegate)
{
    /// <summary>The privilege that stands for every privilege.</summary>
    public const string All = "*";
}

/// <summary>
/// A GENI SFA credential (AM API <c>geni_sfa</c>, version 3): the privileges its owner has on its
/// target until it expires, as a <c>&lt;signed-credential&gt;</c> document states them. Reading one
/// says nothing of whether to believe it: that is <see cref="CredentialVerifier"/>'s question.
/// </summary>
public sealed class GeniCredential
{
    /// <summary>The AM API credential type of these credentials (<c>geni_type</c>).</summary>
    public const string GeniType = "geni_sfa";

    /// <summary>The AM API credential version of these credentials (<c>geni_version</c>).</summary>
    public const string GeniVersion = "3";

    internal GeniCredential(string xml, string id, string? serial, string ownerUrn, byte[]? ownerGid, string targetUrn, byte[]? targetGid, string? uuid, DateTimeOffset expires, IReadOnlyList<CredentialPrivilege> privileges)
    {
        Xml = xml;
        Id = id;
        Serial = serial;
        OwnerUrn = ownerUrn;
        OwnerGid = ownerGid;
        TargetUrn = targetUrn;
        TargetGid = targetGid;
        Uuid = uuid;
        Expires = expires;
        Privileges = privileges;
    }

    /// <summary>The document as it was read: what is passed on to an aggregate (<c>geni_value</c>).</summary>
    public string Xml { get; }

    /// <summary>The credential element's <c>xml:id</c>, which its signature references (<c>ref0</c> as GENI tools write it).</summary>
    public string Id { get; }

    public string? Serial { get; }

    /// <summary>Whose privileges these are, such as <c>urn:publicid:IDN+emulab.net+user+alice</c>.</summary>
    public string OwnerUrn { get; }

    /// <summary>The owner's certificate (DER), or <see langword="null"/> when the credential carries none.</summary>
    public byte[]? OwnerGid { get; }

    /// <summary>What they are privileges on: a slice (<c>…+slice+name</c>) or, for a user credential, the user.</summary>
    public string TargetUrn { get; }

    /// <summary>The target's certificate (DER), or <see langword="null"/> when the credential carries none.</summary>
    public byte[]? TargetGid { get; }

    public string? Uuid { get; }

    /// <summary>When the credential stops granting anything.</summary>
    public DateTimeOffset Expires { get; }

    public IReadOnlyList<CredentialPrivilege> Privileges { get; }

    /// <summary>Whether the credential grants <paramref name="privilege"/>: by name (case-insensitively) or through <c>*</c>.</summary>
    public bool Grants(string privilege)
        => Privileges.Any(p => p.Name == CredentialPrivilege.All || string.Equals(p.Name, privilege, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads a <c>&lt;signed-credential&gt;</c> document. No DTDs, nothing fetched, bounded by <paramref name="limits"/>.</summary>
    /// <exception cref="CredentialFormatException">It is not one, or not one this reads (ABAC, delegated).</exception>
    public static GeniCredential Parse(string xml, CredentialLimits? limits = null) => CredentialReader.Read(xml, limits).Credential;
}
