using System.CommandLine;
using NetServ.Signaling.Security;

namespace NetServ.Cli.Commands;

/// <summary><c>netserv keygen</c>: makes a user's signing key; the public half goes into each node's configuration.</summary>
internal static class KeyCommands
{
    public static Command Create()
    {
        var keyArgument = new Argument<string?>("key") { Description = "the key file to write (the public key goes to the same name with .pub)", Arity = ArgumentArity.ZeroOrOne };
        var keyFile = new Option<string?>("--out", "-o") { Description = "the key file to write, as KEY" };
        var algorithm = new Option<string>("--algorithm", "-a") { Description = "ecdsa-p256 or ed25519", DefaultValueFactory = _ => "ed25519" };
        var force = new Option<bool>("--force") { Description = "overwrite an existing key file" };
        var command = new Command("keygen", "Make a signing key for a NetServ user: KEY (private, mode 0600) and KEY.pub (the PEM to put in the nodes' configuration)") { keyArgument, keyFile, algorithm, force };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var (named, option) = (result.GetValue(keyArgument), result.GetValue(keyFile));
            if (named is null == option is null)
            {
                error.WriteLine(named is null
                    ? "netserv: name the key file to write: netserv keygen KEY"
                    : "netserv: name the key file once: netserv keygen KEY, or netserv keygen -o KEY");
                return 2;
            }

            var path = Path.GetFullPath((named ?? option)!);
            UserKeyAlgorithm chosen;
            switch (result.GetValue(algorithm)?.ToLowerInvariant())
            {
                case "ed25519": chosen = UserKeyAlgorithm.Ed25519; break;
                case "ecdsa-p256" or "ecdsa" or "p256": chosen = UserKeyAlgorithm.EcdsaP256; break;
                default:
                    error.WriteLine($"netserv: --algorithm must be ed25519 or ecdsa-p256, not '{result.GetValue(algorithm)}'");
                    return 2;
            }

            if (File.Exists(path) && !result.GetValue(force))
            {
                error.WriteLine($"netserv: {path} exists (use --force to overwrite)");
                return 2;
            }

            using var key = UserPrivateKey.Generate(chosen);
            File.WriteAllText(path, string.Empty);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path, key.ToPem() + "\n");
            File.WriteAllText(path + ".pub", key.PublicKey.ToPem() + "\n");
            output.WriteLine($"private key  {path} ({(chosen == UserKeyAlgorithm.Ed25519 ? "Ed25519" : "ECDSA P-256")}, mode 0600)");
            output.WriteLine($"public key   {path}.pub");
            output.WriteLine("put the public key into each node's configuration (NetServ:Users:N:PublicKey):");
            output.WriteLine(key.PublicKey.ToPem());
            return 0;
        });
        return command;
    }

    /// <summary>Reads a key file written by keygen, with a message that says what is wrong.</summary>
    public static UserPrivateKey Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the key file {path} does not exist (make one with netserv keygen)", path);
        }

        return UserPrivateKey.TryParse(File.ReadAllText(path), out var key, out var error)
            ? key
            : throw new InvalidDataException($"{path}: {error}");
    }
}
