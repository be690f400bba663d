using NetServ.Contracts.Configuration;
using NetServ.Networking;
using NetServ.Node.Control;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Control;

/// <summary>Who may install what: users, the prefixes their filters may select, their ports, the ttl.</summary>
[TestFixture]
public sealed class InstallPolicyTests
{
    [Test]
    public async Task AuthoriseAsync_FilterInsideTheUsersPrefix_GrantsTheFilterTheTtlAndTheUsersPorts()
    {
        await using var rig = await ControlRig.StartAsync();

        var grant = await GrantedAsync(rig, ControlRig.Setup("alice", filterDestinations: "198.19.4.0/24", filterPort: 5060, ttl: TimeSpan.FromSeconds(120)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grant.User.Name, Is.EqualTo("alice"));
            Assert.That(grant.Filter?.Destinations, Is.EqualTo(new[] { Ipv4Prefix.Parse("198.19.4.0/24") }));
            Assert.That(grant.Filter?.Protocol, Is.EqualTo(FilterProtocol.Udp));
            Assert.That(grant.Filter?.DestinationPort, Is.EqualTo(5060));
            Assert.That(grant.Ttl, Is.EqualTo(TimeSpan.FromSeconds(120)));
            Assert.That(grant.AllowedPorts, Is.EqualTo(new[] { 8080, 8443 }));
        }
    }

    [Test]
    public async Task AuthoriseAsync_UserWithoutPorts_GrantsNoPortToListenOn()
    {
        await using var rig = await ControlRig.StartAsync();

        var grant = await GrantedAsync(rig, ControlRig.Setup("bob"));

        Assert.That(grant.AllowedPorts, Is.Empty);
        Assert.That(grant.Filter, Is.Null, "no filter asked for, none granted");
    }

    [Test]
    public async Task AuthoriseAsync_UnknownUser_IsForbidden()
    {
        await using var rig = await ControlRig.StartAsync();

        var refusal = await RefusedAsync(rig, ControlRig.Setup("mallory"));

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.Forbidden, "unknown user 'mallory'")));
    }

    [Test]
    public async Task AuthoriseAsync_FilterOutsideTheUsersPrefixes_IsForbiddenNamingThePrefixesTheUserHas()
    {
        await using var rig = await ControlRig.StartAsync();

        var refusal = await RefusedAsync(rig, ControlRig.Setup("alice", filterDestinations: "198.19.4.0/24,203.0.113.0/24"));

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.Forbidden, "filter destination 203.0.113.0/24 is outside the prefixes user 'alice' may claim (198.19.0.0/16)")));
    }

    [Test]
    public async Task AuthoriseAsync_AnotherUsersPrefix_IsForbidden()
    {
        await using var rig = await ControlRig.StartAsync();

        var refusal = await RefusedAsync(rig, ControlRig.Setup("bob", filterDestinations: "198.19.0.0/16"));

        Assert.That(refusal.Status, Is.EqualTo(NslpStatus.Forbidden));
        Assert.That(refusal.Message, Does.StartWith("filter destination 198.19.0.0/16 is outside the prefixes user 'bob' may claim (198.20.1.0/24)"));
    }

    [Test]
    public async Task AuthoriseAsync_OwnershipCheckEnabledButNoPassword_SaysAPasswordWouldLetTheNodeCheck()
    {
        await using var rig = await ControlRig.StartAsync(o => o.ReverseRoutability.Enabled = true);

        var refusal = await RefusedAsync(rig, ControlRig.Setup("alice", filterDestinations: "203.0.113.7/32"));

        Assert.That(refusal.Message, Is.EqualTo("filter destination 203.0.113.7/32 is outside the prefixes user 'alice' may claim (198.19.0.0/16); an ownership-password would let this node check that the user owns a single address"));
    }

    [Test]
    public async Task AuthoriseAsync_PasswordWhileTheOwnershipCheckIsOff_IsForbiddenWithTheChecksAnswer()
    {
        await using var rig = await ControlRig.StartAsync();

        var refusal = await RefusedAsync(rig, ControlRig.Setup("alice", filterDestinations: "203.0.113.7/32", ownershipPassword: "s3cret"));

        Assert.That(refusal, Is.EqualTo(new Refusal(
            NslpStatus.Forbidden,
            "filter destination 203.0.113.7/32 is outside the prefixes user 'alice' may claim (198.19.0.0/16), and this node does not accept the reverse-routability check (ReverseRoutability:Enabled is false)")));
    }

    [Test]
    public async Task AuthoriseAsync_FilterWithAPortOnly_SelectsAllTheUsersPrefixes()
    {
        await using var rig = await ControlRig.StartAsync();

        var grant = await GrantedAsync(rig, ControlRig.Setup("alice", filterPort: 5060));

        Assert.That(grant.Filter?.Destinations, Is.EqualTo(new[] { Ipv4Prefix.Parse("198.19.0.0/16") }));
    }

    [Test]
    public async Task AuthoriseAsync_FilterForAUserWithoutPrefixes_IsForbidden()
    {
        await using var rig = await ControlRig.StartAsync(o => o.Users.Add(new UserConfiguration { Name = "carol" }));

        var refusal = await RefusedAsync(rig, ControlRig.Setup("carol", filterPort: 5060));

        Assert.That(refusal, Is.EqualTo(new Refusal(NslpStatus.Forbidden, "user 'carol' may not install packet filters (no allowed prefixes)")));
    }

    [Test]
    public async Task AuthoriseAsync_TtlAboveTheNodesMaximum_IsCappedAtTheMaximum()
    {
        await using var rig = await ControlRig.StartAsync(o => o.MaxTtlSeconds = 600);

        var grant = await GrantedAsync(rig, ControlRig.Setup("alice", ttl: TimeSpan.FromHours(1)));

        Assert.That(grant.Ttl, Is.EqualTo(TimeSpan.FromSeconds(600)));
    }

    [Test]
    public async Task AuthoriseAsync_NoTtl_GrantsTheNodesDefault()
    {
        await using var rig = await ControlRig.StartAsync(o => o.DefaultTtlSeconds = 300);

        var grant = await GrantedAsync(rig, ControlRig.Setup("alice"));

        Assert.That(grant.Ttl, Is.EqualTo(TimeSpan.FromSeconds(300)));
    }

    private static async Task<InstallGrant> GrantedAsync(ControlRig rig, SetupRequest setup)
    {
        var decision = await rig.Policy.AuthoriseAsync(setup, CancellationToken.None);
        if (decision.IsRefused(out var refusal, out var grant))
        {
            throw new AssertionException($"refused: {refusal}");
        }

        return grant;
    }

    private static async Task<Refusal> RefusedAsync(ControlRig rig, SetupRequest setup)
    {
        var decision = await rig.Policy.AuthoriseAsync(setup, CancellationToken.None);
        if (!decision.IsRefused(out var refusal, out var grant))
        {
            throw new AssertionException($"granted: {grant}");
        }

        return refusal;
    }
}
