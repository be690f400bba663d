using NetServ.Networking;

namespace NetServ.OpenFlow.Tests;

/// <summary>
/// Byte-exact vectors assembled by hand from the structure layouts of the OpenFlow 1.3.x specification (appendix A),
/// one field per group of hex digits, and from what Open vSwitch sends.
/// </summary>
public sealed class OpenFlowVectorTests
{
    // ofp_header(version 4, HELLO, length 16, xid 1), then ofp_hello_elem_versionbitmap(type 1, length 8, bitmap 1<<4).
    private const string HelloVector = "04 00 0010 00000001  0001 0008 00000010";

    // FLOW_MOD steering NSIS signaling (UDP/270) to port 2: ofp_flow_mod's 40 fixed bytes, ofp_match (OXM
    // eth_type=0x0800, ip_proto=17, udp_dst=270: 4 + 6 + 5 + 6 = 21 bytes, padded to 24), one apply-actions
    // instruction (8 bytes) holding one output action (16 bytes).
    private const string FlowModVector =
        "04 0e 0060 00000007" +
        "1122334455667788 0000000000000000" +                       // cookie, cookie_mask
        "00 00 0000 0000 0064" +                                    // table_id, command ADD, idle, hard, priority 100
        "ffffffff ffffffff ffffffff 0001 0000" +                    // buffer_id NO_BUFFER, out_port ANY, out_group ANY, flags SEND_FLOW_REM, pad
        "0001 0015 80000a02 0800 80001401 11 80002002 010e 000000" + // match: OXM, length 21, three OXMs, 3 pad bytes
        "0004 0018 00000000" +                                      // APPLY_ACTIONS, length 24, pad
        "0000 0010 00000002 ffff 000000000000";                     // OUTPUT, length 16, port 2, max_len NO_BUFFER, pad

    // A UDP datagram to port 270 as a 42-byte frame: Ethernet (14), IPv4 (20), UDP (8), no payload.
    private const string Frame =
        "020000000002 020000000001 0800" +
        "4500001c 00004000 4011 0000 c6120001 c6120002" +
        "d431 010e 0008 0000";

    // PACKET_IN as ovs-vswitchd sends it on a table miss: buffer_id NO_BUFFER, total_len 42, reason NO_MATCH,
    // table 0, cookie 0, a match holding in_port=1 (4 + 8 = 12 bytes, padded to 16), 2 pad bytes, the frame.
    private const string PacketInVector =
        "04 0a 0054 00000000" +
        "ffffffff 002a 00 00 0000000000000000" +
        "0001 000c 80000004 00000001 00000000" +
        "0000" + Frame;

    [Test]
    public void Encode_Hello_IsVersion13WithVersionBitmap()
    {
        Assert.That(OpenFlowCodec.Encode(OpenFlowVersion.Hello(1)), Is.EqualTo(Hex.Bytes(HelloVector)));
    }

    [Test]
    public void Decode_Hello_ReadsVersionAndBitmap()
    {
        Assert.That(OpenFlowCodec.TryDecode(Hex.Bytes(HelloVector), out var message, out _), Is.True);
        Assert.That(message, Is.EqualTo(new HelloMessage(1, 4, 0x10)));
    }

    [Test]
    public void Decode_OpenFlow10Hello_HasNoBitmap()
    {
        Assert.That(OpenFlowCodec.TryDecode(Hex.Bytes("01 00 0008 0000002a"), out var message, out _), Is.True);
        Assert.That(message, Is.EqualTo(new HelloMessage(0x2a, 1, null)));
    }

    [Test]
    public void Decode_HelloWithUnknownElementAndUnpaddedBitmap_IgnoresTheUnknownElement()
    {
        var bytes = Hex.Bytes("04 00 001c 00000003  0063 0005 aa 000000  0001 000c 00000012 00000000");
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        Assert.That(message, Is.EqualTo(new HelloMessage(3, 4, 0x12)));
    }

