using System.Net;
using System.Net.Sockets;
using NetServ.Testbed.Linux;

namespace NetServ.TestSupport.Traffic;

/// <summary>
/// Sender — router — receiver with UDP to 198.19.0.1:5060 sent to NFQUEUE 7 on the router's FORWARD
/// chain (with --queue-bypass), a sending socket in the sender and a receiving socket in the receiver.
/// The queue itself is bound by the test, in the router's namespace (<c>Path.Router.Namespace.Run</c>).
/// Disposing removes namespaces, rules and processes.
/// </summary>
public sealed class QueuePath : IDisposable
{
    public const ushort QueueNumber = 7;
    public const int Port = 5060;
    public static readonly IPEndPoint Destination = new(IPAddress.Parse("198.19.0.1"), Port);

    private QueuePath(ThreeHostPath path, Socket sender, Socket receiver)
    {
        Path = path;
        Sender = sender;
        Receiver = receiver;
    }

    public ThreeHostPath Path { get; }

    public Socket Sender { get; }

    public Socket Receiver { get; }

    public static QueuePath Create()
    {
        RequiresRoot.Check();
        var path = LocalNetwork.CreateSenderRouterReceiver();
        Socket? sender = null;
        Socket? receiver = null;
        try
        {
            path.Router.Namespace.ExecChecked(
                "iptables", "-A", "FORWARD", "-p", "udp", "--dport", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-j", "NFQUEUE", "--queue-num", QueueNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), "--queue-bypass");

            receiver = path.Receiver.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            receiver.SetRawSocketOption(1 /* SOL_SOCKET */, 33 /* SO_RCVBUFFORCE */, BitConverter.GetBytes(16 * 1024 * 1024));
            receiver.ReceiveTimeout = 100;
            receiver.Bind(Destination);

            sender = path.Sender.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.SetRawSocketOption(1 /* SOL_SOCKET */, 32 /* SO_SNDBUFFORCE */, BitConverter.GetBytes(16 * 1024 * 1024));
            sender.Connect(Destination);
            return new QueuePath(path, sender, receiver);
        }
        catch
        {
            sender?.Dispose();
            receiver?.Dispose();
            path.Dispose();
            throw;
        }
    }

    /// <summary>The payload of packet <paramref name="index"/>: first byte the index, length and content varying with it.</summary>
    public static byte[] PayloadFor(int index)
    {
        var payload = new byte[16 + (index * 37 % 1200)];
        payload[0] = (byte)index;
        payload[1] = (byte)(index >> 8);
        for (var i = 2; i < payload.Length; i++)
        {
            payload[i] = (byte)((index * 7) + i);
        }

        return payload;
    }

    /// <summary>Sends <paramref name="count"/> payloads, pausing about a millisecond after each <paramref name="burst"/> so that no buffer on the way overflows.</summary>
    public void Send(int count, int burst = 50, Func<int, byte[]>? payloadFor = null)
    {
        payloadFor ??= PayloadFor;
        for (var i = 0; i < count; i++)
        {
            Sender.Send(payloadFor(i));
            if (burst > 0 && (i + 1) % burst == 0)
            {
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>
    /// Collects datagrams at the receiver until <paramref name="expected"/> came and then a quiet
    /// period passed without more (so extras are seen too), or until <paramref name="timeout"/>.
    /// </summary>
    public List<byte[]> ReceiveAll(int expected, TimeSpan timeout, TimeSpan? quiet = null)
    {
        var received = new List<byte[]>();
        var buffer = new byte[65536];
        var deadline = DateTime.UtcNow + timeout;
        var quietPeriod = quiet ?? TimeSpan.FromMilliseconds(150);
        DateTime? quietUntil = null;
        while (DateTime.UtcNow < deadline)
        {
            if (received.Count >= expected)
            {
                quietUntil ??= DateTime.UtcNow + quietPeriod;
                if (DateTime.UtcNow >= quietUntil)
                {
                    break;
                }
            }

            try
            {
                var length = Receiver.Receive(buffer);
                received.Add(buffer.AsSpan(0, length).ToArray());
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
            }
        }

        return received;
    }

    /// <summary>Reads a line of /proc/net/netfilter/nfnetlink_queue in the router for the queue, or null when it is not bound.</summary>
    public string? QueueStatus()
    {
        var lines = Path.Router.Namespace.ExecChecked("cat", "/proc/net/netfilter/nfnetlink_queue").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] == QueueNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        Sender.Dispose();
        Receiver.Dispose();
        Path.Dispose();
    }
}
