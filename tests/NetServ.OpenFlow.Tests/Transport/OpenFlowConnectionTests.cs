using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetServ.OpenFlow.Transport;

namespace NetServ.OpenFlow.Tests.Transport;

/// <summary>The connection against a switch played by the test over TCP on 127.0.0.1, byte by byte.</summary>
[CancelAfter(20_000)]
public sealed class OpenFlowConnectionTests
{
    private static readonly IOptions<OpenFlowConnectionOptions> Defaults = Options.Create(new OpenFlowConnectionOptions());

    [Test]
    public async Task StartAsync_PeerOffers10And13_SendsHelloAndNegotiates13(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.OpenAsync(cancellationToken);
        var start = pair.Connection.StartAsync(cancellationToken);
        var hello = await pair.Switch.ReadAsync(cancellationToken);
        Assert.That(hello[..2], Is.EqualTo(new byte[] { 0x04, 0x00 }));
        Assert.That(hello[8..], Is.EqualTo(Hex.Bytes("0001 0008 00000010")));
        await pair.Switch.SendAsync(Hex.Bytes("04 00 0010 00000001 0001 0008 00000012"), cancellationToken);
        await start;
        Assert.That(pair.Connection.Version, Is.EqualTo(OpenFlowConstants.Version13));
    }

    [Test]
    public async Task StartAsync_OpenFlow10OnlySwitch_SendsHelloFailedAndCloses(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.OpenAsync(cancellationToken);
        var start = pair.Connection.StartAsync(cancellationToken);
        await pair.Switch.ReadAsync(cancellationToken);
        await pair.Switch.SendAsync(Hex.Bytes("01 00 0008 00000009"), cancellationToken);
        var thrown = Assert.ThrowsAsync<OpenFlowConnectionException>(() => start);
        Assert.That(thrown!.Closed.Reason, Is.EqualTo(OpenFlowCloseReason.IncompatibleVersion));
        Assert.That(thrown.Closed.Error.Kind, Is.EqualTo(OpenFlowErrorKind.IncompatibleVersion));
        var error = await pair.Switch.ReadAsync(cancellationToken);
        Assert.That(OpenFlowCodec.TryDecode(error, out var message, out _), Is.True);
        Assert.That(message, Is.TypeOf<ErrorMessage>()
            .With.Property(nameof(ErrorMessage.ErrorType)).EqualTo(OpenFlowErrorType.HelloFailed)
            .And.Property(nameof(ErrorMessage.Code)).EqualTo((ushort)OpenFlowHelloFailedCode.Incompatible)
            .And.Property(nameof(ErrorMessage.Xid)).EqualTo(9));
        Assert.That(await pair.Switch.AtEndAsync(cancellationToken), Is.True);
        Assert.That((await pair.Connection.Completion).Reason, Is.EqualTo(OpenFlowCloseReason.IncompatibleVersion));
    }

