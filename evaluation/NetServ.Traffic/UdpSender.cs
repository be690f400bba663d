using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>Sends UDP datagrams from a namespace at a bounded rate.</summary>
public static class UdpSender
{
    /// <summary>
    /// Sends each payload to <paramref name="destination"/> from inside <paramref name="ns"/>, paced at
    /// <paramref name="packetsPerSecond"/>. The load is bounded by the number of payloads.
    /// </summary>
    public static void Send(NetworkNamespace ns, IPEndPoint destination, IEnumerable<byte[]> payloads, int packetsPerSecond, int sourcePort = 0)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(payloads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetsPerSecond);
        using var socket = ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SendBufferSize = 8 << 20;
        if (sourcePort != 0)
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, sourcePort));
        }

        Send(socket, destination, payloads, packetsPerSecond);
    }

    /// <summary>Sends each payload from <paramref name="socket"/>, paced; bounded by the number of payloads.</summary>
    internal static void Send(Socket socket, IPEndPoint destination, IEnumerable<byte[]> payloads, int packetsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetsPerSecond);
        var interval = Stopwatch.Frequency / (double)packetsPerSecond;
        var start = Stopwatch.GetTimestamp();
        var index = 0;
        foreach (var payload in payloads)
        {
            var due = start + (long)(index * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var remaining = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (remaining > 2)
                {
                    Thread.Sleep((int)remaining - 1);
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }

            socket.SendTo(payload, destination);
            index++;
        }
    }

    /// <summary>Payloads "prefix-000001" ... numbered from 1, to check order and completeness.</summary>
    public static IEnumerable<byte[]> Numbered(string prefix, int count) =>
        Enumerable.Range(1, count).Select(i => System.Text.Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}-{i:D6}")));
}
