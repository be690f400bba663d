using System.Diagnostics;

namespace NetServ.Apps.ActiveCdn.Tests.Provider;

/// <summary>activecdn-provider as a newcomer first meets it: without settings, and with <c>--help</c>.</summary>
[TestFixture]
public sealed class ProviderCommandLineTests
{
    [Test]
    public async Task WithoutRequiredSettings_SaysWhichAreMissing_AndExitsWithTwo_WithoutAStackTrace()
    {
        var (exit, output) = await RunAsync("--Provider:Listen=127.0.0.1:0");

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("The Content field is required").And.Contain("The ModuleDigest field is required"));
        Assert.That(output, Does.Contain("--help"));
        Assert.That(output, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "));
    }

    [Test]
    public async Task Help_ListsTheRequiredSettings_AndExitsWithZero()
    {
        var (exit, output) = await RunAsync("--help");

        Assert.That(exit, Is.Zero, output);
        foreach (var setting in new[] { "--Provider:Content", "--Provider:User", "--Provider:Key", "--Provider:ModuleUrl", "--Provider:ModuleDigest" })
        {
            Assert.That(output, Does.Contain(setting));
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "activecdn-provider.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
