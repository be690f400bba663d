using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Apps.NetMonitor;
using NetServ.Networking;
using NetServ.Sdk;

[assembly: NetServModule(typeof(NetMonitorModule))]

namespace NetServ.Apps.NetMonitor;

/// <summary>
/// NetMonitor (paper section 9): counts the packets its filter selects, keyed by source address,
/// destination address and TTL, and reports the table every <c>report_interval_ms</c> over UDP to
/// <c>visualizer_ip:visualizer_port</c> (when given) and in its status.
/// </summary>
/// <remarks>
/// Report datagrams are text: a header line <c>netmonitor &lt;module&gt; &lt;user&gt; &lt;sequence&gt; &lt;unix ms&gt;</c>,
/// then one line per flow: <c>&lt;source&gt; &lt;destination&gt; &lt;ttl&gt; &lt;packets&gt;</c>. A table that does not fit one
/// datagram is split over several, each with the header.
/// </remarks>
public sealed partial class NetMonitorModule : NetServModule, IPacketProcessor, IModuleStatus, IDisposable
{
    private const int MaxDatagram = 1400;

    private readonly Dictionary<FlowKey, long> _counts = [];
    private readonly Lock _lock = new();
    private long _total;
    private long _reportsSent;
    private long _sequence;
    private ITimer? _timer;
    private Socket? _socket;
    private IPEndPoint? _visualizer;

    /// <inheritdoc />
    public PacketVerdict Process(ref Packet packet)
    {
        if (!packet.IsIpv4)
        {
            return PacketVerdict.Accept;
        }

        var key = new FlowKey(packet.Source, packet.Destination, packet.Ipv4.Ttl);
        lock (_lock)
        {
            // A ref into the table: no allocation once a flow has been seen.
            CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _)++;
            _total++;
        }

        return PacketVerdict.Accept;
    }

    /// <inheritdoc />
    public JsonObject GetStatus()
    {
        var flows = new JsonArray();
        long total;
        lock (_lock)
        {
            total = _total;
            foreach (var (key, count) in _counts.OrderBy(p => p.Key.Source).ThenBy(p => p.Key.Destination).ThenBy(p => p.Key.Ttl))
            {
                flows.Add(new JsonObject
                {
                    ["source"] = key.Source.ToString(),
                    ["destination"] = key.Destination.ToString(),
                    ["ttl"] = key.Ttl,
                    ["packets"] = count,
                });
            }
        }

        return new JsonObject
        {
            ["totalPackets"] = total,
            ["flows"] = flows,
            ["visualizer"] = _visualizer?.ToString(),
            ["reportsSent"] = Interlocked.Read(ref _reportsSent),
        };
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        var properties = Context.Properties;
        var interval = TimeSpan.FromMilliseconds(properties.GetInt32("report_interval_ms", 1000));
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("report_interval_ms must be positive");
        }

        if (properties.GetString("visualizer_ip") is { } ip)
        {
            if (!IPAddress.TryParse(ip, out var address))
            {
                throw new ArgumentException($"visualizer_ip '{ip}' is not an IP address");
            }

            var port = properties.GetInt32("visualizer_port", 5678);
            if (port is < 1 or > 65535)
            {
                throw new ArgumentException($"visualizer_port {port} is not a port");
            }

            _visualizer = new IPEndPoint(address, port);
            _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _timer = Context.TimeProvider.CreateTimer(_ => Report(), null, interval, interval);
            Log.Reporting(Context.Logger, _visualizer.ToString(), interval.TotalMilliseconds);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task OnStopAsync(CancellationToken cancellationToken)
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        // One last report, so the visualizer sees the final counts.
        Report();
        _socket?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer?.Dispose();
        _socket?.Dispose();
    }

    private void Report()
    {
        if (_socket is null || _visualizer is null)
        {
            return;
        }

        KeyValuePair<FlowKey, long>[] snapshot;
        lock (_lock)
        {
            snapshot = [.. _counts];
        }

        var sequence = Interlocked.Increment(ref _sequence);
        var header = string.Create(CultureInfo.InvariantCulture, $"netmonitor {Context.ModuleName} {Context.User} {sequence} {Context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()}\n");
        var datagram = new StringBuilder(header);
        try
        {
            foreach (var (key, count) in snapshot)
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"{key.Source} {key.Destination} {key.Ttl} {count}\n");
                if (datagram.Length + line.Length > MaxDatagram)
                {
                    Send(datagram);
                    datagram.Clear().Append(header);
                }

                datagram.Append(line);
            }

            Send(datagram);
        }
        catch (SocketException e)
        {
            Log.ReportFailed(Context.Logger, _visualizer.ToString(), e.Message);
        }
    }

    private void Send(StringBuilder datagram)
    {
        _socket!.SendTo(Encoding.ASCII.GetBytes(datagram.ToString()), _visualizer!);
        Interlocked.Increment(ref _reportsSent);
    }

    private readonly record struct FlowKey(Ipv4Address Source, Ipv4Address Destination, byte Ttl);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Reporting to {Visualizer} every {IntervalMs} ms")]
        public static partial void Reporting(ILogger logger, string visualizer, double intervalMs);

        [LoggerMessage(2, LogLevel.Warning, "Report to {Visualizer} failed: {Error}")]
        public static partial void ReportFailed(ILogger logger, string visualizer, string error);
    }
}
