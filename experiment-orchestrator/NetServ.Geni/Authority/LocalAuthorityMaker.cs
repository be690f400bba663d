using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;

namespace NetServ.Geni.Authority;

/// <summary>
/// Where a local authority's files are in its directory:
/// <c>authority/sa-cert.pem</c> and <c>authority/sa-key.pem</c> (the root and its key, the key
/// readable by its owner only), <c>trusted_roots/</c> (the trust directory the local aggregate reads),
/// and per user <c>users/NAME.pem</c> (certificate and encrypted key, as CloudLab hands them out)
/// with <c>users/NAME-cred.xml</c> (the user credential).
/// </summary>
public sealed record LocalAuthorityFiles(string Directory)
{
    public string AuthorityCertificate => Path.Combine(Directory, "authority", "sa-cert.pem");

    public string AuthorityKey => Path.Combine(Directory, "authority", "sa-key.pem");

    public string TrustedRoots => Path.Combine(Directory, "trusted_roots");

    public string UserPem(string userName) => Path.Combine(Directory, "users", LocalAuthority.ValidateName(userName, "user name") + ".pem");

    public string UserCredential(string userName) => Path.Combine(Directory, "users", LocalAuthority.ValidateName(userName, "user name") + "-cred.xml");

    /// <summary>Loads the authority these files hold.</summary>
    /// <exception cref="CredentialException">The files are missing or unreadable.</exception>
    public LocalAuthority Load(TimeProvider time, LocalAuthorityOptions? options = null)
    {
        try
        {
            return LocalAuthority.Load(File.ReadAllText(AuthorityCertificate), File.ReadAllText(AuthorityKey), time, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialException($"cannot read the local authority in {Directory}: {e.Message} (make one with netserv-am init)", e);
        }
    }
}

/// <summary>
/// Makes a local authority in one step (<c>netserv-am init</c>): the root that is the slice
/// authority, the trust directory holding it, and a first user's certificate with its key in the
/// CloudLab PEM layout (the certificate, then the key as <c>BEGIN RSA PRIVATE KEY</c> encrypted with
/// DES-EDE3-CBC under the passphrase) and user credential, so a newcomer has all a GENI client needs.
/// </summary>
public sealed class LocalAuthorityMaker(TimeProvider time, LocalAuthorityOptions? options = null)
{
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly UnixFileMode Readable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <exception cref="CredentialException">The directory already holds an authority (it is never overwritten), or cannot be written.</exception>
    public LocalAuthorityFiles Make(string directory, string userName, string passphrase, string? email = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        var files = new LocalAuthorityFiles(directory);
        var userPem = files.UserPem(userName);
        if (File.Exists(files.AuthorityKey) || File.Exists(files.AuthorityCertificate))
        {
            throw new CredentialException($"{directory} already holds a local authority ({files.AuthorityCertificate}); it is not overwritten: remove the directory to make a new one");
        }

        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(files.AuthorityKey)!);
            System.IO.Directory.CreateDirectory(files.TrustedRoots);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(userPem)!);
            using var authority = LocalAuthority.Create(time, options);

            // Files are created, never replaced (CreateNew).
            using (var key = authority.Certificate.GetRSAPrivateKey()!)
            {
                Write(files.AuthorityKey, key.ExportPkcs8PrivateKeyPem() + "\n", OwnerOnly);
            }

            var rootPem = authority.Certificate.ExportCertificatePem() + "\n";
            Write(files.AuthorityCertificate, rootPem, Readable);
            Write(Path.Combine(files.TrustedRoots, "netserv-local-sa.pem"), rootPem, Readable);

            using var userKey = RSA.Create(options?.KeySize ?? new LocalAuthorityOptions().KeySize);
            using var user = authority.IssueUserCertificate(userName, userKey, email);
            Write(userPem, user.ExportCertificatePem() + "\n" + LegacyPemKey.EncryptToPem(userKey.ExportRSAPrivateKey(), passphrase), OwnerOnly);
            Write(files.UserCredential(userName), authority.IssueUserCredential(user), OwnerOnly);
            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialException($"cannot write the local authority in {directory}: {e.Message}", e);
        }
    }

    private static void Write(string path, string text, UnixFileMode mode)
    {
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
