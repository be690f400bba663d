using NetServ.Signaling.Nslp;
using NetServ.Testbed.Nodes;

namespace NetServ.Testbed.Tests.Nodes;

/// <summary>netservd's admin API over SSH: the <c>netserv admin setup</c> command line a SETUP becomes, and the JSON it prints read back.</summary>
[TestFixture]
public sealed class SshNetServAdminTests
{
    [Test]
    public void SetupArguments_ControllerSetup_NamesEveryGivenFieldAndAsksForJson()
    {
        var setup = new ModuleSetup("NetServ.Apps.OpenFlowController_1.0.0", "demo", new Uri("http://198.18.10.11:41000/NetServ.Apps.OpenFlowController.1.0.0.nupkg"), "ab12")
        {
            Properties = "listen_ip=198.19.10.2,listen_port=6653",
            TtlSeconds = 600,
        };

        Assert.That(SshNetServAdmin.SetupArguments(setup), Is.EqualTo(new[]
        {
            "admin", "setup", "NetServ.Apps.OpenFlowController_1.0.0", "--user", "demo",
            "--url", "http://198.18.10.11:41000/NetServ.Apps.OpenFlowController.1.0.0.nupkg", "--digest", "ab12",
            "--properties", "listen_ip=198.19.10.2,listen_port=6653", "--ttl", "600", "--json",
        }));
    }

    [Test]
    public void TryReadResponse_RefusalAsTheCliPrintsIt_GivesStatusReasonAndError()
    {
        const string Printed = """
            {
              "status": 403,
              "reason": "Forbidden",
              "headers": {
                "error": "port 6653 is not allowed for user demo"
              },
              "body": null
            }
            """;

        Assert.That(SshNetServAdmin.TryReadResponse(Printed, out var response), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(response!.StatusCode, Is.EqualTo(403));
            Assert.That(response.Reason, Is.EqualTo("Forbidden"));
            Assert.That(response.Headers[NslpHeaderNames.Error], Is.EqualTo("port 6653 is not allowed for user demo"));
        });
    }

    [TestCase("netserv: connecting to /run/netserv/netservd.sock failed")]
    [TestCase("{\"reason\": \"OK\"}")]
    [TestCase("{\"status\": 20}")]
    [TestCase("")]
    public void TryReadResponse_NoResponsePrinted_ReturnsFalse(string printed) =>
        Assert.That(SshNetServAdmin.TryReadResponse(printed, out _), Is.False);
}
