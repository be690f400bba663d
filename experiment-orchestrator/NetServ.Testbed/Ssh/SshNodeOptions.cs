namespace NetServ.Testbed.Ssh;

/// <summary>How an <see cref="SshNodeSession"/> reaches its node.</summary>
public sealed record SshNodeOptions
{
    /// <summary>The node's name in the experiment, for messages.</summary>
    public required string NodeName { get; init; }

    /// <summary>The host name or address the node's sshd listens on.</summary>
    public required string Host { get; init; }

    /// <summary>The port the node's sshd listens on.</summary>
    public int Port { get; init; } = 22;

    /// <summary>The user to log in as.</summary>
    public required string User { get; init; }

    /// <summary>The private key to log in with: the run's own (<see cref="SshKeyPair.CreateAsync"/>), in OpenSSH format.</summary>
    public required string PrivateKeyPath { get; init; }

    /// <summary>
    /// The experiment's own known_hosts file (OpenSSH format, not the user's ~/.ssh/known_hosts): the node's host key is
    /// recorded there at first contact, and every later connection must present that key.
    /// </summary>
    public required string KnownHostsPath { get; init; }

    /// <summary>
    /// The host key's SHA-256 fingerprint as the manifest gives it (<c>SHA256:…</c>, as <c>ssh-keygen -l</c> prints it),
    /// when known: then even the first contact must present that key. <see langword="null"/> trusts the first contact.
    /// </summary>
    public string? HostKeyFingerprint { get; init; }

    /// <summary>How long one connection attempt (TCP connect, key exchange, authentication) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to keep retrying while the node refuses or does not answer, as a node does while it boots; after it,
    /// the session gives up with <see cref="NodeUnreachableException"/>. Zero tries once.
    /// </summary>
    public TimeSpan BootRetryWindow { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The first pause between attempts; each later pause doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest pause between attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(NodeName);
        ArgumentException.ThrowIfNullOrWhiteSpace(Host);
        ArgumentException.ThrowIfNullOrWhiteSpace(User);
        ArgumentException.ThrowIfNullOrWhiteSpace(PrivateKeyPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(KnownHostsPath);
        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"port {Port} is not a TCP port", nameof(Port));
        }

        if (HostKeyFingerprint is not null && !HostKeyFingerprint.StartsWith(KnownHosts.FingerprintPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"host key fingerprint '{HostKeyFingerprint}' is not a SHA-256 fingerprint ({KnownHosts.FingerprintPrefix}…)", nameof(HostKeyFingerprint));
        }

        if (ConnectTimeout <= TimeSpan.Zero || BootRetryWindow < TimeSpan.Zero || FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
        {
            throw new ArgumentException("the connect timeout and the first retry delay must be positive, the retry window not negative, and the longest delay at least the first");
        }
    }
}