    [Test]
    public void Encode_FlowModSteeringSignaling_MatchesTheSpecLayout()
    {
        var flowMod = new FlowModMessage(7, FlowModCommand.Add, new OpenFlowMatch([Oxm.EthType(0x0800), Oxm.IpProto(17), Oxm.UdpDst(270)]))
        {
            Cookie = 0x1122334455667788,
            Priority = 100,
            Flags = FlowModOptions.SendFlowRemoved,
            Instructions = [new ApplyActionsInstruction([new OutputAction(2)])],
        };
        Assert.That(Convert.ToHexString(OpenFlowCodec.Encode(flowMod)), Is.EqualTo(Convert.ToHexString(Hex.Bytes(FlowModVector))));
    }

    [Test]
    public void Decode_FlowModSteeringSignaling_ReadsEveryField()
    {
        Assert.That(OpenFlowCodec.TryDecode(Hex.Bytes(FlowModVector), out var message, out var error), Is.True, error.ToString());
        var flowMod = (FlowModMessage)message!;
        Assert.Multiple(() =>
        {
            Assert.That(flowMod.Xid, Is.EqualTo(7));
            Assert.That(flowMod.Command, Is.EqualTo(FlowModCommand.Add));
            Assert.That(flowMod.Cookie, Is.EqualTo(0x1122334455667788));
            Assert.That(flowMod.Priority, Is.EqualTo(100));
            Assert.That(flowMod.BufferId, Is.EqualTo(OpenFlowConstants.NoBuffer));
            Assert.That(flowMod.OutPort, Is.EqualTo(OpenFlowPort.Any));
            Assert.That(flowMod.Flags, Is.EqualTo(FlowModOptions.SendFlowRemoved));
            Assert.That(flowMod.Match.EthType, Is.EqualTo(0x0800));
            Assert.That(flowMod.Match.IpProto, Is.EqualTo(17));
            Assert.That(flowMod.Match.UdpDst, Is.EqualTo(270));
            Assert.That(flowMod.Match.InPort, Is.Null);
            Assert.That(flowMod.Instructions, Is.EqualTo(new ValueList<OpenFlowInstruction>([new ApplyActionsInstruction([new OutputAction(2)])])));
        });
    }

    [Test]
    public void Decode_PacketInFromOpenVSwitch_ReadsMatchPaddingAndFrame()
    {
        Assert.That(OpenFlowCodec.TryDecode(Hex.Bytes(PacketInVector), out var message, out var error), Is.True, error.ToString());
        var packetIn = (PacketInMessage)message!;
        Assert.Multiple(() =>
        {
            Assert.That(packetIn.BufferId, Is.EqualTo(OpenFlowConstants.NoBuffer));
            Assert.That(packetIn.TotalLength, Is.EqualTo(42));
            Assert.That(packetIn.Reason, Is.EqualTo(PacketInReason.NoMatch));
            Assert.That(packetIn.Match.InPort, Is.EqualTo(1));
            Assert.That(packetIn.Match.Fields, Has.Count.EqualTo(1));
            Assert.That(packetIn.Data.Span.ToArray(), Is.EqualTo(Hex.Bytes(Frame)));
        });
    }

    [Test]
    public void Encode_PacketIn_MatchesOpenVSwitchBytes()
    {
        var packetIn = new PacketInMessage(0, OpenFlowConstants.NoBuffer, 42, PacketInReason.NoMatch, 0, 0, new OpenFlowMatch([Oxm.InPort(1)]), Hex.Bytes(Frame));
        Assert.That(OpenFlowCodec.Encode(packetIn), Is.EqualTo(Hex.Bytes(PacketInVector)));
    }

    [Test]
    public void Encode_PacketOut_HasActionsLengthPaddingActionsAndFrame()
    {
        var packetOut = new PacketOutMessage(9, OpenFlowConstants.NoBuffer, 1, [new OutputAction(OpenFlowPort.Flood)], Hex.Bytes(Frame));
        var expected = Hex.Bytes(
            "04 0d 0052 00000009" +
            "ffffffff 00000001 0010 000000000000" +   // buffer_id, in_port, actions_len 16, pad
            "0000 0010 fffffffb ffff 000000000000" +  // OUTPUT to OFPP_FLOOD
            Frame);
        Assert.That(OpenFlowCodec.Encode(packetOut), Is.EqualTo(expected));
    }

