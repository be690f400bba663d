using System.Buffers.Binary;
using NetServ.Networking;
using NetServ.Node.Signaling.Routing;

namespace NetServ.Node.Tests.Signaling;

[TestFixture]
public sealed class RouteMessagesTests
{
    private const uint Sequence = 7;
    private static readonly Ipv4Address User = Ipv4Address.Parse("198.18.4.2");
    private static readonly Ipv4Address Router = Ipv4Address.Parse("198.18.2.1");

    [Test]
    public void TryWriteQuery_WritesAnRtmGetRouteForTheHostRouteToTheDestination()
    {
        var buffer = new byte[64];

        Assert.That(RouteMessages.TryWriteQuery(buffer, User, Sequence, out var written), Is.True);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(36));
            Assert.That(BitConverter.ToUInt32(buffer, 0), Is.EqualTo(36), "nlmsg_len");
            Assert.That(BitConverter.ToUInt16(buffer, 4), Is.EqualTo(26), "RTM_GETROUTE");
            Assert.That(BitConverter.ToUInt16(buffer, 6), Is.EqualTo(1), "NLM_F_REQUEST, no dump");
            Assert.That(BitConverter.ToUInt32(buffer, 8), Is.EqualTo(Sequence));
            Assert.That(buffer[16], Is.EqualTo(2), "AF_INET");
            Assert.That(buffer[17], Is.EqualTo(32), "a /32");
            Assert.That(BitConverter.ToUInt16(buffer, 30), Is.EqualTo(1), "RTA_DST");
            Assert.That(buffer[32..36], Is.EqualTo(new byte[] { 198, 18, 4, 2 }), "network byte order");
        });
    }

    [Test]
    public void TryWriteQuery_BufferTooSmall_ReturnsFalse()
    {
        Assert.That(RouteMessages.TryWriteQuery(new byte[35], User, Sequence, out var written), Is.False);
        Assert.That(written, Is.Zero);
    }

    [Test]
    public void TryReadRoute_RouteThroughAGateway_HasANextHopRouter()
    {
        var reply = Reply(type: 1, (5, Bytes(Router)), (1, Bytes(User)), (4, [3, 0, 0, 0]));

        Assert.That(RouteMessages.TryReadRoute(reply, Sequence, out var route, out var error), Is.True, error);

        Assert.That(route, Is.EqualTo(new RouteToDestination(RouteKind.Unicast, Router, Multipath: false)));
        Assert.That(route.HasNoNextHopRouter, Is.False);
    }

    [Test]
    public void TryReadRoute_OnLinkRoute_HasNoNextHopRouter()
    {
        var reply = Reply(type: 1, (1, Bytes(User)), (4, [3, 0, 0, 0]), (7, Bytes(Ipv4Address.Parse("198.18.4.1"))));

        Assert.That(RouteMessages.TryReadRoute(reply, Sequence, out var route, out var error), Is.True, error);

        Assert.That(route.Gateway, Is.Null);
        Assert.That(route.HasNoNextHopRouter, Is.True);
    }

    [Test]
    public void TryReadRoute_LocalRoute_HasNoNextHopRouter()
    {
        var reply = Reply(type: 2, (1, Bytes(User)));

        Assert.That(RouteMessages.TryReadRoute(reply, Sequence, out var route, out var error), Is.True, error);

        Assert.That(route.Kind, Is.EqualTo(RouteKind.Local));
        Assert.That(route.HasNoNextHopRouter, Is.True);
    }

    [Test]
    public void TryReadRoute_MultipathRoute_CountsAsThroughARouter()
    {
        var reply = Reply(type: 1, (9, new byte[8]));

        Assert.That(RouteMessages.TryReadRoute(reply, Sequence, out var route, out _), Is.True);

        Assert.That(route.HasNoNextHopRouter, Is.False);
    }

    [Test]
    public void TryReadRoute_UnreachableRoute_HasNoOnLinkAnswer()
    {
        var reply = Reply(type: 7);

        Assert.That(RouteMessages.TryReadRoute(reply, Sequence, out var route, out _), Is.True);

        Assert.That(route.Kind, Is.EqualTo(RouteKind.Other));
        Assert.That(route.HasNoNextHopRouter, Is.False);
    }

    [Test]
    public void TryReadRoute_KernelError_ReturnsFalseWithTheErrno()
    {
        var reply = new byte[36];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, 36);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(4), 2); // NLMSG_ERROR
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(8), Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(reply.AsSpan(16), -101); // -ENETUNREACH

        Assert.That(RouteMessages.TryReadRoute(reply, Sequence, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("errno 101"));
    }

    [Test]
    public void TryReadRoute_AnswerToAnotherRequest_ReturnsFalse()
    {
        Assert.That(RouteMessages.TryReadRoute(Reply(type: 1), Sequence + 1, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("request"));
    }

    [TestCase(0)]
    [TestCase(15)]
    [TestCase(27)]
    [TestCase(33)]
    public void TryReadRoute_Truncated_ReturnsFalseWithoutThrowing(int length)
    {
        var reply = Reply(type: 1, (5, Bytes(Router)));

        Assert.That(RouteMessages.TryReadRoute(reply.AsSpan(0, length), Sequence, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void TryReadRoute_AttributeLongerThanTheMessage_ReturnsFalse()
    {
        var reply = Reply(type: 1, (5, Bytes(Router)));
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(28), 200);

        Assert.That(RouteMessages.TryReadRoute(reply, Sequence, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("attribute"));
    }

    private static byte[] Bytes(Ipv4Address address)
    {
        var bytes = new byte[4];
        address.Write(bytes);
        return bytes;
    }

    /// <summary>An RTM_NEWROUTE as the kernel sends it (host byte order on this little-endian machine).</summary>
    private static byte[] Reply(byte type, params (ushort Type, byte[] Value)[] attributes)
    {
        var length = 16 + 12 + attributes.Sum(a => (4 + a.Value.Length + 3) & ~3);
        var reply = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(4), 24); // RTM_NEWROUTE
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(8), Sequence);
        reply[16] = 2;   // AF_INET
        reply[17] = 32;  // rtm_dst_len
        reply[20] = 254; // main table
        reply[23] = type;
        var at = 28;
        foreach (var (attributeType, value) in attributes)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(at), (ushort)(4 + value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(at + 2), attributeType);
            value.CopyTo(reply, at + 4);
            at += (4 + value.Length + 3) & ~3;
        }

        return reply;
    }
}
