using System.Diagnostics;
using NetServ.Sdk.Packaging;
using NetServ.Testbed.Nodes;

namespace NetServ.Templates.Tests;

/// <summary>
/// Lab 2 from a clean folder: the template package that <c>./lab build</c> packs is installed into a template cache
/// of the test's own, and a module made from it builds, passes its own tests and packs as a module the node accepts.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TemplatePackageTests
{
    // dotnet test's summary when at least one test ran and none failed.
    private const string GeneratedTestsPassed = @"Failed:\s+0, Passed:\s+[1-9]";

    private DotnetSandbox _sandbox = null!;

    private static string TemplatePackage => Path.Combine(BuildOutputs.RepositoryRoot, "artifacts", "packages", "NetServ.Templates.1.0.0.nupkg");

    [OneTimeSetUp]
    public async Task InstallTemplates()
    {
        if (!File.Exists(TemplatePackage))
        {
            Assert.Ignore($"the template package is not built ({TemplatePackage}): run ./lab build, or dotnet pack tutorial/templates/NetServ.Templates.csproj -c Release");
        }

        _sandbox = DotnetSandbox.Create();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _sandbox.DotnetAsync(_sandbox.Root, timeout.Token, "new", "install", TemplatePackage);
    }

    [OneTimeTearDown]
    public void RemoveSandbox() => _sandbox?.Dispose();

    [Test]
    [CancelAfter(150_000)]
    public async Task PacketModuleTemplate_NewBuildTestPack_GivesAModuleNamedAfterTheProject(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var (solution, tests) = await NewBuildAndTestAsync("netserv-module", "PortCounter", cancellationToken);
        await _sandbox.DotnetAsync(solution, cancellationToken, "pack", "PortCounter", "-c", "Release", "-o", "modules", "--nologo", "-v", "q");
        var module = ModulePackage.Inspect(Path.Combine(solution, "modules", "PortCounter.1.0.0.nupkg"));
        TestContext.Out.WriteLine($"new, build, test and pack of the packet module took {stopwatch.Elapsed.TotalSeconds:F0} s");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tests, Does.Match(GeneratedTestsPassed), "the generated tests ran and passed");
            Assert.That(module.ModuleName, Is.EqualTo("PortCounter_1.0.0"));
            Assert.That(module.EntryType, Is.EqualTo("PortCounter.PortCounterModule"));
            // The container provides NetServ.Sdk and NetServ.Networking: the package carries the module alone.
            Assert.That(module.Files, Is.EqualTo(new[] { "PortCounter.dll" }));
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ServerModuleTemplate_NewBuildTest_PassesItsOwnTests(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var (_, tests) = await NewBuildAndTestAsync("netserv-server-module", "Greeter", cancellationToken);
        TestContext.Out.WriteLine($"new, build and test of the server module took {stopwatch.Elapsed.TotalSeconds:F0} s");

        Assert.That(tests, Does.Match(GeneratedTestsPassed), "the generated tests ran and passed");
    }

    /// <summary>What a student types: dotnet new TEMPLATE -n NAME, then dotnet build and dotnet test in the new folder.</summary>
    private async Task<(string Solution, string TestOutput)> NewBuildAndTestAsync(string template, string name, CancellationToken cancellationToken)
    {
        await _sandbox.DotnetAsync(_sandbox.Work, cancellationToken, "new", template, "-n", name, "--no-update-check");
        var solution = Path.Combine(_sandbox.Work, name);
        await _sandbox.DotnetAsync(solution, cancellationToken, "build", "--nologo", "-v", "q");
        return (solution, await _sandbox.DotnetAsync(solution, cancellationToken, "test", "--no-build", "--nologo"));
    }
}
