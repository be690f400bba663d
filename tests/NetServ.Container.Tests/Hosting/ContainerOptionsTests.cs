using Microsoft.Extensions.Logging;
using NetServ.Container.Hosting;

namespace NetServ.Container.Tests.Hosting;

[TestFixture]
public sealed class ContainerOptionsTests
{
    private static readonly string[] Required = ["--user", "alice", "--control", "/run/netserv/alice.sock", "--queue", "100"];

    [Test]
    public void TryParse_RequiredOnly_TakesTheDefaults()
    {
        var ok = ContainerOptions.TryParse(Required, out var options, out var error);

        Assert.That(ok, Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options!.User, Is.EqualTo("alice"));
            Assert.That(options.ControlSocket, Is.EqualTo("/run/netserv/alice.sock"));
            Assert.That(options.Queue, Is.EqualTo(100));
            Assert.That(options.NoModuleLayer, Is.False);
            Assert.That(options.ReaderCpu, Is.Null);
            Assert.That(options.HangTimeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(options.BatchSize, Is.EqualTo(64));
            Assert.That(options.QueueMaxLength, Is.EqualTo(4096));
            Assert.That(options.LogLevel, Is.EqualTo(LogLevel.Information));
        }
    }

    [Test]
    public void TryParse_EveryOption_IsRead()
    {
        string[] args =
        [
            "--queue", "65535", "--no-module-layer", "--user", "bob", "--reader-cpu", "3", "--hang-timeout-ms", "250",
            "--batch", "1024", "--queue-max-length", "1", "--log-level", "debug", "--control", "/tmp/c.sock",
        ];

        var ok = ContainerOptions.TryParse(args, out var options, out var error);

        Assert.That(ok, Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options!.User, Is.EqualTo("bob"));
            Assert.That(options.ControlSocket, Is.EqualTo("/tmp/c.sock"));
            Assert.That(options.Queue, Is.EqualTo(65535));
            Assert.That(options.NoModuleLayer, Is.True);
            Assert.That(options.ReaderCpu, Is.EqualTo(3));
            Assert.That(options.HangTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(options.BatchSize, Is.EqualTo(1024));
            Assert.That(options.QueueMaxLength, Is.EqualTo(1));
            Assert.That(options.LogLevel, Is.EqualTo(LogLevel.Debug));
        }
    }

    [TestCase("--user")]
    [TestCase("--control")]
    [TestCase("--queue")]
    public void TryParse_RequiredOptionMissing_Fails(string missing)
    {
        var index = Array.IndexOf(Required, missing);
        var args = Required.Where((_, i) => i != index && i != index + 1).ToArray();

        var ok = ContainerOptions.TryParse(args, out var options, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(options, Is.Null);
            Assert.That(error, Does.Contain("--user, --control and --queue are required"));
        }
    }

    [Test]
    public void TryParse_NoArguments_Fails()
    {
        Assert.That(ContainerOptions.TryParse([], out _, out _), Is.False);
    }

    [TestCase("--queue", "65536")]
    [TestCase("--queue", "-1")]
    [TestCase("--queue", "q")]
    [TestCase("--reader-cpu", "-1")]
    [TestCase("--hang-timeout-ms", "0")]
    [TestCase("--hang-timeout-ms", "1s")]
    [TestCase("--batch", "0")]
    [TestCase("--batch", "1025")]
    [TestCase("--queue-max-length", "0")]
    [TestCase("--queue-max-length", "4294967296")]
    [TestCase("--log-level", "chatty")]
    [TestCase("--colour", "blue")]
    public void TryParse_BadValueOrUnknownOption_FailsNamingBoth(string name, string value)
    {
        var ok = ContainerOptions.TryParse([.. Required, name, value], out var options, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(options, Is.Null);
            Assert.That(error, Is.EqualTo($"unknown option or bad value: {name} {value}"));
        }
    }

    [Test]
    public void TryParse_OptionWithoutItsValue_FailsNamingIt()
    {
        var ok = ContainerOptions.TryParse([.. Required, "--batch"], out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Is.EqualTo("--batch needs a value"));
        }
    }
}
