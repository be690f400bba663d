using System.Text.Json.Nodes;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// Where the work of a forwarding measurement runs, identical for every router configuration.
/// With two vCPUs the router cannot be isolated from sender and receiver: the generator busy-waits
/// on one CPU, the router's softirq runs on the other (RPS on its ingress interface), and a queue
/// reader must not share the softirq's CPU (it livelocks there under overload), so it shares the
/// generator's.
/// </summary>
internal sealed record CpuPlacement
{
    /// <summary>The CPU the generator's sending thread is pinned to.</summary>
    public int GeneratorCpu { get; init; }

    /// <summary>The CPU of the queue reader: the container's reader thread, or the C loop.</summary>
    public int ReaderCpu { get; init; }

    /// <summary>The nice value of the generator's thread (null: unchanged). A positive value lets the queue reader that shares its CPU run first.</summary>
    public int? GeneratorNice { get; init; }

    /// <summary>How the generator waits between packets: spinning occupies its CPU, which the queue reader shares.</summary>
    public NetServ.Traffic.PacingMode GeneratorPacing { get; init; } = NetServ.Traffic.PacingMode.Spin;

    /// <summary>RPS mask of the router's ingress interface (eth0): where forwarding and netfilter run.</summary>
    public ulong RouterIngressRps { get; init; } = 0b10;

    /// <summary>RPS mask of the receiver's interface: where the counting (dropping) rule runs.</summary>
    public ulong ReceiverRps { get; init; } = 0b10;

    /// <summary>RPS mask of the interfaces that carry no test traffic inbound (sender eth0, router eth1).</summary>
    public ulong OtherRps { get; init; } = 0b10;

    /// <summary>
    /// The default: generator and queue reader on CPU 0, all softirq work on CPU 1, and a generator
    /// that sleeps while nothing is due. A spinning generator holds half of CPU 0 against a busy
    /// reader whatever it has to send (the scheduler shares CPU 0 equally between the generator's
    /// group and the reader's cgroup; nice and sched_yield do not reach across groups), which
    /// roughly halves what the queue path can show; the receiver on CPU 0 costs the queue path more
    /// than it gains plain forwarding. Measured on the 2-vCPU VM: see the evaluation's results.
    /// </summary>
    public static CpuPlacement Default { get; } = new() { GeneratorCpu = 0, ReaderCpu = 0, GeneratorPacing = NetServ.Traffic.PacingMode.Sleep };

    /// <summary>Throws when a CPU is not on this machine.</summary>
    public void Validate(int cpus)
    {
        foreach (var (name, cpu) in new[] { ("generator", GeneratorCpu), ("reader", ReaderCpu) })
        {
            if (cpu < 0 || cpu >= cpus)
            {
                throw new ArgumentException($"the {name} CPU {cpu} does not exist (CPUs 0-{cpus - 1})");
            }
        }

        var all = cpus >= 64 ? ulong.MaxValue : (1UL << cpus) - 1;
        foreach (var (name, mask) in new[] { ("router ingress RPS", RouterIngressRps), ("receiver RPS", ReceiverRps), ("other RPS", OtherRps) })
        {
            if (mask == 0 || (mask & ~all) != 0)
            {
                throw new ArgumentException($"the {name} mask {mask:x} names CPUs this machine does not have");
            }
        }
    }

    /// <summary>For results.json.</summary>
    public JsonObject ToJson() => new()
    {
        ["generatorCpu"] = GeneratorCpu,
        ["generatorNice"] = GeneratorNice,
        ["generatorPacing"] = GeneratorPacing.ToString().ToLowerInvariant(),
        ["queueReaderCpu"] = ReaderCpu,
        ["rpsCpus"] = new JsonObject
        {
            ["router eth0 (ingress)"] = $"{RouterIngressRps:x}",
            ["receiver eth0"] = $"{ReceiverRps:x}",
            ["router eth1"] = $"{OtherRps:x}",
            ["sender eth0"] = $"{OtherRps:x}",
        },
        ["notes"] = "RPS masks are hexadecimal CPU masks written to /sys/class/net/<dev>/queues/rx-0/rps_cpus inside each namespace. " +
            "The queue reader is the container's reader thread (netservd ReaderCpu) or nfq-accept --cpu; other container threads are not pinned. " +
            "Containers run in netservd's cgroups (netserv/<node>/<user>, quota 1 CPU); nfq-accept runs in a cgroup of its own with the same quota, so both compete with the generator on the same terms.",
    };

    /// <summary>One line for the console and summary.md.</summary>
    public override string ToString() =>
        $"generator CPU {GeneratorCpu} ({GeneratorPacing.ToString().ToLowerInvariant()} pacing{(GeneratorNice is { } nice ? $", nice {nice}" : string.Empty)}), queue reader CPU {ReaderCpu}, router ingress softirq (RPS) {Cpus(RouterIngressRps)}, receiver softirq {Cpus(ReceiverRps)}, other interfaces {Cpus(OtherRps)}";

    /// <summary>"CPU 0,1" for a CPU mask.</summary>
    public static string Cpus(ulong mask) =>
        "CPU " + string.Join(',', Enumerable.Range(0, 64).Where(i => (mask & (1UL << i)) != 0));
}