    [Test]
    public void Encode_SetFieldAction_PadsTheOxmToEightBytes()
    {
        var packetOut = new PacketOutMessage(1, OpenFlowConstants.NoBuffer, OpenFlowPort.Controller,
            [new SetFieldAction(Oxm.EthDst(EthernetAddress.Parse("aa:bb:cc:dd:ee:ff"))), new OutputAction(3)]);
        var expected = Hex.Bytes(
            "04 0d 0038 00000001" +
            "ffffffff fffffffd 0020 000000000000" +
            "0019 0010 80000606 aabbccddeeff 0000" +  // SET_FIELD, length 16: OXM eth_dst (4 + 6), 2 pad bytes
            "0000 0010 00000003 ffff 000000000000");
        Assert.That(OpenFlowCodec.Encode(packetOut), Is.EqualTo(expected));
    }

    [Test]
    public void Encode_MaskedIpv4Prefix_SetsHasMaskAndDoublesTheLength()
    {
        var flowMod = new FlowModMessage(2, FlowModCommand.Delete, new OpenFlowMatch([Oxm.EthType(0x0800), Oxm.Ipv4Src(Ipv4Prefix.Parse("198.18.0.0/15")), Oxm.Ipv4Dst(Ipv4Address.Parse("198.18.0.2"))]))
        {
            TableId = OpenFlowConstants.AllTables,
            Priority = 0,
        };
        var expected = Hex.Bytes(
            "04 0e 0050 00000002" +
            "0000000000000000 0000000000000000" +
            "ff 03 0000 0000 0000" +
            "ffffffff ffffffff ffffffff 0000 0000" +
            "0001 001e 80000a02 0800 80001708 c6120000 fffe0000 80001804 c6120002 0000"); // 30 bytes, padded to 32
        Assert.That(Convert.ToHexString(OpenFlowCodec.Encode(flowMod)), Is.EqualTo(Convert.ToHexString(expected)));
    }

    [Test]
    public void Encode_GotoTableInstruction_IsEightBytes()
    {
        var flowMod = new FlowModMessage(1, FlowModCommand.Add, OpenFlowMatch.Any) { Priority = 0, Instructions = [new GotoTableInstruction(1)] };
        var expected = Hex.Bytes("04 0e 0040 00000001 0000000000000000 0000000000000000 00 00 0000 0000 0000 ffffffff ffffffff ffffffff 0000 0000 0001 0004 00000000 0001 0008 01 000000");
        Assert.That(OpenFlowCodec.Encode(flowMod), Is.EqualTo(expected));
    }

    [Test]
    public void Decode_FeaturesReplyFromOpenVSwitch_ReadsDatapathTablesAndCapabilities()
    {
        var bytes = Hex.Bytes("04 06 0020 00000002  0000aabbccddeeff 00000000 fe 00 0000 0000004f 00000000");
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        Assert.That(message, Is.EqualTo(new FeaturesReplyMessage(2, 0xaabbccddeeff, 0, 254, 0,
            SwitchCapabilities.FlowStats | SwitchCapabilities.TableStats | SwitchCapabilities.PortStats | SwitchCapabilities.GroupStats | SwitchCapabilities.QueueStats)));
    }

    [Test]
    public void Encode_SetConfig_IsFlagsAndMissSendLength()
    {
        Assert.That(OpenFlowCodec.Encode(new SetConfigMessage(4, FragmentHandling.Normal, OpenFlowConstants.ControllerNoBuffer)),
            Is.EqualTo(Hex.Bytes("04 09 000c 00000004 0000 ffff")));
    }

    [Test]
    public void Encode_EchoBarrierAndFeaturesRequest_AreHeaderOnlyOrHeaderAndData()
    {
        Assert.Multiple(() =>
        {
            Assert.That(OpenFlowCodec.Encode(new EchoRequestMessage(5, new byte[] { 1, 2 })), Is.EqualTo(Hex.Bytes("04 02 000a 00000005 0102")));
            Assert.That(OpenFlowCodec.Encode(new BarrierRequestMessage(6)), Is.EqualTo(Hex.Bytes("04 14 0008 00000006")));
            Assert.That(OpenFlowCodec.Encode(new FeaturesRequestMessage(7)), Is.EqualTo(Hex.Bytes("04 05 0008 00000007")));
        });
    }

