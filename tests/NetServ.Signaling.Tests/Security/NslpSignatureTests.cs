using Microsoft.Extensions.Time.Testing;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;

namespace NetServ.Signaling.Tests.Security;

[TestFixture]
public sealed class NslpSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [TestCase(UserKeyAlgorithm.Ed25519)]
    [TestCase(UserKeyAlgorithm.EcdsaP256)]
    public void Verify_SignedRequest_Succeeds(UserKeyAlgorithm algorithm)
    {
        using var key = UserPrivateKey.Generate(algorithm);
        var request = Setup();

        NslpSignature.Sign(request, key, new FakeTimeProvider(Now));

        Assert.That(NslpSignature.Verify(request, key.PublicKey, Now, out var error), Is.True, error);
    }

    [TestCase(NslpHeaderNames.Url, "http://198.18.1.66/evil.nupkg")]
    [TestCase(NslpHeaderNames.ModuleDigest, "0000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase(NslpHeaderNames.FilterDst, "198.18.0.0/15")]
    [TestCase(NslpHeaderNames.User, "mallory")]
    [TestCase(NslpHeaderNames.Timestamp, "1")]
    public void Verify_AfterAHeaderChanged_Fails(string header, string value)
    {
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        var request = Setup();
        NslpSignature.Sign(request, key, new FakeTimeProvider(Now));

        request.Headers[header] = value;

        Assert.That(NslpSignature.Verify(request, key.PublicKey, Now, out _), Is.False);
    }

    [Test]
    public void Verify_WithAnotherUsersKey_FailsSayingSo()
    {
        using var alice = UserPrivateKey.Generate(UserKeyAlgorithm.EcdsaP256);
        using var mallory = UserPrivateKey.Generate(UserKeyAlgorithm.EcdsaP256);
        var request = Setup();
        NslpSignature.Sign(request, mallory, new FakeTimeProvider(Now));

        Assert.That(NslpSignature.Verify(request, alice.PublicKey, Now, out var error), Is.False);
        Assert.That(error, Does.Contain("does not verify"));
    }

    [Test]
    public void Verify_OldRequest_FailsOnItsTimestamp()
    {
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        var request = Setup();
        NslpSignature.Sign(request, key, new FakeTimeProvider(Now));

        Assert.That(NslpSignature.Verify(request, key.PublicKey, Now.AddMinutes(6), out var error), Is.False);
        Assert.That(error, Does.Contain("timestamp"));
    }

    [Test]
    public void Verify_UnsignedRequest_FailsSayingSo()
    {
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);

        Assert.That(NslpSignature.Verify(Setup(), key.PublicKey, Now, out var error), Is.False);
        Assert.That(error, Does.Contain("not signed"));
    }

    [Test]
    public void CanonicalForm_IgnoresHeaderOrderAndTheSignature()
    {
        var a = Setup();
        var b = new NslpRequest(NslpMethod.Setup, a.Target);
        foreach (var (name, value) in a.Headers.Reverse())
        {
            b.Headers.Add(name, value);
        }

        b.Headers.Add(NslpHeaderNames.Signature, "AAAA");

        Assert.That(NslpSignature.CanonicalForm(b), Is.EqualTo(NslpSignature.CanonicalForm(a)));
    }

    [TestCase(UserKeyAlgorithm.Ed25519)]
    [TestCase(UserKeyAlgorithm.EcdsaP256)]
    public void PrivateKey_PemRoundTrip_SignsVerifiablyWithTheSamePublicKey(UserKeyAlgorithm algorithm)
    {
        using var key = UserPrivateKey.Generate(algorithm);

        Assert.That(UserPrivateKey.TryParse(key.ToPem(), out var loaded, out var error), Is.True, error);
        using (loaded)
        {
            Assert.That(loaded!.PublicKey.ToPem(), Is.EqualTo(key.PublicKey.ToPem()));
            Assert.That(key.PublicKey.Verify("data"u8, loaded.Sign("data"u8)), Is.True);
        }
    }

    [Test]
    public void PrivateKey_NotPem_IsRefusedWithReason()
    {
        Assert.That(UserPrivateKey.TryParse("not a key", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("PRIVATE KEY"));
    }

    private static NslpRequest Setup()
    {
        var request = new NslpRequest(NslpMethod.Setup, "NetServ.Apps.NetMonitor_1.0.0");
        request.Headers.Add(NslpHeaderNames.User, "alice");
        request.Headers.Add(NslpHeaderNames.Url, "http://198.18.1.1:8080/NetServ.Apps.NetMonitor.1.0.0.nupkg");
        request.Headers.Add(NslpHeaderNames.ModuleDigest, new string('a', 64));
        request.Headers.Add(NslpHeaderNames.FilterProto, "udp");
        request.Headers.Add(NslpHeaderNames.FilterDst, "198.18.4.0/24");
        return request;
    }
}
