using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Ssh;

/// <summary>
/// A run's own SSH key: made fresh for each run in the run's folder, so no user's key reaches a testbed and a run's
/// access ends with the run. <see cref="PublicKey"/> is the authorized_keys line a node is given.
/// </summary>
/// <param name="PrivateKeyPath">The private key (OpenSSH format, no passphrase, mode 0600).</param>
/// <param name="PublicKeyPath">The public key beside it (<c>.pub</c>).</param>
/// <param name="PublicKey">The public key as an authorized_keys line.</param>
public sealed record SshKeyPair(string PrivateKeyPath, string PublicKeyPath, string PublicKey)
{
    private static readonly TimeSpan KeygenTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Makes an ed25519 key pair with <c>ssh-keygen</c> as <paramref name="directory"/>/id_ed25519 (and .pub), with
    /// <paramref name="comment"/> (such as the run's id) in the public key.
    /// </summary>
    /// <exception cref="IOException">The key file exists already: a run's key is never replaced.</exception>
    /// <exception cref="CommandFailedException">ssh-keygen is missing or failed.</exception>
    public static async Task<SshKeyPair> CreateAsync(string directory, string comment, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(comment);
        var privateKeyPath = Path.Combine(Path.GetFullPath(directory), "id_ed25519");
        var publicKeyPath = privateKeyPath + ".pub";
        if (File.Exists(privateKeyPath) || File.Exists(publicKeyPath))
        {
            throw new IOException($"{privateKeyPath} exists already; a run makes its key in a folder of its own");
        }

        Directory.CreateDirectory(directory);
        var result = await new LocalShell().RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", privateKeyPath], KeygenTimeout, standardInput: "", cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();

        // ssh-keygen makes it 0600 already; said again because OpenSSH refuses a key others can read.
        File.SetUnixFileMode(privateKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var publicKey = (await File.ReadAllTextAsync(publicKeyPath, cancellationToken).ConfigureAwait(false)).Trim();
        return new SshKeyPair(privateKeyPath, publicKeyPath, publicKey);
    }
}
