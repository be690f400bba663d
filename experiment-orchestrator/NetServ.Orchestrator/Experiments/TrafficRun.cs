using System.Diagnostics;
using System.Net;
using System.Text.Json;
using NetServ.Sdk;
using NetServ.Testbed.Local;
using NetServ.Testbed.Traffic;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The run phase's traffic: the paced raw-socket generator or Click (<see cref="TrafficStep.Generator"/>) on the sender, frames addressed to the
/// next hop the sender's routing table gives, and an iptables rule at the receiver that counts (and
/// drops) exactly what arrives. Bounded in packets and time.
/// </summary>
internal static class TrafficRun
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);

    /// <summary>Sends <paramref name="step"/>'s packets and counts them at the receiver.</summary>
    public static async Task<TrafficReport> RunAsync(LocalTestbed testbed, TrafficStep step, IExperimentProgress progress, CancellationToken cancellationToken)
    {
        var sender = ExperimentTopology.Node(testbed, step.From);
        var (receiver, destination) = ExperimentTopology.Destination(testbed, step.To);
        var route = RouteTo(sender, destination);
        var nextHop = ExperimentTopology.InterfaceWith(testbed, route.NextHop)
            ?? throw new ExperimentException($"{step.From} reaches {destination} via {route.NextHop}, which is no interface of the testbed");
        var seconds = step.Packets / step.PacketsPerSecond;
        var spec = new TrafficSpec
        {
            Device = route.Device,
            SourceMac = sender.Namespace.GetMacAddress(route.Device),
            NextHopMac = nextHop.Node.Namespace.GetMacAddress(nextHop.Interface.Device),
            Source = route.Source,
            Destination = destination,
            SourcePort = (ushort)step.Port,
            DestinationPort = (ushort)step.Port,
            WireBytes = step.FrameBytes,
            PacketsPerSecond = step.PacketsPerSecond,
            Packets = step.Packets,
            MaxDuration = TimeSpan.FromSeconds((seconds * 2) + 2),
        };
        ITrafficGenerator generator;
        try
        {
            generator = TrafficGenerators.Create(step.Generator, sender.Namespace, pacedTemplate: new GeneratorRequest(0, 0, TimeSpan.FromSeconds(1)) { Pacing = PacingMode.Sleep });
        }
        catch (ClickNotInstalledException e)
        {
            throw new ExperimentException($"--generator click: the sending node {step.From} has no Click modular router ({e.Message})", e);
        }

        using var _ = generator;
        progress.Detail($"{step.From} ({route.Source}, {route.Device}) -> {step.To} {destination}:{step.Port} via {nextHop.Node.ClientId} {route.NextHop}: {step.Packets} frames of {step.FrameBytes} bytes at {step.PacketsPerSecond} packets/s, sent by the {generator.Driver} generator");

        // One datagram first, to a port nobody filters, so the routers on the way have resolved
        // their neighbours before the counted traffic starts.
        UdpSender.Send(sender.Namespace, new IPEndPoint(IPAddress.Parse(destination.ToString()), 9), [[0]], 1000);
        await Task.Delay(200, cancellationToken).ConfigureAwait(false);

        using var counter = IptablesCounter.InstallUdp(receiver.Namespace, (ushort)step.Port, comment: $"netserv-lab {testbed.Id}");
        progress.Status($"run: sending {step.Packets} packets ({seconds:0.#} s)");
        var sent = await Task.Run(() => generator.Run(spec, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        progress.Status("run: waiting for the last packets");
        var received = await SettledCountAsync(counter, sent.Sent, cancellationToken).ConfigureAwait(false);
        return new TrafficReport(step.From, step.To, destination.ToString(), step.Port, step.PacketsPerSecond, step.Packets, sent.Offered, sent.FailedSends, received, sent.Elapsed)
        {
            Generator = sent.Driver,
            OfferedRate = sent.OfferedRate,
            GeneratorLimited = sent.GeneratorLimited,
        };
    }

    /// <summary>The count once it reached <paramref name="expected"/> or stopped changing.</summary>
    private static async Task<long> SettledCountAsync(IptablesCounter counter, long expected, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var last = counter.Read();
        var changed = watch.Elapsed;
        while (last < expected && watch.Elapsed - changed < Settle && watch.Elapsed < SettleLimit)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            var now = counter.Read();
            if (now != last)
            {
                last = now;
                changed = watch.Elapsed;
            }
        }

        return last;
    }

    private static (Ipv4Address NextHop, string Device, Ipv4Address Source) RouteTo(LocalTestbedNode sender, Ipv4Address destination)
    {
        var output = sender.Namespace.ExecChecked("ip", "-j", "route", "get", destination.ToString()).StandardOutput;
        using var json = JsonDocument.Parse(output);
        var route = json.RootElement[0];
        string Field(string name) => route.TryGetProperty(name, out var value) ? value.GetString() ?? string.Empty : string.Empty;
        var gateway = Field("gateway");
        return (gateway.Length > 0 ? Ipv4Address.Parse(gateway) : destination, Field("dev"), Ipv4Address.Parse(Field("prefsrc")));
    }
}
