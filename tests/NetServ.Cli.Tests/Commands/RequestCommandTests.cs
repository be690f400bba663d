using NetServ.Cli.Commands;
using NetServ.Signaling.Nslp;

namespace NetServ.Cli.Tests.Commands;

/// <summary><c>netserv request</c>: an NSLP request read from standard input in its text form.</summary>
[TestFixture]
public sealed class RequestCommandTests
{
    [Test]
    public void TryReadRequest_CodecEncodedSetup_ReadsMethodTargetAndHeaders()
    {
        var setup = new ModuleSetup("NetServ.Apps.NetMonitor_1.0.0", "demo", new Uri("http://198.18.0.1:8080/m.nupkg"), new string('a', 64)) { FilterProtocol = "udp", FilterPort = 5060 }.ToRequest();
        var text = System.Text.Encoding.UTF8.GetString(NslpCodec.Encode(setup));

        var read = SignalingCommands.TryReadRequest(text, out var request, out var problem);

        Assert.That(read, Is.True, problem);
        Assert.Multiple(() =>
        {
            Assert.That(request!.Method, Is.EqualTo(NslpMethod.Setup));
            Assert.That(request.Target, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(request.Headers.ToList(), Is.EquivalentTo(setup.Headers.ToList()));
        });
    }

    [Test]
    public void TryReadRequest_LineFeedsOnlyAsAHereDocumentWritesThem_ReadsTheRequest()
    {
        var read = SignalingCommands.TryReadRequest("PROBE status NETSERV/0.1\nuser: demo\n", out var request, out var problem);

        Assert.That(read, Is.True, problem);
        Assert.That((request!.Method, request.Target, request.Headers["user"]), Is.EqualTo((NslpMethod.Probe, "status", "demo")));
    }

    [TestCase("", "empty")]
    [TestCase("NETSERV/0.1 200 OK\r\n\r\n", "a response, not a request")]
    [TestCase("hello\r\n\r\n", "no NSLP message")]
    public void TryReadRequest_NotARequest_SaysWhat(string text, string expected)
    {
        var read = SignalingCommands.TryReadRequest(text, out var request, out var problem);

        Assert.That((read, request), Is.EqualTo((false, (NslpRequest?)null)));
        Assert.That(problem, Does.Contain(expected));
    }

    [Test]
    public async Task Request_StandardInputHoldsNoRequest_ExitsWithTwoBeforeSending()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await NetServCommandLine.RunAsync(
            ["request", "--dest", "198.18.0.2", "--user", "demo", "--key", "/nonexistent/demo.key"], output, error, input: new StringReader("garbage"));

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.StartWith("netserv request: standard input is no NSLP message"));
    }
}
