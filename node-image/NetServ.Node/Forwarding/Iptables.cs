using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;

namespace NetServ.Node.Forwarding;

/// <summary>The outcome of one iptables command.</summary>
internal sealed record IptablesResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs iptables (the nft backend here) one command at a time, waiting for the xtables lock.</summary>
internal interface IIptables
{
    Task<IptablesResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

internal sealed partial class Iptables(IOptions<NodeConfiguration> options, ILogger<Iptables> logger) : IIptables, IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task<IptablesResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(options.Value.Forwarding.Iptables)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-w");
        info.ArgumentList.Add("5");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException("iptables did not start");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new TimeoutException($"iptables {string.Join(' ', arguments)} did not finish within 20 s");
            }

            var result = new IptablesResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
            Log.Ran(logger, string.Join(' ', arguments), result.ExitCode);
            return result;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{options.Value.Forwarding.Iptables} could not be run ({e.Message}); install the iptables package (./lab does)", e);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Debug, "iptables {Arguments} -> {ExitCode}")]
        public static partial void Ran(ILogger logger, string arguments, int exitCode);
    }
}
