using System.Security.Cryptography;
using NetServ.Contracts.Configuration;
using NetServ.Node.Configuration;

namespace NetServ.Node.Tests.Configuration;

[TestFixture]
public sealed class NodeConfigurationValidatorTests
{
    private static readonly string AliceKey = CreateP256Key();

    private static readonly List<(string Field, Action<NodeConfiguration> Break)> Broken = [.. BrokenSettings()];

    /// <summary>One broken setting each, with the field path its error must name.</summary>
    private static IEnumerable<(string Field, Action<NodeConfiguration> Break)> BrokenSettings()
    {
        static (string, Action<NodeConfiguration>) Case(string field, Action<NodeConfiguration> breakIt) => (field, breakIt);

        yield return Case("NodeName", o => o.NodeName = "");
        yield return Case("NodeName", o => o.NodeName = "router.example");
        yield return Case("NodeName", o => o.NodeName = new string('n', 33));
        yield return Case("AdminSocket", o => o.AdminSocket = "netservd.sock");
        yield return Case("RuntimeDirectory", o => o.RuntimeDirectory = "run/netserv");
        yield return Case("StateDirectory", o => o.StateDirectory = "state");
        yield return Case("DefaultTtlSeconds", o => o.DefaultTtlSeconds = 0);
        yield return Case("MaxTtlSeconds", o => o.MaxTtlSeconds = o.DefaultTtlSeconds - 1);
        yield return Case("ModuleCache:Directory", o => o.ModuleCache.Directory = "cache");
        yield return Case("ModuleCache:MaxPackageBytes", o => o.ModuleCache.MaxPackageBytes = 0);
        yield return Case("ModuleCache:DownloadTimeoutSeconds", o => o.ModuleCache.DownloadTimeoutSeconds = -1);
        yield return Case("Containers:UidBase", o => o.Containers.UidBase = 999);
        yield return Case("Containers:QueueBase", o => (o.Containers.QueueBase, o.Users[0].Queue, o.Users[1].Queue) = (65536, 1, 2));
        yield return Case("Containers:QueueBase", o => (o.Containers.QueueBase, o.Users[0].Queue, o.Users[1].Queue) = (-1, 1, 2));
        yield return Case("Containers:HangTimeoutMs", o => o.Containers.HangTimeoutMs = 0);
        yield return Case("Containers:ReaderCpu", o => o.Containers.ReaderCpu = -1);
        yield return Case("Containers:ReaderCpu", o => o.Containers.ReaderCpu = 64);
        yield return Case("Containers:BatchSize", o => o.Containers.BatchSize = 0);
        yield return Case("Containers:BatchSize", o => o.Containers.BatchSize = 1025);
        yield return Case("Containers:QueueMaxLength", o => o.Containers.QueueMaxLength = 0);
        yield return Case("Containers:StartTimeoutSeconds", o => o.Containers.StartTimeoutSeconds = 0);
        yield return Case("Containers:RequestTimeoutSeconds", o => o.Containers.RequestTimeoutSeconds = 0);
        yield return Case("Containers:Landlock", o => o.Containers.Landlock = "sometimes");
        yield return Case("Containers:LogLevel", o => o.Containers.LogLevel = "Loud");
        yield return Case("Containers:Executable", o => o.Containers.Executable = "netserv-container.dll");
        yield return Case("Containers:Sandbox", o => o.Containers.Sandbox = "./netserv-sandbox");
        yield return Case("Containers:Dotnet", o => o.Containers.Dotnet = "dotnet");
        yield return Case("Forwarding:Chain", o => o.Forwarding.Chain = "");
        yield return Case("Forwarding:Chain", o => o.Forwarding.Chain = "NET SERV");
        yield return Case("Forwarding:Chain", o => o.Forwarding.Chain = new string('C', 29));
        yield return Case("Forwarding:Hooks", o => o.Forwarding.Hooks.Clear());
        yield return Case("Forwarding:Hooks:1", o => o.Forwarding.Hooks.Add("forward"));
        yield return Case("Forwarding:Hooks:1", o => o.Forwarding.Hooks.Add("PREROUTING"));
        yield return Case("Forwarding:Hooks:1", o => o.Forwarding.Hooks.Add("POSTROUTING"));
        yield return Case("Signaling:RouterAlertValue", o => o.Signaling.RouterAlertValue = 65536);
        yield return Case("Signaling:RouterAlertValue", o => o.Signaling.RouterAlertValue = -1);
        yield return Case("Users", o => o.Users.Clear());
        yield return Case("Users:0:Name", o => o.Users[0].Name = "");
        yield return Case("Users:0:Name", o => o.Users[0].Name = "alice smith");
        yield return Case("Users:1:Name", o => o.Users[1].Name = "alice");
        yield return Case("Users:0:AllowedPrefixes:1", o => o.Users[0].AllowedPrefixes.Add("198.19.0.0/33"));
        yield return Case("Users:1:AllowedPrefixes:0", o => o.Users[1].AllowedPrefixes[0] = "example.com");
        yield return Case("Users:0:AllowedPorts:1", o => o.Users[0].AllowedPorts.Add(0));
        yield return Case("Users:0:AllowedPorts:1", o => o.Users[0].AllowedPorts.Add(65536));
        yield return Case("Users:0:MemoryLimitMb", o => o.Users[0].MemoryLimitMb = 16);
        yield return Case("Users:0:CpuLimit", o => o.Users[0].CpuLimit = 0);
        yield return Case("Users:0:Queue", o => o.Users[0].Queue = 65536);
        yield return Case("Users:1:Queue", o => o.Users[1].Queue = 100);
        yield return Case("Users:1:Queue", o => o.Users[0].Queue = 101);
        yield return Case("Users:0:PublicKey", o => o.Users[0].PublicKey = "not a key");
        yield return Case("ReverseRoutability:Port", o => o.ReverseRoutability.Port = 0);
        yield return Case("ReverseRoutability:Path", o => o.ReverseRoutability.Path = "netserv-password");
        yield return Case("ReverseRoutability:Path", o => o.ReverseRoutability.Path = "/a b");
        yield return Case("ReverseRoutability:TimeoutMs", o => o.ReverseRoutability.TimeoutMs = 5);
    }

