namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class LatencyStampTests
{
    [Test]
    public void TryWrite_ThenTryRead_ReturnsTheSameStamp()
    {
        var payload = new byte[18];
        var stamp = new LatencyStamp(4_000_000_001, 1_764_000_000_123_456_789);

        var written = stamp.TryWrite(payload);
        var read = LatencyStamp.TryRead(payload, out var decoded);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.True);
            Assert.That(read, Is.True);
            Assert.That(decoded, Is.EqualTo(stamp));
        });
    }

    [Test]
    public void TryWrite_IsBigEndianAfterTheMagic()
    {
        var payload = new byte[LatencyStamp.Length];

        new LatencyStamp(0x01020304, 0x05060708090A0B0C).TryWrite(payload);

        Assert.That(payload, Is.EqualTo(new byte[] { (byte)'N', (byte)'S', (byte)'L', (byte)'T', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }));
    }

    [Test]
    public void TryWrite_PayloadShorterThanTheStamp_ReturnsFalseAndWritesNothing()
    {
        var payload = new byte[LatencyStamp.Length - 1];

        Assert.Multiple(() =>
        {
            Assert.That(new LatencyStamp(1, 2).TryWrite(payload), Is.False);
            Assert.That(payload, Is.All.Zero);
        });
    }

    [Test]
    public void TryRead_TruncatedStamp_ReturnsFalse()
    {
        var payload = new byte[LatencyStamp.Length];
        new LatencyStamp(7, 8).TryWrite(payload);

        Assert.That(LatencyStamp.TryRead(payload.AsSpan(0, LatencyStamp.Length - 1), out _), Is.False);
    }

    [Test]
    public void TryRead_OtherTraffic_ReturnsFalse()
    {
        var payload = "NOTIFY sip:198.19.0.1:5060 SIP/2.0\r\n"u8.ToArray();

        Assert.That(LatencyStamp.TryRead(payload, out _), Is.False);
    }
}
