using System.Buffers.Binary;
using System.Text;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Tests.Ssh;

[TestFixture]
public sealed class KnownHostsTests
{
    private static readonly byte[] Ed25519 = Blob("ssh-ed25519", 1);
    private static readonly byte[] OtherEd25519 = Blob("ssh-ed25519", 2);

    [Test]
    public void Line_OnAnotherPortThan22_NamesTheHostInBracketsWithThePort()
    {
        Assert.That(KnownHosts.Line("198.18.0.2", 2222, Ed25519), Is.EqualTo($"[198.18.0.2]:2222 ssh-ed25519 {Convert.ToBase64String(Ed25519)}"));
        Assert.That(KnownHosts.Line("node1", 22, Ed25519), Does.StartWith("node1 ssh-ed25519 "));
    }

    [Test]
    public void TryReadKeyType_AnRsaKey_IsSshRsaWhateverSignatureWasNegotiated()
    {
        Assert.That(KnownHosts.TryReadKeyType(Blob("ssh-rsa", 3), out var type), Is.True);
        Assert.That(type, Is.EqualTo("ssh-rsa"));
        Assert.That(KnownHosts.TryReadKeyType([0, 0, 0, 9, 1], out _), Is.False, "a length past the end");
    }

    [Test]
    public void Find_KeepsOnlyTheNodesLinesOnItsPort()
    {
        var text = $"""
            # comment
            [198.18.0.2]:2222 ssh-ed25519 {Convert.ToBase64String(Ed25519)}
            198.18.0.2 ssh-ed25519 {Convert.ToBase64String(OtherEd25519)}
            other,[198.18.0.2]:2222 ssh-ed25519 {Convert.ToBase64String(OtherEd25519)} with comment
            |1|hashed= ssh-ed25519 {Convert.ToBase64String(OtherEd25519)}
            [198.18.0.2]:2222 ssh-ed25519 not-base64!
            """;

        var keys = KnownHosts.Find(text, "198.18.0.2", 2222);

        Assert.That(keys, Is.EqualTo(new[] { Ed25519, OtherEd25519 }));
    }

    [Test]
    public void Check_NoPin_IsFirstContact()
    {
        Assert.That(KnownHosts.Check(Ed25519, null, [], out _), Is.EqualTo(HostKeyVerdict.FirstContact));
    }

    [Test]
    public void Check_ThePinnedKey_IsTrusted()
    {
        Assert.That(KnownHosts.Check(Ed25519, KnownHosts.Fingerprint(Ed25519), [OtherEd25519, Ed25519], out _), Is.EqualTo(HostKeyVerdict.Trusted));
    }

    [Test]
    public void Check_AnotherKeyThanTheFilePins_IsChangedNamingThePin()
    {
        Assert.That(KnownHosts.Check(OtherEd25519, null, [Ed25519], out var expected), Is.EqualTo(HostKeyVerdict.Changed));
        Assert.That(expected, Is.EqualTo(KnownHosts.Fingerprint(Ed25519)));
    }

    [Test]
    public void Check_AnotherKeyThanTheManifestGives_IsChangedEvenAtFirstContact()
    {
        Assert.That(KnownHosts.Check(OtherEd25519, KnownHosts.Fingerprint(Ed25519), [], out var expected), Is.EqualTo(HostKeyVerdict.Changed));
        Assert.That(expected, Is.EqualTo(KnownHosts.Fingerprint(Ed25519)));
    }

    [Test]
    public void Fingerprint_IsSha256InUnpaddedBase64AsSshKeygenPrintsIt()
    {
        // SHA-256 of the empty string, as ssh-keygen -l would print it for an empty blob.
        Assert.That(KnownHosts.Fingerprint([]), Is.EqualTo("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"));
    }

    private static byte[] Blob(string type, byte fill)
    {
        var name = Encoding.ASCII.GetBytes(type);
        var blob = new byte[4 + name.Length + 4 + 32];
        BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)name.Length);
        name.CopyTo(blob, 4);
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 + name.Length), 32);
        blob.AsSpan(8 + name.Length).Fill(fill);
        return blob;
    }
}
