using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Tests.Ssh;

/// <summary>A node whose sshd comes back with another host key, against the key pinned at first contact.</summary>
[TestFixture]
public sealed class SshHostKeyChangeTests
{
    [Test]
    public async Task ANodeThatComesBackWithANewHostKey_IsRefusedNamingTheNodeAndBothFingerprints()
    {
        if (SshServer.Missing is { } reason)
        {
            TestContext.Progress.WriteLine($"SSH host key test skipped: {reason}");
            Assert.Ignore(reason);
        }

        await using var server = await SshServer.StartAsync();
        var key = await SshKeyPair.CreateAsync(Path.Combine(server.Directory, "run"), "netserv-test-run");
        await server.AuthorizeAsync(key);
        var options = new SshNodeOptions
        {
            NodeName = "receiver",
            Host = "127.0.0.1",
            Port = server.Port,
            User = SshServer.User,
            PrivateKeyPath = key.PrivateKeyPath,
            KnownHostsPath = Path.Combine(server.Directory, "known_hosts"),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            BootRetryWindow = TimeSpan.FromSeconds(1),
        };
        var pinned = await server.HostKeyFingerprintAsync();
        await using (var first = new SshNodeSession(options, TimeProvider.System, NullLogger<SshNodeSession>.Instance))
        {
            (await first.RunAsync("true", [], TimeSpan.FromSeconds(30))).EnsureSuccess();
        }

        await server.RestartWithNewHostKeyAsync();
        var presented = await server.HostKeyFingerprintAsync();
        await using var second = new SshNodeSession(options, TimeProvider.System, NullLogger<SshNodeSession>.Instance);
        var error = Assert.ThrowsAsync<NodeUnreachableException>(() => second.RunAsync("true", [], TimeSpan.FromSeconds(30)));

        var failure = error!.InnerException as SshConnectFailedException;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(presented, Is.Not.EqualTo(pinned));
            Assert.That(failure?.Failure, Is.EqualTo(SshConnectFailure.HostKeyChanged));
            Assert.That(error.Message, Does.Contain("node receiver").And.Contain("host key changed").And.Contain(pinned).And.Contain(presented).And.Contain(options.KnownHostsPath));
            Assert.That(error.Message, Does.Not.Contain("tried"), "a changed key is not retried");
        }
    }
}
