using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

/// <summary>A stream connection's NSLP framing without a socket: reads of any size in, whole requests out, in order.</summary>
[TestFixture]
public sealed class NslpReceiveBufferTests
{
    private static readonly byte[] Status = NslpCodec.Encode(NslpRequests.Probe(ProbeKind.Status));
    private static readonly byte[] Capabilities = NslpCodec.Encode(NslpRequests.Probe(ProbeKind.Capabilities));

    [Test]
    public void ARequestSplitOverReads_IsTakenOnceWhole()
    {
        var buffer = new NslpReceiveBuffer();

        Receive(buffer, Status.AsSpan(0, 5));
        var early = buffer.TryTake(out _, out _);
        Receive(buffer, Status.AsSpan(5, 10));
        var middle = buffer.TryTake(out _, out _);
        Receive(buffer, Status.AsSpan(15));
        var whole = buffer.TryTake(out var message, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(early, Is.EqualTo(NslpParseStatus.Incomplete));
            Assert.That(middle, Is.EqualTo(NslpParseStatus.Incomplete));
            Assert.That(whole, Is.EqualTo(NslpParseStatus.Complete));
            Assert.That(KindOf(message), Is.EqualTo("status"));
            Assert.That(buffer.Pending.Length, Is.Zero);
        }
    }

    [Test]
    public void TwoRequestsInOneRead_AreTakenInOrder()
    {
        var buffer = new NslpReceiveBuffer();

        Receive(buffer, [.. Capabilities, .. Status]);
        var first = buffer.TryTake(out var firstMessage, out _);
        var pendingAfterFirst = buffer.Pending.Length;
        var second = buffer.TryTake(out var secondMessage, out _);
        var third = buffer.TryTake(out _, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(NslpParseStatus.Complete));
            Assert.That(KindOf(firstMessage), Is.EqualTo("capabilities"));
            Assert.That(pendingAfterFirst, Is.EqualTo(Status.Length), "the second request waits behind the first, whole");
            Assert.That(second, Is.EqualTo(NslpParseStatus.Complete));
            Assert.That(KindOf(secondMessage), Is.EqualTo("status"));
            Assert.That(third, Is.EqualTo(NslpParseStatus.Incomplete));
        }
    }

    [Test]
    public void ARequestAndAHalfInOneRead_TheRestLater_BothAreTaken_WhenTheBufferMustMakeRoom()
    {
        // Smaller than the two requests: the half request moves to the front, then the buffer grows.
        var buffer = new NslpReceiveBuffer(initialSize: Capabilities.Length + 4);
        var half = Status.Length / 2;

        Receive(buffer, [.. Capabilities, .. Status.AsSpan(0, half)]);
        var first = buffer.TryTake(out var firstMessage, out _);
        var early = buffer.TryTake(out _, out _);
        Receive(buffer, Status.AsSpan(half));
        var second = buffer.TryTake(out var secondMessage, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(NslpParseStatus.Complete));
            Assert.That(KindOf(firstMessage), Is.EqualTo("capabilities"));
            Assert.That(early, Is.EqualTo(NslpParseStatus.Incomplete));
            Assert.That(second, Is.EqualTo(NslpParseStatus.Complete));
            Assert.That(KindOf(secondMessage), Is.EqualTo("status"));
            Assert.That(buffer.Pending.Length, Is.Zero);
        }
    }

    [Test]
    public void MalformedBytes_AreInvalid_AndStayPending()
    {
        var buffer = new NslpReceiveBuffer();

        Receive(buffer, "HELLO there\r\n\r\n"u8);
        var status = buffer.TryTake(out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Is.Not.Empty);
            Assert.That(buffer.Pending.Length, Is.EqualTo(15));
        }
    }

    /// <summary>One read as the socket would do it: into the free space, as many bytes as fit, until all are in.</summary>
    private static void Receive(NslpReceiveBuffer buffer, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var space = buffer.GetFreeSpace().Span;
            Assert.That(space.Length, Is.Positive, "the buffer always has room for a read");
            var count = Math.Min(space.Length, bytes.Length);
            bytes[..count].CopyTo(space);
            buffer.Advance(count);
            bytes = bytes[count..];
        }
    }

    private static string? KindOf(NslpMessage? message) => (message as NslpRequest)?.Headers[NslpHeaderNames.Probe];
}
