using System.Net.NetworkInformation;
using System.Text;
using NetServ.Networking;

namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class ClickConfigurationTests
{
    internal static readonly TrafficSpec Udp64 = new()
    {
        Device = "eth0",
        SourceMac = PhysicalAddress.Parse("02-00-00-00-00-01"),
        NextHopMac = PhysicalAddress.Parse("02-00-00-00-00-0A"),
        Source = Ipv4Address.Parse("198.18.0.1"),
        Destination = Ipv4Address.Parse("198.19.0.1"),
        SourcePort = 5061,
        DestinationPort = 5060,
        WireBytes = 64,
        PacketsPerSecond = 20_000,
        Packets = 40_000,
        MaxDuration = TimeSpan.FromSeconds(2.5),
    };

    internal static readonly TrafficSpec SipKeepAlive340 = Udp64 with { WireBytes = 340, Payload = UdpPayloadKind.SipKeepAlive };

    /// <summary>Every shape of configuration the writer produces, for the parser test.</summary>
    internal static IEnumerable<TestCaseData> EveryShape()
    {
        yield return new TestCaseData(Udp64).SetArgDisplayNames("udp 64 paced");
        yield return new TestCaseData(Udp64 with { WireBytes = 1518, PacketsPerSecond = 1 }).SetArgDisplayNames("udp 1518 at 1 pps");
        yield return new TestCaseData(Udp64 with { PacketsPerSecond = 0 }).SetArgDisplayNames("udp 64 unpaced");
        yield return new TestCaseData(SipKeepAlive340).SetArgDisplayNames("sip 340 paced");
        yield return new TestCaseData(SipKeepAlive340 with { PacketsPerSecond = 0, Device = "clk+0" }).SetArgDisplayNames("sip 340 unpaced, odd device name");
    }

    [Test]
    public void Write_PacedUdp_IsTheRatedSourcePullPathToToDeviceWithCountersAndADeadline()
    {
        var expected = """
            // NetServ traffic: 40000 UDP packets of 64 bytes on the wire at 20000 pps,
            // 198.18.0.1:5061 -> 198.19.0.1:5060 out of eth0; the run ends after 2.5s at the latest.
            // ToDevice retries sends the kernel refuses for want of buffers, which hides loss: count at the receiver.
            src :: RatedSource(DATA "abcdefghijklmnopqrstuvwxyz", LENGTH 18, RATE 20000, LIMIT 40000, STOP true);
            src
              -> steady :: AverageCounter
              -> UDPIPEncap(198.18.0.1, 5061, 198.19.0.1, 5060)
              -> EtherEncap(0x0800, 02:00:00:00:00:01, 02:00:00:00:00:0a)
              -> out :: ToDevice(eth0, METHOD LINUX);
            out[0] -> sent :: Counter -> Discard;
            out[1] -> failed :: Counter -> Discard;
            Script(wait 0.02s, write steady.reset, wait 2.48s, stop);

            """.ReplaceLineEndings("\n");

        Assert.That(ClickConfiguration.Write(Udp64), Is.EqualTo(expected));
    }

    [Test]
    public void Write_RateZero_UsesInfiniteSourceWithTheSameLimitAndStop()
    {
        var text = ClickConfiguration.Write(Udp64 with { PacketsPerSecond = 0 });

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("src :: InfiniteSource(DATA \"abcdefghijklmnopqrstuvwxyz\", LENGTH 18, LIMIT 40000, STOP true);"));
            Assert.That(text, Does.Not.Contain("RatedSource"));
        });
    }

    [TestCase(64, 18)]
    [TestCase(340, 294)]
    [TestCase(1518, 1472)]
    public void Write_FrameSize_SetsTheUdpPayloadLengthSoTheFrameHasThatSizeOnTheWire(int wireBytes, int payload) =>
        Assert.That(ClickConfiguration.Write(Udp64 with { WireBytes = wireBytes }), Does.Contain($", LENGTH {payload}, "));

    [Test]
    public void Write_FractionalRate_RoundsToClicksWholeRate() =>
        Assert.That(ClickConfiguration.Write(Udp64 with { PacketsPerSecond = 999.6 }), Does.Contain(", RATE 1000, "));

    [Test]
    public void Write_SubMillisecondDeadline_KeepsMicroseconds() =>
        Assert.That(ClickConfiguration.Write(Udp64 with { MaxDuration = TimeSpan.FromMicroseconds(1_000_250) }), Does.Contain("Script(wait 0.02s, write steady.reset, wait 0.98025s, stop);"));

    [Test]
    public void Write_DeadlineWithinTheInitialBurst_OnlyStopsAtTheDeadline() =>
        Assert.That(ClickConfiguration.Write(Udp64 with { MaxDuration = TimeSpan.FromMilliseconds(15) }), Does.Contain("Script(wait 0.015s, stop);"));

    [Test]
    public void Write_Pattern_RepeatsToTheSameBytesThePacedGeneratorSends()
    {
        // RatedSource repeats DATA up to LENGTH; that must equal the paced generator's payload.
        var frame = UdpFrame.Create(1518, Udp64.SourceMac, Udp64.NextHopMac, Udp64.Source, Udp64.Destination, 5061, 5060);
        var repeated = string.Concat(Enumerable.Repeat(UdpFrame.PatternAlphabet, 60))[..frame.UdpPayload.Length];

        Assert.That(Encoding.ASCII.GetString(frame.UdpPayload), Is.EqualTo(repeated));
    }

    [Test]
    public void Write_SipKeepAlive_CarriesTheWholeNotifyEscapedAsData()
    {
        var text = ClickConfiguration.Write(SipKeepAlive340);
        var payload = SipKeepAliveMessage.Build(Udp64.Source, 5061, Udp64.Destination, 5060, 294);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain($"src :: RatedSource(DATA {ClickConfiguration.Quote(payload)}, LENGTH 294, RATE 20000, LIMIT 40000, STOP true);"));
            Assert.That(text, Does.Contain(@"""NOTIFY sip:198.19.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.0.1:5061;branch=z9hG4bK-netserv\r\n"));
            Assert.That(text, Does.Contain(@"\r\nEvent: keep-alive\r\nContent-Length: 0\r\n\r\n"""));
            Assert.That(text, Does.Contain("SIP NOTIFY keep-alives of 340 bytes"));
        });
    }

    [Test]
    public void Write_DeviceThatIsNotAWord_IsQuoted() =>
        Assert.That(ClickConfiguration.Write(Udp64 with { Device = "clk+0" }), Does.Contain("ToDevice(\"clk+0\", METHOD LINUX)"));

    [Test]
    public void Write_MoreThanClickCanCount_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickConfiguration.Write(Udp64 with { Packets = (long)int.MaxValue + 1 }));

    [Test]
    public void Write_RateBelowHalfAPacketPerSecond_ThrowsRatherThanSendUnpaced() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickConfiguration.Write(Udp64 with { PacketsPerSecond = 0.4 }));

    [Test]
    public void Write_SipKeepAliveInA64ByteFrame_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickConfiguration.Write(SipKeepAlive340 with { WireBytes = 64 }));

    [TestCase("plain text", "\"plain text\"")]
    [TestCase("a\r\nb\tc", @"""a\r\nb\tc""")]
    [TestCase("quote \" and backslash \\", @"""quote \"" and backslash \\""")]
    [TestCase("$var and ${x}", @"""\<24>var and \<24>{x}""")]
    [TestCase("// not a comment /* either */", "\"// not a comment /* either */\"")]
    [TestCase("\\<41>", @"""\\<41>""")]
    [TestCase("", "\"\"")]
    public void Quote_Text_EscapesWhatClickWouldInterpret(string data, string expected) =>
        Assert.That(ClickConfiguration.Quote(Encoding.ASCII.GetBytes(data)), Is.EqualTo(expected));

    [Test]
    public void Quote_BytesOutsidePrintableAscii_BecomeOneDataSubstitutionPerRun() =>
        Assert.That(ClickConfiguration.Quote([0x00, 0x01, (byte)'A', 0x7F, 0xFF, (byte)'$']), Is.EqualTo(@"""\<00 01>A\<7f ff 24>"""));
}
