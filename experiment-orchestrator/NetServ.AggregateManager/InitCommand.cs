using System.CommandLine;
using System.Text;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;

namespace NetServ.AggregateManager;

/// <summary>
/// <c>netserv-am init</c>: makes a local authority (root certificate that is the slice authority, the trust
/// directory, a user's certificate and key in the CloudLab PEM layout and user credential) and says what it made
/// and how to use it; slice credentials come from <c>netserv-am credential</c>. Never overwrites an authority.
/// </summary>
internal static class InitCommand
{
    /// <summary>The environment variable init reads the passphrase of the user's key from when no file is given.</summary>
    public const string PassphraseVariable = "NETSERV_AM_PASSPHRASE";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = AmCommands.DirectoryOption();
        var user = new Option<string>("--user")
        {
            Description = "The first user's name (in its URN urn:publicid:IDN+netserv.local+user+NAME)",
            DefaultValueFactory = _ => DefaultUser(),
        };
        var passphraseFile = new Option<FileInfo?>("--passphrase-file")
        {
            Description = $"A file whose first line is the passphrase of the user's key (else ${PassphraseVariable}, else asked)",
        };
        var command = new Command("init", "Make a local GENI authority: a root certificate, a slice authority, and a user's certificate and key as CloudLab hands them out")
        {
            directory, user, passphraseFile,
        };
        command.SetAction(parse =>
        {
            var passphrase = Passphrase(parse.GetValue(passphraseFile));
            if (string.IsNullOrEmpty(passphrase))
            {
                error.WriteLine($"netserv-am init: the user's key needs a passphrase: --passphrase-file, ${PassphraseVariable}, or a terminal to ask on");
                return 2;
            }

            return Run(parse.GetValue(directory)!, parse.GetValue(user)!, passphrase, output, error);
        });
        return command;
    }

    internal static int Run(string directory, string user, string passphrase, TextWriter output, TextWriter error)
    {
        LocalAuthorityFiles files;
        try
        {
            files = new LocalAuthorityMaker(TimeProvider.System).Make(Path.GetFullPath(directory), user, passphrase);
        }
        catch (Exception e) when (e is CredentialException or ArgumentException)
        {
            error.WriteLine($"netserv-am init: {e.Message}");
            return e is ArgumentException ? 2 : 1;
        }

        output.Write(Describe(files, user));
        return 0;
    }

    /// <summary>What init made, and the next steps.</summary>
    internal static string Describe(LocalAuthorityFiles files, string user)
    {
        var dir = files.Directory;
        var text = new StringBuilder();
        text.AppendLine($"made a local GENI authority in {dir}:");
        text.AppendLine($"  {files.AuthorityCertificate}  the root certificate, which is also the slice authority (urn:publicid:IDN+netserv.local+authority+sa)");
        text.AppendLine($"  {files.AuthorityKey}  its private key (yours only: it signs every credential)");
        text.AppendLine($"  {files.TrustedRoots}/  the trust directory: the roots netserv-am believes");
        text.AppendLine($"  {files.UserPem(user)}  {user}'s certificate and encrypted key, laid out as CloudLab's cloudlab.pem");
        text.AppendLine($"  {files.UserCredential(user)}  {user}'s user credential");
        text.AppendLine("next:");
        text.AppendLine($"  sudo netserv-am serve --dir {dir}          serves the AM API v3 at https://127.0.0.1:12369/protogeni/xmlrpc/am/3.0 (nodes are Docker containers), and the authority's clearinghouse beside it");
        text.AppendLine($"  netserv-am credential --dir {dir} --slice NAME   writes a slice credential for {user} to NAME-cred.xml (as omni getslicecred -o saves one)");
        text.AppendLine($"  netserv-lab run RSPEC --aggregate local --cert {files.UserPem(user)} --credential NAME-cred.xml --aggregate-ca {files.AuthorityCertificate}");
        text.AppendLine("    or, the slice made and its credential fetched at the clearinghouse: --clearinghouse local --slice NAME in place of --credential");
        text.AppendLine($"  (any GENI client: {files.UserPem(user)} is its certificate and key, with the passphrase you gave; it trusts {files.AuthorityCertificate})");
        return text.ToString();
    }

    private static string DefaultUser()
    {
        var name = Environment.GetEnvironmentVariable("SUDO_USER") ?? Environment.UserName;
        return name is { Length: > 0 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name != "root" ? name : "experimenter";
    }

    private static string? Passphrase(FileInfo? file)
    {
        if (file is not null)
        {
            using var reader = file.OpenText();
            return reader.ReadLine();
        }

        if (Environment.GetEnvironmentVariable(PassphraseVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        return PassphraseSource.ReadFromTerminal("passphrase for the user's key: ");
    }
}
