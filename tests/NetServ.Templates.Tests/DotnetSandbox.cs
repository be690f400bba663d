using System.Diagnostics;
using System.Text;

namespace NetServ.Templates.Tests;

/// <summary>
/// Runs <c>dotnet</c> as a student on a clean machine would, in a temporary folder of its own: its own
/// DOTNET_CLI_HOME (so the template cache is not the user's ~/.templateengine) and its own NuGet global packages
/// folder (so no NetServ.Sdk restored earlier is reused). NuGet's sources are the machine's global packages
/// folder, read as a local feed, for NUnit and the test SDK (restored there by the repository's build, so no
/// network is needed), and the SDK packages a template carries for NetServ.*.
/// </summary>
internal sealed class DotnetSandbox : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private DotnetSandbox(string root)
    {
        Root = root;
        Work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
    }

    /// <summary>The sandbox's folder: home, package folder and the work folder below it.</summary>
    public string Root { get; }

    /// <summary>Where templates are instantiated: below a nuget.config that replaces the user's sources.</summary>
    public string Work { get; }

    /// <summary>Creates the sandbox under the system's temporary folder.</summary>
    public static DotnetSandbox Create()
    {
        var sandbox = new DotnetSandbox(Directory.CreateTempSubdirectory("netserv-templates-").FullName);
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(sandbox.Work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="machine-packages" value="{machinePackages}" />
              </packageSources>
              <!-- NetServ.* only from the packages a template carries (netserv-sdk in its own nuget.config). -->
              <packageSourceMapping>
                <packageSource key="netserv-sdk"><package pattern="NetServ.*" /></packageSource>
                <packageSource key="machine-packages"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        return sandbox;
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>; throws with its output when it fails.</summary>
    public async Task<string> DotnetAsync(string directory, CancellationToken cancellationToken, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // What the test host's own dotnet set for its MSBuild must not steer the student's.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_HOME"] = Path.Combine(Root, "home");
        info.Environment["NUGET_PACKAGES"] = Path.Combine(Root, "packages");
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet could not be started");
        var output = new StringBuilder();
        var reading = Task.WhenAll(AppendAsync(process.StandardOutput, output), AppendAsync(process.StandardError, output));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await reading;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in time:\n{Text(output)}");
        }

        return process.ExitCode == 0
            ? Text(output)
            : throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} in {directory} exited with {process.ExitCode}:\n{Text(output)}");
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static async Task AppendAsync(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
