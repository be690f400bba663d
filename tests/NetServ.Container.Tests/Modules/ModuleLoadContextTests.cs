using System.Reflection;
using NetServ.Container.Modules;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Container.Tests.Modules;

[TestFixture]
public sealed class ModuleLoadContextTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("netserv-load-context-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Load_SdkAssembliesCopiedIntoTheModuleDirectory_GivesTheContainersAssemblies()
    {
        // A package that wrongly carries its own copies must still see the container's types.
        var networking = typeof(Ipv4Address).Assembly;
        var sdk = typeof(INetServModule).Assembly;
        File.Copy(networking.Location, Path.Combine(_directory, Path.GetFileName(networking.Location)));
        File.Copy(sdk.Location, Path.Combine(_directory, Path.GetFileName(sdk.Location)));
        var context = new ModuleLoadContext("copies_1.0.0", _directory);
        try
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(context.LoadFromAssemblyName(networking.GetName()), Is.SameAs(networking));
                Assert.That(context.LoadFromAssemblyName(new AssemblyName("NetServ.Networking")), Is.SameAs(networking));
                Assert.That(context.LoadFromAssemblyName(sdk.GetName()), Is.SameAs(sdk));
            }
        }
        finally
        {
            context.Unload();
        }
    }
}
