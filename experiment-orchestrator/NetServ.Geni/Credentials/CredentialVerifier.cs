using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Identity;

namespace NetServ.Geni.Credentials;

/// <summary>What checking a credential gave: the credential when it is accepted, else the refusal and why.</summary>
public sealed record CredentialCheck
{
    private CredentialCheck(GeniCredential? credential, GeniCode? refusal, string message, int stage)
    {
        Credential = credential;
        Refusal = refusal;
        Message = message;
        Stage = stage;
    }

    /// <summary>The credential, when it could be read (also when it is refused).</summary>
    public GeniCredential? Credential { get; }

    /// <summary>The refusal, or <see langword="null"/> when the credential is accepted.</summary>
    public GeniCode? Refusal { get; }

    public bool IsAccepted => Refusal is null;

    /// <summary>Why it is refused, for the person who sent it; or what was accepted.</summary>
    public string Message { get; }

    /// <summary>How far the check went: among several refused credentials, the one that got furthest says the most.</summary>
    internal int Stage { get; }

    internal static CredentialCheck Accepted(GeniCredential credential)
        => new(credential, null, $"accepted: {credential.OwnerUrn} on {credential.TargetUrn}", int.MaxValue);

    internal static CredentialCheck Refused(GeniCode refusal, string message, GeniCredential? credential, int stage)
        => new(credential, refusal, message, stage);
}

/// <summary>
/// Checks credentials as GENI defines them (the GENI credential format and AM API v3 common
/// concepts): the XML signature (<see cref="CredentialSignature"/>), the signer's certificate chain
/// to a trusted root, the signer an authority over the target's namespace, expiry (on the injected
/// clock), the owner the caller of the TLS connection, the target the object of the call, and the
/// privilege the call needs.
/// </summary>
public sealed class CredentialVerifier
{
    private readonly TrustRoots roots;
    private readonly TimeProvider time;
    private readonly CredentialLimits limits;

    public CredentialVerifier(TrustRoots roots, TimeProvider time, CredentialLimits? limits = null)
    {
        this.roots = roots;
        this.time = time;
        this.limits = limits ?? CredentialLimits.Default;
    }

