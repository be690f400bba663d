using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetServ.Testbed.Linux;
using NetServ.Traffic;

namespace NetServ.TestSupport.Traffic;

/// <summary>A UDP socket in a namespace that collects every datagram it receives.</summary>
public sealed class UdpReceiver : IDisposable
{
    private readonly Socket _socket;
    private readonly List<(byte[] Payload, IPEndPoint From)> _received = [];
    private readonly Thread _thread;
    private volatile bool _stopping;

    private UdpReceiver(Socket socket)
    {
        _socket = socket;
        _thread = new Thread(Loop) { IsBackground = true, Name = "udp receiver" };
        _thread.Start();
    }

    /// <summary>Datagrams received so far, in order.</summary>
    public IReadOnlyList<byte[]> Payloads
    {
        get
        {
            lock (_received)
            {
                return _received.Select(r => r.Payload).ToArray();
            }
        }
    }

    /// <summary>Where each datagram came from.</summary>
    public IReadOnlyList<IPEndPoint> Senders
    {
        get
        {
            lock (_received)
            {
                return _received.Select(r => r.From).ToArray();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_received)
            {
                return _received.Count;
            }
        }
    }

    /// <summary>Listens on <paramref name="endPoint"/> inside <paramref name="ns"/>, with a large receive buffer so a burst is not lost here.</summary>
    public static UdpReceiver Start(NetworkNamespace ns, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var socket = ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 32 << 20;
        socket.ReceiveTimeout = 100;
        socket.Bind(endPoint);
        return new UdpReceiver(socket);
    }

    /// <summary>Waits until <paramref name="count"/> datagrams have arrived, or nothing has arrived for <paramref name="quiet"/>, or <paramref name="timeout"/> passed.</summary>
    public int WaitFor(int count, TimeSpan quiet, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var last = Count;
        var lastChange = watch.Elapsed;
        while (watch.Elapsed < timeout)
        {
            var now = Count;
            if (now >= count)
            {
                return now;
            }

            if (now != last)
            {
                last = now;
                lastChange = watch.Elapsed;
            }
            else if (watch.Elapsed - lastChange > quiet)
            {
                return now;
            }

            Thread.Sleep(10);
        }

        return Count;
    }

    /// <summary>Sends <paramref name="payloads"/> from this socket (so answers come back to it), paced at <paramref name="packetsPerSecond"/>.</summary>
    public void Send(IPEndPoint destination, IEnumerable<byte[]> payloads, int packetsPerSecond) =>
        UdpSender.Send(_socket, destination, payloads, packetsPerSecond);

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(1));
        _socket.Dispose();
    }

    private void Loop()
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping)
        {
            try
            {
                var length = _socket.ReceiveFrom(buffer, ref from);
                lock (_received)
                {
                    _received.Add((buffer.AsSpan(0, length).ToArray(), (IPEndPoint)from));
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
            {
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