    [Test]
    public async Task StartAsync_NoHelloInTime_FailsTheHandshake(CancellationToken cancellationToken)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var pair = await Pair.OpenAsync(cancellationToken, time);
        var start = pair.Connection.StartAsync(cancellationToken);
        await pair.Switch.ReadAsync(cancellationToken);
        time.Advance(TimeSpan.FromSeconds(11));
        var thrown = Assert.ThrowsAsync<OpenFlowConnectionException>(() => start);
        Assert.That(thrown!.Closed.Reason, Is.EqualTo(OpenFlowCloseReason.HandshakeFailed));
    }

    [Test]
    public async Task EchoRequest_IsAnsweredWithSameXidAndData(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.ConnectedAsync(cancellationToken);
        await pair.Switch.SendAsync(Hex.Bytes("04 02 000b 0000004d 616263"), cancellationToken);
        Assert.That(await pair.Switch.ReadAsync(cancellationToken), Is.EqualTo(Hex.Bytes("04 03 000b 0000004d 616263")));
    }

    [Test]
    public async Task PacketIn_ComesOutOfMessages(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.ConnectedAsync(cancellationToken);
        await pair.Switch.SendAsync(Hex.Bytes("04 0a 002c 00000000 ffffffff 0002 00 00 0000000000000000 0001 000c 80000004 00000001 00000000 0000 abcd"), cancellationToken);
        var message = await pair.Connection.Messages.ReadAsync(cancellationToken);
        Assert.That(message, Is.TypeOf<PacketInMessage>());
        Assert.That(((PacketInMessage)message).Match.InPort, Is.EqualTo(1));
    }

    [Test]
    public async Task RequestAsync_ReplyWithTheRequestsXid_IsTheAnswer(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.ConnectedAsync(cancellationToken);
        var answer = pair.Connection.RequestAsync(xid => new FeaturesRequestMessage(xid), cancellationToken);
        var request = await pair.Switch.ReadAsync(cancellationToken);
        Assert.That(request[1], Is.EqualTo((byte)OpenFlowMessageType.FeaturesRequest));
        var reply = Hex.Bytes("04 06 0020 00000000 0000000000000001 00000000 fe 00 0000 0000004f 00000000");
        request.AsSpan(4, 4).CopyTo(reply.AsSpan(4));
        await pair.Switch.SendAsync(reply, cancellationToken);
        Assert.That(await answer, Is.TypeOf<FeaturesReplyMessage>().With.Property(nameof(FeaturesReplyMessage.DatapathId)).EqualTo(1));
    }

    [Test]
    public async Task RequestAsync_MultipartReplyInTwoParts_ComesBackAsOne(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.ConnectedAsync(cancellationToken);
        var answer = pair.Connection.RequestAsync(xid => new PortStatsRequestMessage(xid), cancellationToken);
        var request = await pair.Switch.ReadAsync(cancellationToken);
        var xid = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(request.AsSpan(4));
        var port = new PortStats(1, 10, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0);
        await pair.Switch.SendAsync(OpenFlowCodec.Encode(new PortStatsReplyMessage(xid, [port], MultipartOptions.More)), cancellationToken);
        await pair.Switch.SendAsync(OpenFlowCodec.Encode(new PortStatsReplyMessage(xid, [port with { PortNumber = 2 }])), cancellationToken);
        var reply = (PortStatsReplyMessage)await answer;
        Assert.That(reply.Ports.Select(p => p.PortNumber), Is.EqualTo(new uint[] { 1, 2 }));
    }

    [Test]
    public async Task BarrierAsync_ErrorWithTheXid_Throws(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.ConnectedAsync(cancellationToken);
        var barrier = pair.Connection.BarrierAsync(cancellationToken);
        var request = await pair.Switch.ReadAsync(cancellationToken);
        var error = Hex.Bytes("04 01 000c 00000000 0001 0001");
        request.AsSpan(4, 4).CopyTo(error.AsSpan(4));
        await pair.Switch.SendAsync(error, cancellationToken);
        Assert.ThrowsAsync<OpenFlowConnectionException>(() => barrier);
    }

    [TestCase("04 02 0004 00000007", OpenFlowErrorKind.BadMessageLength, TestName = "MalformedFrame_LengthBelowHeader_SendsBadLengthAndCloses")]
    [TestCase("04 0a 0022 00000007 ffffffff 0000 00 00 0000000000000000 0000 0008 00000000 0000", OpenFlowErrorKind.BadMatch, TestName = "MalformedFrame_PacketInWithBadMatch_SendsBadMatchAndCloses")]
    [TestCase("04 3f 0008 00000007", OpenFlowErrorKind.UnknownMessageType, TestName = "MalformedFrame_UnknownType_SendsBadTypeAndCloses")]
    public async Task MalformedFrame_SendsErrorAndClosesTheConnection(string hex, OpenFlowErrorKind kind, CancellationToken cancellationToken)
    {
        await using var pair = await Pair.ConnectedAsync(cancellationToken);
        await pair.Switch.SendAsync(Hex.Bytes(hex), cancellationToken);
        var closed = await pair.Connection.Completion.WaitAsync(cancellationToken);
        Assert.That(closed.Reason, Is.EqualTo(OpenFlowCloseReason.Malformed));
        Assert.That(closed.Error.Kind, Is.EqualTo(kind));
        var reply = await pair.Switch.ReadAsync(cancellationToken);
        Assert.That(OpenFlowCodec.TryDecode(reply, out var message, out _), Is.True);
        var error = (ErrorMessage)message!;
        Assert.That((error.ErrorType, error.Code), Is.EqualTo(closed.Error.ToErrorCode()));
        Assert.That(error.Xid, Is.EqualTo(7));
        Assert.That(error.Data.Span.ToArray(), Is.EqualTo(Hex.Bytes(hex).Take(64).ToArray()));
        Assert.That(await pair.Switch.AtEndAsync(cancellationToken), Is.True);
        Assert.That(pair.Connection.Messages.Completion.IsCompleted, Is.True);
        Assert.ThrowsAsync<OpenFlowConnectionException>(async () => await pair.Connection.SendAsync(new BarrierRequestMessage(1), cancellationToken));
    }

    [Test]
    public async Task PeerCloses_CompletionSaysPeerClosedAndPendingRequestsFail(CancellationToken cancellationToken)
    {
        await using var pair = await Pair.ConnectedAsync(cancellationToken);
        var barrier = pair.Connection.BarrierAsync(cancellationToken);
        await pair.Switch.ReadAsync(cancellationToken);
        pair.Switch.Dispose();
        Assert.That((await pair.Connection.Completion.WaitAsync(cancellationToken)).Reason, Is.EqualTo(OpenFlowCloseReason.PeerClosed));
        Assert.ThrowsAsync<OpenFlowConnectionException>(() => barrier);
    }

    /// <summary>A controller connection accepted by <see cref="OpenFlowListener"/> and the raw socket of the switch that dialled it.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private Pair(OpenFlowConnection connection, RawPeer peer)
        {
            Connection = connection;
            Switch = peer;
        }

        public OpenFlowConnection Connection { get; }

        public RawPeer Switch { get; }

        public static async Task<Pair> OpenAsync(CancellationToken cancellationToken, TimeProvider? time = null)
        {
            using var listener = new OpenFlowListener(new IPEndPoint(IPAddress.Loopback, 0), Defaults, time ?? TimeProvider.System, NullLogger<OpenFlowConnection>.Instance);
            var client = new TcpClient();
            await client.ConnectAsync(listener.LocalEndPoint, cancellationToken);
            var connection = await listener.AcceptAsync(cancellationToken);
            return new Pair(connection, new RawPeer(client));
        }

        public static async Task<Pair> ConnectedAsync(CancellationToken cancellationToken)
        {
            var pair = await OpenAsync(cancellationToken);
            var start = pair.Connection.StartAsync(cancellationToken);
            await pair.Switch.ReadAsync(cancellationToken);
            await pair.Switch.SendAsync(Hex.Bytes("04 00 0010 00000001 0001 0008 00000010"), cancellationToken);
            await start;
            return pair;
        }

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            Switch.Dispose();
        }
    }

    /// <summary>The switch's end: whole messages in and out as bytes, cut by the header's length.</summary>
    private sealed class RawPeer(TcpClient client) : IDisposable
    {
        private readonly NetworkStream _stream = client.GetStream();

        public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken) => await _stream.WriteAsync(bytes, cancellationToken);

        public async Task<byte[]> ReadAsync(CancellationToken cancellationToken)
        {
            var header = new byte[8];
            await _stream.ReadExactlyAsync(header, cancellationToken);
            var message = new byte[(header[2] << 8) | header[3]];
            header.CopyTo(message, 0);
            await _stream.ReadExactlyAsync(message.AsMemory(8), cancellationToken);
            return message;
        }

        public async Task<bool> AtEndAsync(CancellationToken cancellationToken) => await _stream.ReadAsync(new byte[1], cancellationToken) == 0;

        public void Dispose() => client.Dispose();
    }
}
