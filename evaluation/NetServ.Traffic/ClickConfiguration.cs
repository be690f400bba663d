using System.Globalization;
using System.Net.NetworkInformation;
using System.Text;

namespace NetServ.Traffic;

/// <summary>
/// Writes the Click configuration (userlevel Click, the Click language of click(5)) that sends a
/// <see cref="TrafficSpec"/>: a UDP source at a rate and frame size, or the SIP NOTIFY keep-alive source
/// the paper wrote a custom element for (here RatedSource with the NOTIFY as its DATA). Pure: text in, text out.
/// </summary>
/// <remarks>
/// The path is pull from end to end (no Queue): ToDevice pulls the source through the encapsulation,
/// so no packet is left in a queue when the source's STOP ends the driver, and the source's count is
/// exactly what was handed to ToDevice. A Script ends the run at the spec's deadline; on the way it restarts
/// the AverageCounter that measures the rate sent once the source's initial burst is over.
/// Click's ToDevice retries a send the kernel refuses for want of buffers (ENOBUFS, EAGAIN) until it
/// passes: the rate drops and no loss shows at the sender. Count at the receiver with kernel counters
/// (<see cref="IptablesCounter"/>) — and prefer the paced generator (<c>PacedTrafficGenerator</c>) for zero-loss searches.
/// </remarks>
public static class ClickConfiguration
{
    /// <summary>The source element: its <c>count</c> handler is the packets offered.</summary>
    public const string SourceElement = "src";

    /// <summary>The Counter after ToDevice's output 0: packets the kernel took.</summary>
    public const string SentElement = "sent";

    /// <summary>The Counter after ToDevice's output 1: packets the kernel refused with an error other than ENOBUFS/EAGAIN.</summary>
    public const string FailedElement = "failed";

    /// <summary>
    /// The AverageCounter behind the source, reset by the Script once <see cref="SteadyAfter"/> has passed:
    /// its <c>count</c> and <c>rate</c> are the packets and the rate from then to the last packet, in Click's own time.
    /// </summary>
    public const string SteadyElement = "steady";

    /// <summary>
    /// How long after start the rate is measured from. RatedSource's token bucket holds 10 ms of packets
    /// and is full when the driver starts, so its first 10 ms go out at once; counting packets over
    /// Click's elapsed time from the start reads about 1 % over the rate on a 1 s trial.
    /// </summary>
    public static readonly TimeSpan SteadyAfter = TimeSpan.FromMilliseconds(20);

    /// <summary>The read handlers whose values the Click driver collects after a run (<c>click -h</c>).</summary>
    public static IReadOnlyList<string> ResultHandlers { get; } =
        [$"{SourceElement}.count", $"{SentElement}.count", $"{FailedElement}.count", $"{SteadyElement}.count", $"{SteadyElement}.rate"];

    /// <summary>The configuration that sends <paramref name="spec"/>.</summary>
    public static string Write(TrafficSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (spec.Packets > int.MaxValue)
        {
            // RatedSource and InfiniteSource read LIMIT as a C int.
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Packets, $"Click sources send at most {int.MaxValue} packets per run");
        }

        var rate = (long)Math.Round(spec.PacketsPerSecond);
        if (rate > uint.MaxValue || (spec.PacketsPerSecond > 0 && rate == 0))
        {
            // RatedSource's RATE is an unsigned integer: a rate below 0.5 pps would become "unpaced".
            throw new ArgumentOutOfRangeException(nameof(spec), spec.PacketsPerSecond, "Click's RatedSource takes a whole rate of 1 to 4294967295 packets per second");
        }