    /// <summary>
    /// Checks one credential for a call by <paramref name="caller"/> (the TLS client certificate) on
    /// <paramref name="targetUrn"/> (a slice, or <see langword="null"/> for calls about none) that
    /// needs <paramref name="privilege"/> (or <see langword="null"/> for none).
    /// </summary>
    public CredentialCheck Verify(string credentialXml, X509Certificate2 caller, string? targetUrn = null, string? privilege = null)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ParsedCredential parsed;
        try
        {
            parsed = CredentialReader.Read(credentialXml, limits);
        }
        catch (CredentialFormatException e)
        {
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_INVALID, $"the credential is not a GENI credential: {e.Message}", null, 0);
        }

        var credential = parsed.Credential;
        using var signature = CredentialSignature.Check(parsed, limits);
        if (signature.Problem is { } problem)
        {
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_INVALID, $"the credential's signature does not hold: {problem}", credential, 1);
        }

        var signer = signature.Signer!;
        if (ChainProblem(signer, signature.Certificates) is { } untrusted)
        {
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_SIGNER_UNTRUSTED, $"the credential is signed by {Describe(signer)}, which this aggregate does not trust: {untrusted}", credential, 2);
        }

        if (!IsAuthorityOver(signer, credential.TargetUrn))
        {
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_SIGNER_UNTRUSTED, $"the credential is signed by {Describe(signer)}, which is not an authority over {credential.TargetUrn}", credential, 2);
        }

        var now = time.GetUtcNow();
        if (now >= credential.Expires)
        {
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_EXPIRED, $"the credential for {credential.TargetUrn} expired at {credential.Expires:u} (it is {now:u}): get a fresh one from the slice authority", credential, 3);
        }

        var callerUrn = GeniIdentity.UserUrnOf(caller) ?? GeniIdentity.PublicIdUrnOf(caller);
        if (callerUrn is null || !string.Equals(callerUrn, credential.OwnerUrn, StringComparison.OrdinalIgnoreCase))
        {
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_MISMATCH, $"the credential is {credential.OwnerUrn}'s, but the caller's certificate is {callerUrn ?? caller.Subject + " (no GENI URN)"}: use a credential issued to you", credential, 4);
        }

        if (credential.OwnerGid is { } ownerGid && !SameKey(ownerGid, caller))
        {
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_MISMATCH, $"the credential's owner certificate (owner_gid) has another key than the caller's certificate for {callerUrn}: use the credential issued with your current certificate", credential, 4);
        }

        if (targetUrn is not null && !string.Equals(targetUrn, credential.TargetUrn, StringComparison.OrdinalIgnoreCase))
        {
            // Ranked lowest: a credential about another object says nothing about this call.
            return CredentialCheck.Refused(GeniCode.CREDENTIAL_MISMATCH, $"the credential is for {credential.TargetUrn}, not {targetUrn}", credential, 0);
        }

        if (privilege is not null && !credential.Grants(privilege))
        {
            var granted = credential.Privileges.Count == 0 ? "no privilege" : string.Join(", ", credential.Privileges.Select(p => p.Name));
            return CredentialCheck.Refused(GeniCode.FORBIDDEN, $"the credential grants {granted} on {credential.TargetUrn}; this call needs {privilege}", credential, 5);
        }

        return CredentialCheck.Accepted(credential);
    }

    /// <summary>
    /// Checks the credentials of one call (the AM API's credential list): the first accepted, as the
    /// reference aggregate has it (any one credential granting all that is needed); else the refusal
    /// of the one that got furthest.
    /// </summary>
    public CredentialCheck VerifyAny(IEnumerable<string> credentials, X509Certificate2 caller, string? targetUrn = null, string? privilege = null)
    {
        CredentialCheck? best = null;
        foreach (var credential in credentials)
        {
            var check = Verify(credential, caller, targetUrn, privilege);
            if (check.IsAccepted)
            {
                return check;
            }

            if (best is null || check.Stage > best.Stage)
            {
                best = check;
            }
        }

        return best ?? CredentialCheck.Refused(GeniCode.FORBIDDEN, "the call carries no credential: give a slice credential (or a user credential for calls about no slice)", null, 0);
    }

    private string? ChainProblem(X509Certificate2 signer, X509Certificate2Collection certificates)
    {
        using var chain = roots.Chain(time.GetUtcNow(), certificates);
        if (chain.Build(signer))
        {
            return null;
        }

        var statuses = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        return $"its certificate chain does not reach a root in the trust directory ({string.Join("; ", statuses)})";
    }

    /// <summary>
    /// Whether a signer's URN is an authority (<c>…+authority+sa</c>, <c>+authority+ma</c>, …) over the
    /// target's: the same authority, or one it contains (<c>emulab.net</c> over <c>emulab.net:project</c>).
    /// </summary>
    internal static bool IsAuthorityOver(X509Certificate2 signer, string targetUrn)
    {
        var target = GeniUrn.TryParse(targetUrn);
        return target is not null && GeniIdentity.PublicIdUrnsOf(signer)
            .Select(GeniUrn.TryParse)
            .Any(s => s is not null
                      && s.Type.StartsWith("authority", StringComparison.OrdinalIgnoreCase)
                      && (string.Equals(s.Authority, target.Authority, StringComparison.OrdinalIgnoreCase)
                          || target.Authority.StartsWith(s.Authority + ":", StringComparison.OrdinalIgnoreCase)));
    }

    private static bool SameKey(byte[] gid, X509Certificate2 caller)
    {
        using var owner = X509CertificateLoader.LoadCertificate(gid);
        return owner.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(caller.PublicKey.ExportSubjectPublicKeyInfo());
    }

    private static string Describe(X509Certificate2 certificate)
        => GeniIdentity.PublicIdUrnOf(certificate) is { } urn ? $"{urn} ({certificate.Subject})" : certificate.Subject;
}
