using NetServ.Networking;

namespace NetServ.OpenFlow.Tests;

public sealed class OpenFlowCodecTests
{
    internal static IEnumerable<OpenFlowMessage> EveryMessage()
    {
        var match = new OpenFlowMatch([
            Oxm.InPort(3), Oxm.EthDst(EthernetAddress.Parse("02:00:00:00:00:02")), Oxm.EthSrc(EthernetAddress.Parse("02:00:00:00:00:01")),
            Oxm.EthType(0x0800), Oxm.Ipv4Src(Ipv4Prefix.Parse("198.18.0.0/16")), Oxm.Ipv4Dst(Ipv4Address.Parse("198.18.0.2")),
            Oxm.IpProto(6), Oxm.TcpSrc(1234), Oxm.TcpDst(80),
        ]);
        var udp = new OpenFlowMatch([Oxm.EthType(0x0800), Oxm.IpProto(17), Oxm.UdpSrc(5060), Oxm.UdpDst(270)]);
        var frame = new OpenFlowBytes(Enumerable.Range(0, 60).Select(i => (byte)i).ToArray());
        yield return OpenFlowVersion.Hello(1);
        yield return new HelloMessage(2, 1, null);
        yield return new ErrorMessage(3, OpenFlowErrorType.BadMatch, 3, frame);
        yield return new EchoRequestMessage(4, new byte[] { 9, 9 });
        yield return new EchoReplyMessage(5);
        yield return new FeaturesRequestMessage(6);
        yield return new FeaturesReplyMessage(7, 0x1234, 256, 254, 0, SwitchCapabilities.FlowStats | SwitchCapabilities.PortStats);
        yield return new SetConfigMessage(8, FragmentHandling.Drop, 128);
        yield return new PacketInMessage(9, 17, 60, PacketInReason.Action, 1, 0xabc, match, frame);
        yield return new PacketOutMessage(10, OpenFlowConstants.NoBuffer, OpenFlowPort.Controller,
            [new SetFieldAction(Oxm.Ipv4Dst(Ipv4Address.Parse("198.18.0.9"))), new OutputAction(OpenFlowPort.InPort, 128), new UnparsedAction(ActionType.DecNwTtl, new byte[4])], frame);
        yield return new FlowModMessage(11, FlowModCommand.ModifyStrict, udp)
        {
            Cookie = 1, CookieMask = ulong.MaxValue, TableId = 2, IdleTimeout = 30, HardTimeout = 300, Priority = 200, BufferId = 99,
            Flags = FlowModOptions.SendFlowRemoved | FlowModOptions.CheckOverlap,
            Instructions = [new ApplyActionsInstruction([new SetFieldAction(Oxm.UdpDst(9999)), new OutputAction(4)]), new WriteActionsInstruction([new OutputAction(5)]), new ClearActionsInstruction(), new GotoTableInstruction(3)],
        };
        yield return new FlowModMessage(12, FlowModCommand.Delete, OpenFlowMatch.Any) { TableId = OpenFlowConstants.AllTables, Cookie = 7, CookieMask = 0xff };
        yield return new FlowRemovedMessage(13, 5, 100, FlowRemovedReason.HardTimeout, 0, 300, 1, 0, 300, 10, 1000, udp);
        yield return new BarrierRequestMessage(14);
        yield return new BarrierReplyMessage(15);
        yield return new FlowStatsRequestMessage(16, udp) { TableId = 0, OutPort = 2 };
        yield return new PortStatsRequestMessage(17, 1);
        yield return new FlowStatsReplyMessage(18, [
            new FlowStats(0, 1, 2, 3, 4, 5, FlowModOptions.None, 6, 7, 8, udp, [new ApplyActionsInstruction([new OutputAction(1)])]),
            new FlowStats(1, 0, 0, 0, 0, 0, FlowModOptions.SendFlowRemoved, 0, 0, 0, OpenFlowMatch.Any, default),
        ], MultipartOptions.More);
        yield return new PortStatsReplyMessage(19, [new PortStats(1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14), new PortStats(OpenFlowPort.Local, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]);
        yield return new PortDescriptionRequestMessage(20);
        yield return new UnparsedMultipartReplyMessage(21, MultipartType.Description, MultipartOptions.None, new byte[16]);
        yield return new UnparsedMessage(22, OpenFlowMessageType.RoleReply, new byte[16]);
        var port = new PortDescription(3, EthernetAddress.Parse("02:00:00:00:00:03"), "p12343", PortConfig.PortDown, PortState.LinkDown, 0x840, 0, 0, 0, 10_000_000, 0);
        yield return new PortStatusMessage(23, PortStatusReason.Modify, port);
        yield return new PortDescriptionReplyMessage(24, [port, port with { PortNumber = OpenFlowPort.Local, Name = "br0", Config = PortConfig.None, State = PortState.Live }], MultipartOptions.More);
        yield return new UnparsedMultipartRequestMessage(25, MultipartType.Table, MultipartOptions.None, default);
    }

    [TestCaseSource(nameof(EveryMessage))]
    public void Decode_EncodedMessage_GivesTheSameMessage(OpenFlowMessage message)
    {
        var bytes = OpenFlowCodec.Encode(message);
        Assert.That(bytes, Has.Length.EqualTo(OpenFlowCodec.GetEncodedLength(message)));
        Assert.That(bytes.Length % 8 == 0 || message is EchoRequestMessage or ErrorMessage or PacketInMessage or PacketOutMessage or UnparsedMessage or HelloMessage or SetConfigMessage,
            "fixed structures are padded to 64 bits");
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var decoded, out var error), Is.True, error.ToString());
        Assert.That(decoded, Is.EqualTo(message));
    }

    [Test]
    public void TryEncode_ShortDestination_ReturnsFalse()
    {
        var message = new BarrierRequestMessage(1);
        Assert.That(OpenFlowCodec.TryEncode(message, new byte[7], out var written), Is.False);
        Assert.That(written, Is.Zero);
        Assert.That(OpenFlowCodec.TryEncode(message, new byte[8], out written), Is.True);
        Assert.That(written, Is.EqualTo(8));
    }

    [Test]
    public void Encode_IntoBufferWriter_AppendsTheMessage()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        OpenFlowCodec.Encode(new BarrierRequestMessage(1), output);
        OpenFlowCodec.Encode(new BarrierReplyMessage(2), output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(Hex.Bytes("04 14 0008 00000001 04 15 0008 00000002")));
    }

    [Test]
    public void Encode_MaskedSetField_Throws()
    {
        var message = new PacketOutMessage(1, OpenFlowConstants.NoBuffer, OpenFlowPort.Any, [new SetFieldAction(Oxm.Ipv4Dst(Ipv4Prefix.Parse("198.18.0.0/16")))]);
        Assert.That(() => OpenFlowCodec.Encode(message), Throws.ArgumentException);
    }

    [Test]
    public void Encode_MessageOver64KiB_Throws()
    {
        Assert.That(() => OpenFlowCodec.Encode(new EchoRequestMessage(1, new byte[ushort.MaxValue])), Throws.ArgumentException);
    }

    [TestCase("04 00 00", OpenFlowErrorKind.Truncated, TestName = "Decode_ShorterThanHeader_IsTruncated")]
    [TestCase("04 02 0004 00000001", OpenFlowErrorKind.BadMessageLength, TestName = "Decode_LengthBelowHeader_IsBadMessageLength")]
    [TestCase("04 02 000c 00000001 0102", OpenFlowErrorKind.BadMessageLength, TestName = "Decode_LengthBeyondInput_IsBadMessageLength")]
    [TestCase("04 1e 0008 00000001", OpenFlowErrorKind.UnknownMessageType, TestName = "Decode_TypeAfterMeterMod_IsUnknownMessageType")]
    [TestCase("01 0e 0008 00000001", OpenFlowErrorKind.BadVersion, TestName = "Decode_OpenFlow10FlowMod_IsBadVersion")]
    [TestCase("04 14 000c 00000001 00000000", OpenFlowErrorKind.BadMessageLength, TestName = "Decode_BarrierWithBody_IsBadMessageLength")]
    [TestCase("04 00 000c 00000001 0001 0010", OpenFlowErrorKind.BadLength, TestName = "Decode_HelloElementPastEnd_IsBadLength")]
    [TestCase("04 00 0010 00000001 0001 0006 0000 0000", OpenFlowErrorKind.BadLength, TestName = "Decode_HelloBitmapNotWholeWords_IsBadLength")]
    [TestCase("04 0a 0022 00000000 ffffffff 0000 00 00 0000000000000000 0000 0008 00000000 0000", OpenFlowErrorKind.BadMatch, TestName = "Decode_PacketInWithStandardMatch_IsBadMatch")]
    [TestCase("04 0a 0024 00000000 ffffffff 0000 00 00 0000000000000000 0001 0010 80000004 00000001", OpenFlowErrorKind.BadLength, TestName = "Decode_MatchLongerThanMessage_IsBadLength")]
    [TestCase("04 0a 0028 00000000 ffffffff 0000 00 00 0000000000000000 0001 000c 80000004 00000001 00000000", OpenFlowErrorKind.Truncated, TestName = "Decode_PacketInWithoutPadBeforeFrame_IsTruncated")]
    [TestCase("04 0a 002a 00000000 ffffffff 0000 00 00 0000000000000000 0001 000a 80001402 0011 000000000000 0000", OpenFlowErrorKind.BadMatch, TestName = "Decode_IpProtoOfTwoBytes_IsBadMatch")]
    [TestCase("04 0a 002a 00000000 ffffffff 0000 00 00 0000000000000000 0001 000e 80001401 11 80001401 11 0000 0000", OpenFlowErrorKind.BadMatch, TestName = "Decode_DuplicateOxm_IsBadMatch")]
    [TestCase("04 0d 0020 00000001 ffffffff ffffffff 0010 000000000000 0000 0010 00000001", OpenFlowErrorKind.BadLength, TestName = "Decode_ActionsLenPastEnd_IsBadLength")]
    [TestCase("04 0d 0020 00000001 ffffffff ffffffff 0008 000000000000 0000 0008 00000001", OpenFlowErrorKind.BadAction, TestName = "Decode_OutputActionOfEightBytes_IsBadAction")]
    [TestCase("04 0d 0028 00000001 ffffffff ffffffff 0010 000000000000 0019 0010 80001710 c6120000 ffff0000", OpenFlowErrorKind.BadLength, TestName = "Decode_SetFieldOxmPastAction_IsBadLength")]
    [TestCase("04 0d 0028 00000001 ffffffff ffffffff 0010 000000000000 0019 0010 80001704 c6120000 00000000", OpenFlowErrorKind.BadMatch, TestName = "Decode_MaskedIpv4OfFourBytes_IsBadMatch")]
    [TestCase("04 0e 0038 00000001 0000000000000000 0000000000000000 00 07 0000 0000 0000 ffffffff ffffffff ffffffff 0000 0000 0001 0004 00000000", OpenFlowErrorKind.BadValue, TestName = "Decode_FlowModCommandSeven_IsBadValue")]
    [TestCase("04 0e 0040 00000001 0000000000000000 0000000000000000 00 00 0000 0000 0000 ffffffff ffffffff ffffffff 0000 0000 0001 0004 00000000 0001 000c 01000000", OpenFlowErrorKind.BadInstruction, TestName = "Decode_InstructionLengthNotMultipleOfEight_IsBadInstruction")]
    [TestCase("04 13 0018 00000001 0004 0000 00000000 00000001 00000000", OpenFlowErrorKind.BadLength, TestName = "Decode_PortStatsReplyOfPartialEntry_IsBadLength")]
    [TestCase("04 13 0018 00000001 0001 0000 00000000 0030 0000 00000000", OpenFlowErrorKind.Truncated, TestName = "Decode_FlowStatsEntryShorterThanFixedPart_IsTruncated")]
    [TestCase("04 0c 0048 00000001 02 00000000000000" + "00000003 00000000 020000000003 0000 70313233343300000000000000000000 00000000 00000001 00000000 00000000 00000000 00000000", OpenFlowErrorKind.Truncated, TestName = "Decode_PortStatusWithoutSpeeds_IsTruncated")]
    [TestCase("04 0c 0050 00000001 03 00000000000000" + "00000003 00000000 020000000003 0000 70313233343300000000000000000000 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000", OpenFlowErrorKind.BadValue, TestName = "Decode_PortStatusReasonThree_IsBadValue")]
    [TestCase("04 13 0018 00000001 000d 0000 00000000 00000003 00000000", OpenFlowErrorKind.BadLength, TestName = "Decode_PortDescriptionReplyOfPartialPort_IsBadLength")]
    [TestCase("04 12 0014 00000001 000d 0000 00000000 00000000", OpenFlowErrorKind.BadMessageLength, TestName = "Decode_PortDescriptionRequestWithBody_IsBadMessageLength")]
    public void Decode_MalformedInput_GivesTypedError(string hex, OpenFlowErrorKind kind)
    {
        Assert.That(OpenFlowCodec.TryDecode(Hex.Bytes(hex), out var message, out var error), Is.False);
        Assert.That(message, Is.Null);
        Assert.That(error.Kind, Is.EqualTo(kind), error.ToString());
        Assert.That(error.Reason, Is.Not.Empty);
    }

    [Test]
    public void Decode_MaskedSetField_IsBadAction()
    {
        var bytes = Hex.Bytes("04 0d 0028 00000001 ffffffff ffffffff 0010 000000000000 0019 0010 80001708 c6120000 ffff0000");
        Assert.That(OpenFlowCodec.TryDecode(bytes, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(OpenFlowErrorKind.BadAction), error.ToString());
    }

    [Test]
    public void Decode_NiciraOxmInPacketIn_IsKeptAsItCame()
    {
        // Open vSwitch adds NXM fields (class 0x0001) such as registers to a PACKET_IN's match when they are set.
        var bytes = Hex.Bytes("04 0a 0030 00000000 ffffffff 0000 00 00 0000000000000000 0001 0014 80000004 00000001 00010004 0000002a 00000000 0000 0000000000");
        bytes[3] = (byte)bytes.Length;
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        var packetIn = (PacketInMessage)message!;
        Assert.That(packetIn.Match.Fields[1], Is.EqualTo(new Oxm(OxmClass.Nxm1, 0, new byte[] { 0, 0, 0, 0x2a }, default)));
        Assert.That(OpenFlowCodec.Encode(packetIn), Is.EqualTo(bytes));
    }

    [Test]
    public void Decode_RoleReply_IsKeptUnparsed()
    {
        var bytes = new byte[8 + 16];
        Hex.Bytes("04 19 0018 00000000").CopyTo(bytes, 0);
        Assert.That(OpenFlowCodec.TryDecode(bytes, out var message, out _), Is.True);
        Assert.That(message, Is.TypeOf<UnparsedMessage>().With.Property(nameof(OpenFlowMessage.Type)).EqualTo(OpenFlowMessageType.RoleReply));
    }

    [Test]
    public void ToErrorCode_DecodingErrors_MapToTheSpecsErrorTypes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new OpenFlowError(OpenFlowErrorKind.BadMessageLength, "x").ToErrorCode(), Is.EqualTo((OpenFlowErrorType.BadRequest, (ushort)OpenFlowBadRequestCode.BadLength)));
            Assert.That(new OpenFlowError(OpenFlowErrorKind.UnknownMessageType, "x").ToErrorCode(), Is.EqualTo((OpenFlowErrorType.BadRequest, (ushort)OpenFlowBadRequestCode.BadType)));
            Assert.That(new OpenFlowError(OpenFlowErrorKind.IncompatibleVersion, "x").ToErrorCode(), Is.EqualTo((OpenFlowErrorType.HelloFailed, (ushort)OpenFlowHelloFailedCode.Incompatible)));
            Assert.That(default(OpenFlowError).ToErrorCode(), Is.Null);
        });
    }
}