        var data = spec.Payload == UdpPayloadKind.SipKeepAlive ? spec.BuildUdpPayload() : Encoding.ASCII.GetBytes(UdpFrame.PatternAlphabet);
        var what = spec.Payload == UdpPayloadKind.SipKeepAlive ? "SIP NOTIFY keep-alives" : "UDP packets";
        var pace = rate > 0 ? string.Create(CultureInfo.InvariantCulture, $"at {rate} pps") : "as fast as ToDevice takes them";
        var source = rate > 0
            ? string.Create(CultureInfo.InvariantCulture, $"RatedSource(DATA {Quote(data)}, LENGTH {spec.UdpPayloadBytes}, RATE {rate}, LIMIT {spec.Packets}, STOP true)")
            : string.Create(CultureInfo.InvariantCulture, $"InfiniteSource(DATA {Quote(data)}, LENGTH {spec.UdpPayloadBytes}, LIMIT {spec.Packets}, STOP true)");

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"// NetServ traffic: {spec.Packets} {what} of {spec.WireBytes} bytes on the wire {pace},\n");
        text.Append(CultureInfo.InvariantCulture, $"// {spec.Source}:{spec.SourcePort} -> {spec.Destination}:{spec.DestinationPort} out of {spec.Device}; the run ends after {Seconds(spec.MaxDuration)} at the latest.\n");
        text.Append("// ToDevice retries sends the kernel refuses for want of buffers, which hides loss: count at the receiver.\n");
        text.Append(CultureInfo.InvariantCulture, $"{SourceElement} :: {source};\n");
        text.Append(CultureInfo.InvariantCulture, $"{SourceElement}\n");
        text.Append(CultureInfo.InvariantCulture, $"  -> {SteadyElement} :: AverageCounter\n");
        text.Append(CultureInfo.InvariantCulture, $"  -> UDPIPEncap({spec.Source}, {spec.SourcePort}, {spec.Destination}, {spec.DestinationPort})\n");
        text.Append(CultureInfo.InvariantCulture, $"  -> EtherEncap(0x0800, {Mac(spec.SourceMac)}, {Mac(spec.NextHopMac)})\n");
        text.Append(CultureInfo.InvariantCulture, $"  -> out :: ToDevice({Device(spec.Device)}, METHOD LINUX);\n");
        text.Append(CultureInfo.InvariantCulture, $"out[0] -> {SentElement} :: Counter -> Discard;\n");
        text.Append(CultureInfo.InvariantCulture, $"out[1] -> {FailedElement} :: Counter -> Discard;\n");
        if (spec.MaxDuration > SteadyAfter)
        {
            text.Append(CultureInfo.InvariantCulture, $"Script(wait {Seconds(SteadyAfter)}, write {SteadyElement}.reset, wait {Seconds(spec.MaxDuration - SteadyAfter)}, stop);\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"Script(wait {Seconds(spec.MaxDuration)}, stop);\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="data"/> as a double-quoted Click string: C escapes for CR, LF, tab, backslash and
    /// the quote; <c>\&lt;hex&gt;</c> data substitutions for every other byte that is not printable ASCII
    /// and for <c>$</c>, which Click would otherwise take for a variable.
    /// </summary>
    public static string Quote(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder(data.Length + 2);
        text.Append('"');
        var inHex = false;
        foreach (var b in data)
        {
            var escape = b switch
            {
                (byte)'\r' => @"\r",
                (byte)'\n' => @"\n",
                (byte)'\t' => @"\t",
                (byte)'\\' => @"\\",
                (byte)'"' => "\\\"",
                _ => null,
            };
            if (escape is null && b is >= 0x20 and < 0x7F and not (byte)'$')
            {
                CloseHex(text, ref inHex);
                text.Append((char)b);
            }
            else if (escape is not null)
            {
                CloseHex(text, ref inHex);
                text.Append(escape);
            }
            else
            {
                text.Append(inHex ? " " : @"\<");
                text.Append(CultureInfo.InvariantCulture, $"{b:x2}");
                inHex = true;
            }
        }

        CloseHex(text, ref inHex);
        text.Append('"');
        return text.ToString();
    }

    private static void CloseHex(StringBuilder text, ref bool inHex)
    {
        if (inHex)
        {
            text.Append('>');
            inHex = false;
        }
    }

    /// <summary>Click's Ethernet address syntax: six colon-separated hex bytes.</summary>
    private static string Mac(PhysicalAddress address) => string.Join(':', address.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>A device name as a bare word when it is one, quoted otherwise.</summary>
    private static string Device(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') ? name : Quote(Encoding.ASCII.GetBytes(name));

    /// <summary>A time in Click's syntax: seconds, microsecond precision.</summary>
    private static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.######}s");
}
