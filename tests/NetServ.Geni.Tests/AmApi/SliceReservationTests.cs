using System.Security.Cryptography;
using NetServ.Geni.AmApi;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;

namespace NetServ.Geni.Tests.AmApi;

/// <summary>What the client reads from files and says about a slice's Status.</summary>
public sealed class SliceReservationTests
{
    private string directory = null!;

    [SetUp]
    public void MakeDirectory() => directory = Directory.CreateTempSubdirectory("netserv-slice-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public void ReadCredentialFile_SignedXmlAndOmniJsonStruct_BothGiveTheSliceCredential()
    {
        using var authority = LocalAuthority.Create(TimeProvider.System);
        using var key = RSA.Create(2048);
        using var alice = authority.IssueUserCertificate("alice", key);
        var xml = authority.IssueSliceCredential(alice, "exp1");
        var xmlFile = Path.Combine(directory, "exp1-cred.xml");
        var jsonFile = Path.Combine(directory, "exp1-cred.json");
        File.WriteAllText(xmlFile, xml);
        File.WriteAllText(jsonFile, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["geni_type"] = "geni_sfa", ["geni_version"] = "3", ["geni_value"] = xml }));

        var (fromXml, parsed) = AggregateAccess.ReadCredentialFile(xmlFile);
        var (fromJson, _) = AggregateAccess.ReadCredentialFile(jsonFile);

        Assert.Multiple(() =>
        {
            Assert.That(fromXml, Is.EqualTo(AmCredential.Sfa(xml)));
            Assert.That(fromJson, Is.EqualTo(fromXml));
            Assert.That(parsed.TargetUrn, Is.EqualTo("urn:publicid:IDN+netserv.local+slice+exp1"));
            Assert.That(parsed.OwnerUrn, Is.EqualTo("urn:publicid:IDN+netserv.local+user+alice"));
        });
    }

    [Test]
    public void ReadCredentialFile_JsonWithoutGeniValue_SaysItIsNoSavedCredential()
    {
        var file = Path.Combine(directory, "other.json");
        File.WriteAllText(file, """{"geni_type": "geni_sfa"}""");

        var refused = Assert.Throws<CredentialException>(() => AggregateAccess.ReadCredentialFile(file));

        Assert.That(refused!.Message, Does.Contain(file).And.Contain("geni_value"));
    }

    [Test]
    public void Summarise_OneSliverConfiguring_CountsStatesAndNamesTheNodeWaitedFor()
    {
        var status = new AmSliceStatus("urn:publicid:IDN+utah.cloudlab.us+slice+exp1",
        [
            new AmSliver("urn:publicid:IDN+utah.cloudlab.us+sliver+1", "geni_provisioned", "geni_ready", null, null),
            new AmSliver("urn:publicid:IDN+utah.cloudlab.us+sliver+2", "geni_provisioned", "geni_configuring", null, null),
        ]);
        var manifest = new NetServ.RSpec.ManifestRSpec(
        [
            new NetServ.RSpec.ManifestNode("router", "urn:publicid:IDN+utah.cloudlab.us+sliver+2", null, null, null, [], []),
        ]);

        Assert.That(SliceReservation.Summarise(status, manifest), Is.EqualTo("1 geni_ready, 1 geni_configuring (waiting for router)"));
    }
}
