using System.Diagnostics;
using NetServ.Testbed;
using NetServ.Traffic;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The run phase's traffic: the paced raw-socket generator or Click (<see cref="TrafficStep.Generator"/>) on the sender, frames addressed to the
/// next hop the sender's routing table gives, and an iptables rule at the receiver that counts (and
/// drops) exactly what arrives. Bounded in packets and time. Routes and addresses are asked through the
/// nodes' sessions; the generator, the warm-up datagram and the counter are the testbed's (<see cref="IExperimentTestbed"/>).
/// </summary>
internal static class TrafficRun
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);

    /// <summary>Sends <paramref name="step"/>'s packets and counts them at the receiver.</summary>
    public static async Task<TrafficReport> RunAsync(IExperimentTestbed bed, TrafficStep step, IExperimentProgress progress, CancellationToken cancellationToken)
    {
        var testbed = bed.Testbed;
        var sender = ExperimentTopology.Node(testbed, step.From);
        var (receiver, destination) = ExperimentTopology.Destination(testbed, step.To);
        var route = await sender.Session.GetRouteAsync(destination, cancellationToken).ConfigureAwait(false);
        var nextHop = ExperimentTopology.InterfaceWith(testbed, route.NextHop)
            ?? throw new ExperimentException($"{step.From} reaches {destination} via {route.NextHop}, which is no interface of the testbed");
        var sourceMac = await sender.Session.GetMacAddressAsync(route.Device, cancellationToken).ConfigureAwait(false);
        var nextHopMac = await nextHop.Node.Session.GetMacAddressAsync(nextHop.Interface.Device, cancellationToken).ConfigureAwait(false);
        var seconds = step.Packets / step.PacketsPerSecond;
        var spec = new TrafficSpec
        {
            Device = route.Device,
            SourceMac = sourceMac,
            NextHopMac = nextHopMac,
            Source = step.SourceAddress ?? route.Source,
            Destination = destination,
            SourcePort = (ushort)(step.SourcePort ?? step.Port),
            DestinationPort = (ushort)step.Port,
            WireBytes = step.FrameBytes,
            PacketsPerSecond = step.PacketsPerSecond,
            Packets = step.Packets,
            MaxDuration = TimeSpan.FromSeconds((seconds * 2) + 2),
        };
        ITrafficSender generator;
        try
        {
            generator = await bed.TrafficSenderAsync(sender, step.Generator, cancellationToken).ConfigureAwait(false);
        }
        catch (ClickNotInstalledException e)
        {
            throw new ExperimentException($"--generator click: the sending node {step.From} has no Click modular router ({e.Message})", e);
        }

        using var _ = generator;
        progress.Detail($"{step.From} ({spec.Source}, {route.Device}) -> {step.To} {destination}:{step.Port} via {nextHop.Node.ClientId} {route.NextHop}: {step.Packets} frames of {step.FrameBytes} bytes at {step.PacketsPerSecond} packets/s, sent by the {generator.Driver} generator");

        // One datagram first, to a port nobody filters, so the routers on the way have resolved
        // their neighbours before the counted traffic starts.
        await bed.SendWarmUpAsync(sender, destination, cancellationToken).ConfigureAwait(false);
        await Task.Delay(200, cancellationToken).ConfigureAwait(false);

        await using var counter = await bed.CountUdpAsync(receiver, step.Port, cancellationToken).ConfigureAwait(false);
        progress.Status($"run: sending {step.Packets} packets ({seconds:0.#} s)");
        var sent = await generator.SendAsync(spec, cancellationToken).ConfigureAwait(false);
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
    private static async Task<long> SettledCountAsync(IPacketCounter counter, long expected, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var last = await counter.ReadAsync(cancellationToken).ConfigureAwait(false);
        var changed = watch.Elapsed;
        while (last < expected && watch.Elapsed - changed < Settle && watch.Elapsed < SettleLimit)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            var now = await counter.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (now != last)
            {
                last = now;
                changed = watch.Elapsed;
            }
        }

        return last;
    }
}
