using NetServ.Testbed.Linux;
using NetServ.Testbed.Traffic;

namespace NetServ.Testbed.Tests.Traffic;

/// <summary>The Click modular router these tests may use: NETSERV_CLICK (a path) or <c>click</c> on PATH, if it really is Click.</summary>
internal static class ClickForTests
{
    /// <summary>The executable, or skips the test saying why there is none.</summary>
    public static string RequireInstalled()
    {
        var executable = Environment.GetEnvironmentVariable("NETSERV_CLICK") is { Length: > 0 } path ? path : ClickInstallation.DefaultExecutable;
        var installation = ClickInstallation.Detect(new LocalShell(), executable);
        if (!installation.IsInstalled)
        {
            Assert.Ignore(
                $"{installation.NotInstalledMessage}. Debian 12 has no package of the Click modular router (its `click` is an unrelated "
                + "packaging tool): build userlevel Click from source (github.com/kohler/click) and put it on PATH or set NETSERV_CLICK.");
        }

        return executable;
    }
}
