using NetServ.Traffic;

namespace NetServ.Evaluation.Tests.Traffic;

/// <summary>The Click executable the evaluation looks for (NETSERV_CLICK), set for a test and restored after it.</summary>
internal sealed class ClickExecutable : IDisposable
{
    private const string Variable = ClickInstallation.ExecutableVariable;

    private readonly string? _before = Environment.GetEnvironmentVariable(Variable);

    private ClickExecutable(string? path) => Environment.SetEnvironmentVariable(Variable, path);

    /// <summary>NETSERV_CLICK set to <paramref name="path"/> (null unsets it) until disposed.</summary>
    public static ClickExecutable Set(string? path) => new(path);

    /// <summary>NETSERV_CLICK pointing at no file: every sender is without Click, whatever this machine has.</summary>
    public static ClickExecutable Absent() => new("/nonexistent/click");

    public void Dispose() => Environment.SetEnvironmentVariable(Variable, _before);
}