    [Test]
    public void Decode_ErrorHelloFailed_NamesTypeAndCode()
    {
        var bytes = Hex.Bytes("04 01 0012 00000001 0000 0000 6e6f2031 2e33");
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out _), Is.True);
        var error = (ErrorMessage)message!;
        Assert.Multiple(() =>
        {
            Assert.That(error.ErrorType, Is.EqualTo(OpenFlowErrorType.HelloFailed));
            Assert.That(error.CodeName, Is.EqualTo(nameof(OpenFlowHelloFailedCode.Incompatible)));
            Assert.That(error.Data.Span.ToArray(), Is.EqualTo("no 1.3"u8.ToArray()));
        });
    }

    [Test]
    public void Decode_ErrorFlowModFailed_NamesTheCode()
    {
        Assert.That(OpenFlowCodec.TryDecode(Hex.Bytes("04 01 000c 00000009 0005 0001"), out var message, out _), Is.True);
        Assert.That(message!.ToString(), Is.EqualTo("ERROR FlowModFailed/TableFull xid=9"));
    }

    [Test]
    public void Decode_FlowRemoved_ReadsCountersAndMatch()
    {
        var bytes = Hex.Bytes(
            "04 0b 0040 00000000" +
            "00000000000000aa 0064 00 00 0000000a 00000005 001e 0000 0000000000000003 00000000000000fc" +
            "0001 000f 80000a02 0800 80001401 11 00"); // match: 4 + 6 + 5 = 15 bytes, padded to 16
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        Assert.That(message, Is.EqualTo(new FlowRemovedMessage(0, 0xaa, 100, FlowRemovedReason.IdleTimeout, 0, 10, 5, 30, 0, 3, 252,
            new OpenFlowMatch([Oxm.EthType(0x0800), Oxm.IpProto(17)]))));
    }

    [Test]
    public void Encode_FlowStatsRequest_HasTableOutPortGroupCookieAndMatch()
    {
        var request = new FlowStatsRequestMessage(3, OpenFlowMatch.Any) { Cookie = 0x10, CookieMask = 0xff };
        var expected = Hex.Bytes(
            "04 12 0038 00000003 0001 0000 00000000" +          // MULTIPART_REQUEST, OFPMP_FLOW, no flags, pad
            "ff 000000 ffffffff ffffffff 00000000" +             // table ALL, pad, out_port ANY, out_group ANY, pad
            "0000000000000010 00000000000000ff" +                // cookie, cookie_mask
            "0001 0004 00000000");                              // empty match, padded to 8
        Assert.That(OpenFlowCodec.Encode(request), Is.EqualTo(expected));
    }

    [Test]
    public void Encode_PortStatsRequest_IsPortAndPadding()
    {
        Assert.That(OpenFlowCodec.Encode(new PortStatsRequestMessage(4)), Is.EqualTo(Hex.Bytes("04 12 0018 00000004 0004 0000 00000000 ffffffff 00000000")));
    }

    // PORT_STATUS as Open vSwitch 3.1.0 sent it when the host end of veth port 2 went down (captured by
    // PortStatus_HostLinkDown_ComesAsModifyWithLinkDown): ofp_port_status (reason MODIFY, 7 pad bytes) around ofp_port
    // (port 2, 4 pad, hw_addr, 2 pad, name "p12efb02" NUL-padded to 16, config 0, state LINK_DOWN,
    // curr/advertised/supported/peer features: 10GB_FD | COPPER current, curr_speed 10 Gbit/s in kbit/s, max_speed 0).
    private const string PortStatusVector =
        "04 0c 0050 00000000" +
        "02 00000000000000" +
        "00000002 00000000 0afdb6eaa8c7 0000" +
        "70313265666230320000000000000000" +
        "00000000 00000001" +
        "00000840 00000000 00000000 00000000" +
        "00989680 00000000";

    [Test]
    public void Decode_PortStatusLinkDown_ReadsReasonAndPort()
    {
        Assert.That(OpenFlowCodec.TryDecode(Hex.Bytes(PortStatusVector), out var message, out var error), Is.True, error.ToString());
        var status = (PortStatusMessage)message!;
        Assert.That(status.Reason, Is.EqualTo(PortStatusReason.Modify));
        Assert.That(status.Port, Is.EqualTo(new PortDescription(
            2, EthernetAddress.Parse("0a:fd:b6:ea:a8:c7"), "p12efb02", PortConfig.None, PortState.LinkDown, 0x840, 0, 0, 0, 10_000_000, 0)));
        Assert.That(status.Port.IsUp, Is.False);
    }

    [Test]
    public void Encode_PortStatus_Is80BytesWith64BytePort()
    {
        var port = new PortDescription(2, EthernetAddress.Parse("0a:fd:b6:ea:a8:c7"), "p12efb02", PortConfig.None, PortState.LinkDown, 0x840, 0, 0, 0, 10_000_000, 0);
        var bytes = OpenFlowCodec.Encode(new PortStatusMessage(0, PortStatusReason.Modify, port));
        Assert.That(OpenFlowConstants.PortStatusLength, Is.EqualTo(80));
        Assert.That(OpenFlowConstants.PortLength, Is.EqualTo(64));
        Assert.That(bytes, Is.EqualTo(Hex.Bytes(PortStatusVector)));
        Assert.That(OpenFlowCodec.Encode(new PortDescriptionReplyMessage(1, [port])), Has.Length.EqualTo(16 + OpenFlowConstants.PortLength));
    }

    [TestCase(PortConfig.None, PortState.Live, true)]
    [TestCase(PortConfig.PortDown, PortState.Live, false)]
    [TestCase(PortConfig.None, PortState.LinkDown, false)]
    public void PortDescriptionIsUp_ConfigOrLinkDown_IsFalse(PortConfig config, PortState state, bool up) =>
        Assert.That(new PortDescription(1, default, "eth0", config, state, 0, 0, 0, 0, 0, 0).IsUp, Is.EqualTo(up));

    [Test]
    public void Encode_PortDescriptionRequest_IsMultipartThirteenWithoutBody() =>
        Assert.That(OpenFlowCodec.Encode(new PortDescriptionRequestMessage(5)), Is.EqualTo(Hex.Bytes("04 12 0010 00000005 000d 0000 00000000")));

    [Test]
    public void Encode_PortNameOf16Characters_Throws() =>
        Assert.That(
            () => OpenFlowCodec.Encode(new PortStatusMessage(0, PortStatusReason.Add, new PortDescription(1, default, "0123456789abcdef", 0, 0, 0, 0, 0, 0, 0, 0))),
            Throws.ArgumentException);

    [Test]
    public void Decode_PortStatsReply_Reads112ByteEntries()
    {
        var counters = string.Concat(Enumerable.Range(1, 12).Select(i => i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
        var bytes = Hex.Bytes("04 13 0080 00000004 0004 0000 00000000" + "00000002 00000000" + counters + "00000007 00000008");
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        var reply = (PortStatsReplyMessage)message!;
        Assert.That(reply.Ports, Is.EqualTo(new ValueList<PortStats>([new PortStats(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 7, 8)])));
    }

    [Test]
    public void Decode_FlowStatsReply_ReadsEntryWithMatchAndInstructions()
    {
        var bytes = Hex.Bytes(
            "04 13 0068 00000005 0001 0000 00000000" +
            "0058 00 00 0000000c 00000010 0064 0000 0000 0001 00000000" +     // length 80, table 0, duration, priority 100, flags
            "0000000000000001 0000000000000002 0000000000000080" +             // cookie, packets, bytes
            "0001 000a 80002002 010e 000000000000" +                           // match udp_dst=270 (10, padded 16)
            "0004 0018 00000000 0000 0010 00000002 ffff 000000000000");        // apply-actions output:2
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        var flow = ((FlowStatsReplyMessage)message!).Flows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(flow.DurationSeconds, Is.EqualTo(12));
            Assert.That(flow.Priority, Is.EqualTo(100));
            Assert.That(flow.Flags, Is.EqualTo(FlowModOptions.SendFlowRemoved));
            Assert.That(flow.PacketCount, Is.EqualTo(2));
            Assert.That(flow.ByteCount, Is.EqualTo(128));
            Assert.That(flow.Match.UdpDst, Is.EqualTo(270));
            Assert.That(flow.Instructions, Is.EqualTo(new ValueList<OpenFlowInstruction>([new ApplyActionsInstruction([new OutputAction(2)])])));
        });
    }
}
