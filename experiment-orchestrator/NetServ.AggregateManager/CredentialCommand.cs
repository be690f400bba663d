using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;

namespace NetServ.AggregateManager;

/// <summary>
/// <c>netserv-am credential --slice NAME</c>: the local slice authority issues a slice credential for one of its users and
/// writes it to a file, as <c>omni getslicecred -o</c> saves one from a clearinghouse; a GENI client (<c>netserv-lab run
/// --aggregate local --credential FILE</c>, omni) passes it to the aggregate.
/// </summary>
internal static class CredentialCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = AmCommands.DirectoryOption();
        var slice = new Option<string>("--slice") { Description = "The slice's name (in its URN urn:publicid:IDN+netserv.local+slice+NAME)", Required = true };
        var user = new Option<string?>("--user") { Description = "The user the credential is for (default: the authority's only user)" };
        var file = new Option<string?>("--out") { Description = "Where to write it (default NAME-cred.xml in the current directory)" };
        var days = new Option<double>("--days") { Description = "How long it lasts (at most until the user's certificate expires)", DefaultValueFactory = _ => 7 };
        var command = new Command("credential", "Issue a slice credential from the local slice authority, for a GENI client to pass to the aggregate")
        {
            directory, slice, user, file, days,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(slice)!;
            return Run(parse.GetValue(directory)!, name, parse.GetValue(user), parse.GetValue(file) ?? $"{name}-cred.xml", TimeSpan.FromDays(parse.GetValue(days)), output, error);
        });
        return command;
    }

    internal static int Run(string directory, string slice, string? user, string path, TimeSpan lifetime, TextWriter output, TextWriter error)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            error.WriteLine("netserv-am credential: --days must be positive");
            return 2;
        }

        var files = new LocalAuthorityFiles(Path.GetFullPath(directory));
        try
        {
            user ??= OnlyUser(files);
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(files.UserPem(user)));
            using var authority = files.Load(TimeProvider.System);
            var credential = authority.IssueSliceCredential(certificate, slice, DateTimeOffset.UtcNow + lifetime);
            File.WriteAllText(path, credential);
            output.WriteLine($"wrote {Path.GetFullPath(path)}: {user}'s credential for slice {authority.SliceUrn(slice)}, signed by {files.AuthorityCertificate}");
            output.WriteLine($"  netserv-lab run RSPEC --aggregate local --cert {files.UserPem(user)} --credential {path} --aggregate-ca {files.AuthorityCertificate}");
            return 0;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"netserv-am credential: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is CredentialException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            error.WriteLine($"netserv-am credential: {e.Message}");
            return 1;
        }
    }

    /// <exception cref="ArgumentException">The authority has no user, or more than one.</exception>
    private static string OnlyUser(LocalAuthorityFiles files)
    {
        var folder = Path.GetDirectoryName(files.UserPem("x"))!;
        var users = System.IO.Directory.Exists(folder) ? System.IO.Directory.GetFiles(folder, "*.pem").Select(Path.GetFileNameWithoutExtension).ToList() : [];
        return users.Count == 1
            ? users[0]!
            : throw new ArgumentException(users.Count == 0
                ? $"{files.Directory} has no user: netserv-am init makes one"
                : $"{files.Directory} has users {string.Join(", ", users)}: say which with --user");
    }
}
