using NetServ.Evaluation.Traffic;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Traffic;

namespace NetServ.Evaluation.Tests.Traffic;

/// <summary>The Click executable the evaluation looks for (NETSERV_CLICK), set for a test and restored after it.</summary>
internal sealed class ClickExecutable : IDisposable
{
    private const string Variable = "NETSERV_CLICK";

    private readonly string? _before = Environment.GetEnvironmentVariable(Variable);

    private ClickExecutable(string? path) => Environment.SetEnvironmentVariable(Variable, path);

    /// <summary>NETSERV_CLICK set to <paramref name="path"/> (null unsets it) until disposed.</summary>
    public static ClickExecutable Set(string? path) => new(path);

    /// <summary>NETSERV_CLICK pointing at no file: every sender is without Click, whatever this machine has.</summary>
    public static ClickExecutable Absent() => new("/nonexistent/click");

    /// <summary>Click as the evaluation will find it on this machine, or skips the test saying why there is none.</summary>
    public static ClickInstallation RequireInstalled()
    {
        var installation = ClickInstallation.Detect(new LocalShell(), GeneratorOption.ClickOptions().Executable);
        if (!installation.IsInstalled)
        {
            Assert.Ignore($"{installation.NotInstalledMessage}: build userlevel Click from github.com/kohler/click and put it on PATH or set {Variable}");
        }

        return installation;
    }

    public void Dispose() => Environment.SetEnvironmentVariable(Variable, _before);
}
