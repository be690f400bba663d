using System.Diagnostics;
using System.Text;

namespace NetServ.NodeImage.Disk;

/// <summary>A program the disk build runs failed; the message names it and ends with what it printed.</summary>
internal sealed class ExternalToolException(string message) : Exception(message);

/// <summary>Runs the Debian tools the disk is made with (debootstrap, mkfs, sfdisk, mtools, qemu-img).</summary>
internal static class ExternalTool
{
    /// <summary>Runs <paramref name="file"/> and returns its standard output; throws when it fails, times out or is missing.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExternalToolException($"{file} could not be started ({e.Message}); ./lab image installs the packages the disk build needs");
        }

        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExternalToolException($"{file} did not finish within {timeout.TotalSeconds:0} s");
        }

        var standardOutput = await output.ConfigureAwait(false);
        var standardError = await error.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var text = new StringBuilder().Append(file).Append(' ').AppendJoin(' ', arguments).Append(" exited with ").Append(process.ExitCode);
            var tail = Tail(standardError.Length > 0 ? standardError : standardOutput, 2000);
            throw new ExternalToolException(tail.Length > 0 ? text.Append(": ").Append(tail).ToString() : text.ToString());
        }

        return standardOutput;
    }

    private static string Tail(string text, int length) => text.Length <= length ? text.Trim() : text[^length..].Trim();
}