    [Test]
    public void Validate_ValidConfiguration_HasNoErrors()
    {
        var errors = NodeConfigurationValidator.Validate(Valid());

        Assert.That(errors, Is.Empty);
    }

    private static IEnumerable<TestCaseData> BrokenCases() =>
        Broken.Select((c, i) => new TestCaseData(i, c.Field).SetArgDisplayNames($"{i}", c.Field));

    [TestCaseSource(nameof(BrokenCases))]
    public void Validate_BrokenSetting_GivesOneErrorNamingItsFieldPath(int index, string field)
    {
        var options = Valid();
        Broken[index].Break(options);

        var errors = NodeConfigurationValidator.Validate(options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors, Has.Count.EqualTo(1), string.Join("\n", errors));
            Assert.That(errors, Has.Some.StartsWith($"NetServ:{field}: "));
        }
    }

    [Test]
    public void Validate_UserConfiguredTwice_SaysSo()
    {
        var options = Valid();
        options.Users[1].Name = "alice";

        var errors = NodeConfigurationValidator.Validate(options);

        Assert.That(errors, Is.EqualTo(new[] { "NetServ:Users:1:Name: 'alice' is configured twice" }));
    }

    [Test]
    public void Validate_DefaultQueueOfALaterUserTakenByAnEarlierOne_NamesTheLaterUser()
    {
        var options = Valid();
        options.Containers.QueueBase = 200;
        options.Users[0].Queue = 201; // bob's default is QueueBase + 1

        var errors = NodeConfigurationValidator.Validate(options);

        Assert.That(errors, Is.EqualTo(new[] { "NetServ:Users:1:Queue: queue 201 is used by another user" }));
    }

    [Test]
    public void Validate_P384Key_IsRefusedWithTheKeyParsersReason()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var options = Valid();
        options.Users[1].PublicKey = ecdsa.ExportSubjectPublicKeyInfoPem();

        var errors = NodeConfigurationValidator.Validate(options);

        Assert.That(errors.Single(), Does.StartWith("NetServ:Users:1:PublicKey: ").And.Contain("P-256"));
    }

    [Test]
    public void Validate_NoPublicKey_IsAllowed()
    {
        var options = Valid();
        options.Users[0].PublicKey = null;
        options.Users[1].PublicKey = string.Empty;

        Assert.That(NodeConfigurationValidator.Validate(options), Is.Empty);
    }

    [Test]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        var options = Valid();
        options.NodeName = "bad name";
        options.Containers.BatchSize = 0;
        options.Users[1].AllowedPorts.Add(70000);

        var errors = NodeConfigurationValidator.Validate(options);

        Assert.That(errors.Select(e => e[..e.IndexOf(": ", StringComparison.Ordinal)]), Is.EquivalentTo(new[]
        {
            "NetServ:NodeName", "NetServ:Containers:BatchSize", "NetServ:Users:1:AllowedPorts:0",
        }));
    }

    private static NodeConfiguration Valid() => new()
    {
        NodeName = "router-1",
        AdminSocket = "/run/netserv/netservd.sock",
        RuntimeDirectory = "/run/netserv",
        StateDirectory = "/var/lib/netserv",
        ModuleCache = { Directory = "/var/cache/netserv" },
        Containers = { Executable = "/opt/netserv/netserv-container.dll", ReaderCpu = 1 },
        Forwarding = { Hooks = ["FORWARD"] },
        Users =
        [
            new UserConfiguration { Name = "alice", PublicKey = AliceKey, AllowedPrefixes = ["198.19.0.0/16"], AllowedPorts = [8080] },
            new UserConfiguration { Name = "bob", AllowedPrefixes = ["198.20.0.0/24", "198.21.0.1"], AllowedPorts = [] },
        ],
    };

    private static string CreateP256Key()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ecdsa.ExportSubjectPublicKeyInfoPem();
    }
}
