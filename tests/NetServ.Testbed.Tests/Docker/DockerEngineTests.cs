using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Docker;

[TestFixture]
internal sealed class DockerEngineTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("netserv-docker-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private DockerEngineOptions Options(string dockerd) => new()
    {
        Endpoints = [new Uri($"unix://{_directory}/none.sock")],
        DockerdPath = dockerd,
        OwnEndpoint = new Uri($"unix://{_directory}/own.sock"),
        DataRoot = Path.Combine(_directory, "data", "docker"),
        ExecRoot = Path.Combine(_directory, "exec"),
        PidFile = Path.Combine(_directory, "dockerd.pid"),
        StartTimeout = TimeSpan.FromSeconds(10),
    };

    [Test]
    public void ConnectOrStart_NoEngineAndNoDockerd_OneErrorNamingBoth()
    {
        var options = Options(Path.Combine(_directory, "dockerd"));

        Assert.That(async () => await DockerEngine.ConnectOrStartAsync(options, TextWriter.Null, CancellationToken.None),
            Throws.TypeOf<DockerUnavailableException>().With.Message.Contains("none.sock").And.Message.Contains("is not installed"));
    }

    [Test]
    public void ConnectOrStart_DockerdExitsAtStart_OneErrorWithItsExitAndNoProcessRecorded()
    {
        var options = Options("/bin/false");

        Assert.That(async () => await DockerEngine.ConnectOrStartAsync(options, TextWriter.Null, CancellationToken.None),
            Throws.TypeOf<DockerUnavailableException>().With.Message.Contains("exited with 1"));
        Assert.That(LabRunRecord.Current.Resources.Where(r => r.Kind == RunResourceKind.Process), Is.Empty);
    }
}
