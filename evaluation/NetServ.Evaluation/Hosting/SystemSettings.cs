using NetServ.Testbed.Linux;

namespace NetServ.Evaluation.Hosting;

/// <summary>
/// Machine-wide sysctls changed for a run (net.core.netdev_max_backlog is not per namespace):
/// each is set once, its previous value remembered, and all are restored on dispose.
/// </summary>
internal sealed class SystemSettings : IDisposable
{
    private readonly List<(string Key, string Previous, string Value)> _changed = [];

    /// <summary>The settings changed so far: key, value before, value during the run.</summary>
    public IReadOnlyList<(string Key, string Previous, string Value)> Changed => _changed;

    public static string Get(string key) => CommandRunner.RunChecked("sysctl", "-n", key).StandardOutput.Trim();

    public void Set(string key, string value)
    {
        var previous = Get(key);
        CommandRunner.RunChecked("sysctl", "-q", "-w", $"{key}={value}");
        _changed.Add((key, previous, value));
    }

    /// <summary>Restores every setting, last changed first; a failure does not stop the others.</summary>
    public void Dispose()
    {
        for (var i = _changed.Count - 1; i >= 0; i--)
        {
            var (key, previous, _) = _changed[i];
            CommandRunner.Run("sysctl", ["-q", "-w", $"{key}={previous}"]);
        }

        _changed.Clear();
    }
}
