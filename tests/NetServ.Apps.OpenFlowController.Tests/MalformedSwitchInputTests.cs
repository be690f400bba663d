using System.Net;
using System.Net.Sockets;
using NetServ.OpenFlow;
using NetServ.Sdk.Testing;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.Apps.OpenFlowController.Tests;

/// <summary>
/// A peer that sends the controller module malformed OpenFlow gets an OFPT_ERROR and its connection closed, while the
/// module keeps running the real Open vSwitch connected beside it. Skipped without root or Open vSwitch.
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class MalformedSwitchInputTests
{
    // OpenFlow 1.3 HELLO without elements (spec 7.5.1: header only).
    private static readonly byte[] Hello = [0x04, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01];

    // A type (0x3f) no version defines: OFPET_BAD_REQUEST (1) / OFPBRC_BAD_TYPE (1); an ECHO_REQUEST whose length (4)
    // is below the header's 8 bytes: OFPET_BAD_REQUEST / OFPBRC_BAD_LEN (6) (spec A.4.4).
    [TestCase(new byte[] { 0x04, 0x3f, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07 }, (ushort)1, TestName = "MalformedFrame_UnknownType_ErrorBadTypeClosesThatPeerOnly_TheRealSwitchIsStillServed")]
    [TestCase(new byte[] { 0x04, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07 }, (ushort)6, TestName = "MalformedFrame_LengthBelowHeader_ErrorBadLenClosesThatPeerOnly_TheRealSwitchIsStillServed")]
    public async Task MalformedFrame_ClosesThatPeerOnly(byte[] malformed, ushort badRequestCode, CancellationToken cancellationToken)
    {
        using var ovs = TestSwitch.Start();
        ovs.AddHost("sender", "198.18.0.1/24");
        var node = ovs.AddHost("node", "198.18.0.3/24");
        using var module = new OpenFlowControllerModule();
        using var context = new TestModuleContext(TestModuleContext.ParseProperties($"listen_port=0,netserv_port={node.Port}"));
        var listening = ModuleOnSwitch.Start(ovs, module, context, cancellationToken);
        try
        {
            await SwitchRig.WaitForAsync(() => Live(module) == true, cancellationToken);

            using var peer = ovs.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await peer.ConnectAsync(listening, cancellationToken);
            await peer.SendAsync(Hello, cancellationToken);
            await peer.SendAsync(malformed, cancellationToken);
            var received = await ReadToEndAsync(peer, cancellationToken);

            // ofp_error_msg: header, type (2 bytes), code (2 bytes), then at least 64 bytes of the offending request.
            var errors = Frames(received).Where(f => f[1] == 1 && f.Length >= 12).ToArray();
            Assert.That(errors, Has.Length.EqualTo(1), "one OFPT_ERROR (type 1) before the close");
            Assert.That((errors[0][8] << 8 | errors[0][9], errors[0][10] << 8 | errors[0][11]), Is.EqualTo((1, (int)badRequestCode)));
            Assert.That(errors[0][12..], Is.EqualTo(malformed), "the error carries the offending bytes");

            // The switch's own session goes on: its node's link going down reaches the module, which re-points
            // signaling past the node (fail-open) over that session.
            await SwitchRig.WaitForAsync(() => ovs.DumpFlows().Any(f => f.Contains($"udp,tp_dst=270 actions=output:{node.Port}", StringComparison.Ordinal)), cancellationToken);
            node.Namespace.ExecChecked("ip", "link", "set", "eth0", "down");
            await SwitchRig.WaitForAsync(() => Live(module) == false, cancellationToken);
            await SwitchRig.WaitForAsync(() => ovs.DumpFlows().Any(f => f.Contains("udp,tp_dst=270 actions=goto_table:1", StringComparison.Ordinal)), cancellationToken);
        }
        finally
        {
            await module.StopAsync(cancellationToken);
        }
    }

    private static bool? Live(OpenFlowControllerModule module) => module.GetStatus()["nodes"]![0]!["live"]?.GetValue<bool>();

    /// <summary>Everything the module sends until it closes the connection; fails after 10 s without the close.</summary>
    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var all = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                all.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail("the module did not close the connection within 10 s");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return [.. all];
    }

    /// <summary>The OpenFlow frames in <paramref name="bytes"/>, by the header's length field.</summary>
    private static IEnumerable<byte[]> Frames(byte[] bytes)
    {
        var offset = 0;
        while (bytes.Length - offset >= OpenFlowConstants.HeaderLength)
        {
            var length = bytes[offset + 2] << 8 | bytes[offset + 3];
            if (length < OpenFlowConstants.HeaderLength || offset + length > bytes.Length)
            {
                yield break;
            }

            yield return bytes[offset..(offset + length)];
            offset += length;
        }
    }
}
