using NetServ.Testbed.Linux;

namespace NetServ.TestSupport.Sip;

/// <summary>
/// A fixture over one <see cref="SipPath"/>: skipped where the tools are missing, the path built
/// once, the SIP server stopped and the module removed after every test, everything torn down at the end.
/// </summary>
public abstract class SipPathFixture
{
    protected SipPath Path { get; private set; } = null!;

    protected abstract SipPathOptions Options { get; }

    [OneTimeSetUp]
    public async Task StartPathAsync()
    {
        RequiresRoot.Check("ss");
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
