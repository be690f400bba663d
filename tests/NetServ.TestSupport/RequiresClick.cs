using NetServ.Testbed.Linux;
using NetServ.Traffic;

namespace NetServ.TestSupport;

/// <summary>Skips (with the reason) tests that need the Click modular router where this machine has none.</summary>
public static class RequiresClick
{
    /// <summary>
    /// Click as the programs find it on this machine (<see cref="ClickInstallation.ConfiguredExecutable"/>:
    /// NETSERV_CLICK, or <c>click</c> on PATH, if it really is Click), or skips the test saying why there is none.
    /// </summary>
    public static ClickInstallation Check()
    {
        var installation = ClickInstallation.Detect(new LocalShell(), ClickInstallation.ConfiguredExecutable);
        if (!installation.IsInstalled)
        {
            Assert.Ignore(
                $"{installation.NotInstalledMessage}. Debian 12 has no package of the Click modular router (its `click` is an unrelated "
                + $"packaging tool): build userlevel Click from source (github.com/kohler/click) and put it on PATH or set {ClickInstallation.ExecutableVariable}.");
        }

        return installation;
    }
}
