using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using NetServ.Sdk.Packaging;

namespace NetServ.Cli.Commands;

/// <summary><c>netserv module</c>: build a module package and print what a SETUP needs (name and digest).</summary>
internal static class ModuleCommands
{
    public static Command Create()
    {
        var module = new Command("module", "Build, check and serve module packages");
        module.Subcommands.Add(Pack());
        module.Subcommands.Add(Digest());
        module.Subcommands.Add(ModuleServeCommand.Create());
        return module;
    }

    /// <summary>The SHA-256 of a file as lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static Command Pack()
    {
        var project = new Argument<string>("project") { Description = "the module's project file or folder", DefaultValueFactory = _ => "." };
        var output = new Option<string>("--output", "-o") { Description = "where the package goes", DefaultValueFactory = _ => "modules" };
        var command = new Command("pack", "Build a module package with dotnet pack, check it is a module, and print its name and digest") { project, output };
        command.SetAction(async (result, cancellationToken) =>
        {
            var outputDirectory = Path.GetFullPath(result.GetValue(output)!);
            Directory.CreateDirectory(outputDirectory);
            var before = Directory.GetFiles(outputDirectory, "*.nupkg").ToDictionary(f => f, File.GetLastWriteTimeUtc);
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            foreach (var argument in new[] { "pack", result.GetValue(project)!, "-c", "Release", "-o", outputDirectory, "--nologo" })
            {
                info.ArgumentList.Add(argument);
            }

            using (var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"))
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    await result.InvocationConfiguration.Error.WriteLineAsync($"netserv: dotnet pack failed with exit code {process.ExitCode}").ConfigureAwait(false);
                    return 1;
                }
            }

            var produced = Directory.GetFiles(outputDirectory, "*.nupkg")
                .Where(f => !before.TryGetValue(f, out var time) || File.GetLastWriteTimeUtc(f) > time)
                .ToArray();
            if (produced.Length == 0)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync("netserv: dotnet pack produced no package (is the project packable?)").ConfigureAwait(false);
                return 1;
            }

            var exit = 0;
            foreach (var package in produced)
            {
                exit = Math.Max(exit, Describe(package, result.InvocationConfiguration));
            }

            return exit;
        });
        return command;
    }

    private static Command Digest()
    {
        var package = new Argument<string>("package") { Description = "a module package (.nupkg)" };
        var command = new Command("digest", "Check a module package and print its module name and SHA-256 digest") { package };
        command.SetAction(result => Describe(result.GetValue(package)!, result.InvocationConfiguration));
        return command;
    }

    private static int Describe(string package, InvocationConfiguration console)
    {
        if (!File.Exists(package))
        {
            console.Error.WriteLine($"netserv: {package} does not exist");
            return 2;
        }

        try
        {
            var info = ModulePackage.Inspect(package);
            console.Output.WriteLine($"module   {info.ModuleName}");
            console.Output.WriteLine($"entry    {info.EntryType}");
            console.Output.WriteLine($"package  {Path.GetFullPath(package)}");
            console.Output.WriteLine($"sha256   {Sha256(package)}");
            return 0;
        }
        catch (ModulePackageException e)
        {
            console.Error.WriteLine($"netserv: {package}: {e.Message}");
            return 1;
        }
    }
}
