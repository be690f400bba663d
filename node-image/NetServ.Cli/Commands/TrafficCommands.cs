using System.CommandLine;
using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetServ.Networking;
using NetServ.Traffic;

namespace NetServ.Cli.Commands;

/// <summary>
/// <c>netserv traffic paced</c>: the project's paced generator (raw packet socket, exact pacing, refused sends counted as
/// lost) run on this node, as the benchmarks run it in a namespace: UDP frames of one size to one destination at a rate.
/// </summary>
internal static class TrafficCommands
{
    public static Command Create()
    {
        var traffic = new Command("traffic", "Send traffic from this node");
        traffic.Subcommands.Add(Paced());
        return traffic;
    }

    private static Command Paced()
    {
        var device = new Option<string>("--device") { Description = "the interface the frames leave by", Required = true };
        var destination = new Option<string>("--destination") { Description = "the IPv4 destination", Required = true };
        var nextHop = new Option<string>("--next-hop-mac") { Description = "the MAC address the frames are sent to (the router's or the receiver's; see ip neigh)", Required = true };
        var source = new Option<string?>("--source") { Description = "the IPv4 source (default: the interface's first address)" };
        var port = new Option<int>("--port") { Description = "the UDP destination port", DefaultValueFactory = _ => 9 };
        var rate = new Option<double>("--rate") { Description = "packets per second (0: as fast as the socket takes them)", DefaultValueFactory = _ => 1000 };
        var packets = new Option<long?>("--packets") { Description = "how many packets (default: rate × seconds)" };
        var seconds = new Option<double>("--seconds") { Description = "the longest the run takes", DefaultValueFactory = _ => 10 };
        var size = new Option<int>("--size") { Description = $"bytes on the wire per frame ({UdpFrame.MinimumWireBytes}..{UdpFrame.MaximumWireBytes})", DefaultValueFactory = _ => UdpFrame.MinimumWireBytes };
        var json = new Option<bool>("--json") { Description = "print the result as one JSON object (what the lab's runner reads over SSH)" };
        var command = new Command("paced", "Send paced UDP frames with the project's generator and print what was offered, sent and refused (needs CAP_NET_RAW)")
        {
            device, destination, nextHop, source, port, rate, packets, seconds, size, json,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var console = result.InvocationConfiguration;
            var request = PacedRequest.Create(
                result.GetValue(device)!, result.GetValue(destination)!, result.GetValue(nextHop)!, result.GetValue(source),
                result.GetValue(port), result.GetValue(rate), result.GetValue(packets), result.GetValue(seconds), result.GetValue(size),
                out var problem);
            if (request is null)
            {
                console.Error.WriteLine($"netserv traffic paced: {problem}");
                return Task.FromResult(2);
            }

            try
            {
                using var generator = PacedPacketGenerator.Open(request.Device);
                var sent = generator.Run(request.Frame, request.Generator, cancellationToken);
                console.Output.WriteLine(result.GetValue(json) ? GeneratorResultJson.Write(sent) : string.Create(CultureInfo.InvariantCulture,
                    $"paced {request.Device} → {request.Destination}:{request.Port}: offered {sent.Offered} of {sent.Requested} in {sent.Elapsed.TotalSeconds:0.000} s = {sent.OfferedRate:0} pps (asked {sent.RequestedRate:0}), sent {sent.Sent}, refused {sent.Failed} (ENOBUFS {sent.FailedNoBuffers}, EAGAIN {sent.FailedAgain}), {sent.Calls} sendmmsg calls, lag at most {sent.MaxLag.TotalMilliseconds:0.000} ms"));
                return Task.FromResult(sent.Failed == 0 ? 0 : 1);
            }
            catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException or InvalidOperationException)
            {
                console.Error.WriteLine($"netserv traffic paced: {e.Message}");
                return Task.FromResult(1);
            }
        });
        return command;
    }
}

/// <summary>A paced run as the command line asked for it: the frame, the interface and the generator's request.</summary>
internal sealed record PacedRequest(string Device, Ipv4Address Destination, int Port, UdpFrame Frame, GeneratorRequest Generator)
{
    public const ushort SourcePort = 40000;

    /// <summary>The run, or null with <paramref name="problem"/> saying which option is wrong.</summary>
    public static PacedRequest? Create(string device, string destination, string nextHopMac, string? source, int port, double rate, long? packets, double seconds, int size, out string problem)
    {
        problem = string.Empty;
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device);
        if (nic is null)
        {
            problem = $"--device {device}: no such interface";
            return null;
        }

        if (!Ipv4Address.TryParse(destination, out var to))
        {
            problem = $"--destination '{destination}' is not an IPv4 address";
            return null;
        }

        if (!TryParseMac(nextHopMac, out var nextHop))
        {
            problem = $"--next-hop-mac '{nextHopMac}' is not a MAC address (aa:bb:cc:dd:ee:ff)";
            return null;
        }

        var fromText = source ?? nic.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork)?.Address.ToString();
        if (fromText is null || !Ipv4Address.TryParse(fromText, out var from))
        {
            problem = source is null ? $"--device {device} has no IPv4 address: give --source" : $"--source '{source}' is not an IPv4 address";
            return null;
        }

        if (port is < 1 or > ushort.MaxValue || rate < 0 || seconds <= 0 || packets < 0 || size < UdpFrame.MinimumWireBytes || size > UdpFrame.MaximumWireBytes)
        {
            problem = $"out of range: --port 1..65535, --rate ≥ 0, --seconds > 0, --packets ≥ 0, --size {UdpFrame.MinimumWireBytes}..{UdpFrame.MaximumWireBytes}";
            return null;
        }

        // A loopback has no hardware address; its frames carry zeros.
        var ownMac = nic.GetPhysicalAddress() is { } mac && mac.GetAddressBytes().Length == 6 ? mac : new PhysicalAddress(new byte[6]);
        var frame = UdpFrame.Create(size, ownMac, nextHop, from, to, SourcePort, (ushort)port);
        var count = packets ?? (rate > 0 ? (long)Math.Ceiling(rate * seconds) : long.MaxValue / 2);
        return new PacedRequest(device, to, port, frame, new GeneratorRequest(rate, count, TimeSpan.FromSeconds(seconds)));
    }

    private static bool TryParseMac(string text, out PhysicalAddress mac)
    {
        mac = PhysicalAddress.None;
        var parts = text.Split(':', '-');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !byte.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _)))
        {
            return false;
        }

        mac = new PhysicalAddress([.. parts.Select(p => byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture))]);
        return true;
    }
}
