using NetServ.Testbed.Linux;

namespace NetServ.Apps.Tests.EndToEnd;

/// <summary>
/// A fixture over one <see cref="SipPath"/>: skipped where the tools are missing, the path built
/// once, the SIP server stopped and the module removed after every test, everything torn down at the end.
/// </summary>
public abstract class SipPathFixture
{
    private protected SipPath Path { get; private set; } = null!;

    private protected abstract SipPathOptions Options { get; }

    [OneTimeSetUp]
    public async Task StartPathAsync()
    {
        if (Prerequisites.Missing("ip", "iptables", "nsenter", "ss") is { } reason)
        {
            Assert.Ignore(reason);
        }

        if (CommandRunner.FindOnPath("sipp") is null)
        {
            Assert.Ignore("needs sipp (Debian package sip-tester; ./lab build installs it)");
        }

        Path = await SipPath.StartAsync(Options);
    }

    [OneTimeTearDown]
    public async Task StopPathAsync()
    {
        if (Path is not null)
        {
            await Path.DisposeAsync();
        }
    }

    [TearDown]
    public async Task RemoveLeftoversAsync()
    {
        Path.StopSipServer();
        await Path.Router.RemoveAsync(Options.Module, SipPath.User);
    }
}
