using System.Collections.Concurrent;
using System.Diagnostics;
using NetServ.Testbed.Linux;

namespace NetServ.Apps.ActiveCdn.Tests.EndToEnd;

/// <summary>activecdn-provider running in a namespace, from this test's output folder.</summary>
internal sealed class ProviderProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private ProviderProcess(Process process) => _process = process;

    public string LogTail => string.Join('\n', _log.TakeLast(30));

    public static ProviderProcess Start(NetworkNamespace ns, IReadOnlyDictionary<string, string> settings)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "activecdn-provider.dll"));
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--Provider:{key}={value}");
        }

        var process = ns.Start(info);
        var provider = new ProviderProcess(process);
        process.OutputDataReceived += (_, e) => provider.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => provider.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
            TestContext.Progress.WriteLine($"[provider] {line}");
        }
    }
}
