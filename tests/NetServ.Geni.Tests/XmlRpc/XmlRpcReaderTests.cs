using System.Text;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.XmlRpc;

public sealed class XmlRpcReaderTests
{
    [Test]
    public void ReadMethodCall_SpecExample_GivesNameAndI4()
    {
        var call = XmlRpcReader.ReadMethodCall(Vectors.SpecRequest);

        Assert.That(call, Is.EqualTo(new XmlRpcMethodCall("examples.getStateName", [41])));
    }

    [Test]
    public void ReadMethodResponse_SpecExample_GivesString()
    {
        var response = XmlRpcReader.ReadMethodResponse(Vectors.SpecResponse);

        Assert.That(response, Is.EqualTo(new XmlRpcSuccess("South Dakota")));
    }

    [Test]
    public void ReadMethodResponse_SpecFault_GivesCodeAndString()
    {
        var response = XmlRpcReader.ReadMethodResponse(Vectors.SpecFault);

        Assert.That(response, Is.EqualTo(new XmlRpcFault(4, "Too many parameters.")));
    }

    [Test]
    public void ReadMethodResponse_SpecStruct_GivesMembers()
    {
        var value = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response(Vectors.SpecStruct))).Value.AsStruct();

        Assert.That(value, Is.EqualTo(new XmlRpcStruct { { "lowerBound", 18 }, { "upperBound", 139 } }));
        Assert.That(value.Names, Is.EqualTo(new[] { "lowerBound", "upperBound" }));
    }

    [Test]
    public void ReadMethodResponse_SpecArray_GivesItemsInOrder()
    {
        var value = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response(Vectors.SpecArray))).Value;

        Assert.That(value, Is.EqualTo(new XmlRpcArray(12, "Egypt", false, -31)));
    }

    [TestCase("<i4>-12</i4>", "int -12")]
    [TestCase("<int>+7</int>", "int 7")]
    [TestCase("<boolean>1</boolean>", "boolean 1")]
    [TestCase("<string>hello world</string>", "string hello world")]
    [TestCase("<double>-12.214</double>", "double -12.214")]
    [TestCase("<base64>eW91IGNhbid0IHJlYWQgdGhpcyE=</base64>", "base64 eW91IGNhbid0IHJlYWQgdGhpcyE=")]
    [TestCase("<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>", "dateTime.iso8601 19980717T14:08:55")]
    [TestCase("<nil/>", "nil nil")]
    public void ReadMethodResponse_SpecScalars_GiveTheirTypes(string content, string expected)
    {
        var value = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response(content))).Value;

        Assert.That($"{value.TypeName} {value}", Is.EqualTo(expected));
    }

    [Test]
    public void ReadMethodResponse_SpecBase64_DecodesTheBytes()
    {
        var value = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response("<base64>eW91IGNhbid0IHJlYWQgdGhpcyE=</base64>"))).Value;

        Assert.That(Encoding.ASCII.GetString(value.AsBase64().Span), Is.EqualTo("you can't read this!"));
    }

    [Test]
    public void ReadMethodCall_PythonDocument_GivesEveryType()
    {
        var call = XmlRpcReader.ReadMethodCall(Vectors.PythonCall);

        XmlRpcValue[] expected =
        [
            "hello", 42, XmlRpcNil.Instance, true, 1.5,
            new XmlRpcStruct
            {
                { "geni_rspec_version", new XmlRpcStruct { { "type", "GENI" }, { "version", "3" } } },
                { "list", new XmlRpcArray(1, "two") },
            },
            Encoding.ASCII.GetBytes("hello\0world"),
            new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Unspecified),
        ];
        Assert.That(call, Is.EqualTo(new XmlRpcMethodCall("ListResources", expected)));
    }

    [Test]
    public void ReadMethodResponse_PythonFault_UnescapesTheString()
    {
        Assert.That(XmlRpcReader.ReadMethodResponse(Vectors.PythonFault), Is.EqualTo(new XmlRpcFault(1, "<class 'Exception'>:boom")));
    }

    [Test]
    public void ReadMethodResponse_PythonGeniAnswer_ReadsCodeValueAndNilOutput()
    {
        var answer = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.PythonGeniResponse)).Value.AsStruct();

        Assert.That(answer.GetStruct("code").GetInt("geni_code"), Is.Zero);
        Assert.That(answer.GetString("value"), Is.Empty);
        Assert.That(answer["output"].IsNil, Is.True);
        Assert.That(answer.GetStringOrNull("output"), Is.Null);
    }

    [Test]
    public void ReadMethodResponse_JavaPerlDocument_ReadsUntypedStringsAndIgnoresIndentation()
    {
        var answer = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Encoding.UTF8.GetBytes(Vectors.JavaPerlResponse))).Value.AsStruct();

        Assert.That(answer.GetInt("geni_api"), Is.EqualTo(3));
        Assert.That(answer.GetString("output"), Is.EqualTo("hello world"));
        Assert.That(answer.GetString("empty"), Is.Empty);
        Assert.That(answer.GetString("spaces"), Is.EqualTo("  "));
        Assert.That(answer.GetDateTime("geni_expires"), Is.EqualTo(new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc)));
        Assert.That(answer.GetDateTime("geni_expires").Kind, Is.EqualTo(DateTimeKind.Utc));
        Assert.That(answer.GetString("cdata"), Is.EqualTo("<rspec/>"));
    }

    [TestCase("19980717T14:08:55", 1998, 7, 17, 14, 8, 55, DateTimeKind.Unspecified)]
    [TestCase("1998-07-17T14:08:55", 1998, 7, 17, 14, 8, 55, DateTimeKind.Unspecified)]
    [TestCase("19980717T140855", 1998, 7, 17, 14, 8, 55, DateTimeKind.Unspecified)]
    [TestCase("2026-12-06T10:00:00Z", 2026, 12, 6, 10, 0, 0, DateTimeKind.Utc)]
    [TestCase("20261206T10:00:00Z", 2026, 12, 6, 10, 0, 0, DateTimeKind.Utc)]
    [TestCase("2026-12-06T12:00:00+02:00", 2026, 12, 6, 10, 0, 0, DateTimeKind.Utc)]
    [TestCase("2026-12-06T05:00:00-0500", 2026, 12, 6, 10, 0, 0, DateTimeKind.Utc)]
    [TestCase("2026-12-06T10:00:00.250Z", 2026, 12, 6, 10, 0, 0, DateTimeKind.Utc)]
    [TestCase(" 20261206T10:00:00 ", 2026, 12, 6, 10, 0, 0, DateTimeKind.Unspecified)]
    public void ReadMethodResponse_DateTimeForms_GiveTheTime(string text, int year, int month, int day, int hour, int minute, int second, DateTimeKind kind)
    {
        var value = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response($"<dateTime.iso8601>{text}</dateTime.iso8601>"))).Value.AsDateTime();

        Assert.That(new DateTime(value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second, kind), Is.EqualTo(new DateTime(year, month, day, hour, minute, second, kind)));
        Assert.That(value.Kind, Is.EqualTo(kind));
    }

    [Test]
    public void ReadMethodCall_WithoutParams_GivesNoParameters()
    {
        var call = XmlRpcReader.ReadMethodCall("<methodCall><methodName>GetVersion</methodName></methodCall>");

        Assert.That(call, Is.EqualTo(new XmlRpcMethodCall("GetVersion", [])));
    }

    [Test]
    public void ReadMethodResponse_EmptyStructAndArray_AreEmpty()
    {
        var value = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response("<array><data/></array>"))).Value;
        var structure = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response("<struct></struct>"))).Value;

        Assert.That(value.AsArray(), Is.Empty);
        Assert.That(structure.AsStruct(), Is.Empty);
    }

    // Each malformed document, the error and where it is (line:column of the offending node).
    [TestCase("", XmlRpcFormatError.NotWellFormed, 0)]
    [TestCase("<methodResponse><params><param><value><i4>1</i4></value></param></params>", XmlRpcFormatError.NotWellFormed, 1)]
    [TestCase("<methodCall><params/></methodCall>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<?xml version=\"1.0\"?>\n<methodResponse>\n<params><param><value><int>x</int></value></param></params></methodResponse>", XmlRpcFormatError.InvalidValue, 3)]
    [TestCase("<methodResponse><params><param><value><int>2147483648</int></value></param></params></methodResponse>", XmlRpcFormatError.InvalidValue, 1)]
    [TestCase("<methodResponse><params><param><value><boolean>2</boolean></value></param></params></methodResponse>", XmlRpcFormatError.InvalidValue, 1)]
    [TestCase("<methodResponse><params><param><value><double>1,5</double></value></param></params></methodResponse>", XmlRpcFormatError.InvalidValue, 1)]
    [TestCase("<methodResponse><params><param><value><dateTime.iso8601>yesterday</dateTime.iso8601></value></param></params></methodResponse>", XmlRpcFormatError.InvalidValue, 1)]
    [TestCase("<methodResponse><params><param><value><base64>!!!</base64></value></param></params></methodResponse>", XmlRpcFormatError.InvalidValue, 1)]
    [TestCase("<methodResponse><params><param><value><i8>1</i8></value></param></params></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params><param><value>text<int>1</int></value></param></params></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params><param><value><int>1</int><int>2</int></value></param></params></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params><param><value><string><b/></string></value></param></params></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params><param><value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value></param></params></methodResponse>", XmlRpcFormatError.DuplicateMember, 1)]
    [TestCase("<methodResponse><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params><param><value><array><value>1</value></array></value></param></params></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params/></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><fault><value><string>no struct</string></value></fault></methodResponse>", XmlRpcFormatError.InvalidFault, 1)]
    [TestCase("<methodResponse><fault><value><struct><member><name>faultCode</name><value>4</value></member><member><name>faultString</name><value>x</value></member></struct></value></fault></methodResponse>", XmlRpcFormatError.InvalidFault, 1)]
    [TestCase("<methodCall><methodName>a</methodName></methodCall>", XmlRpcFormatError.UnexpectedContent, 1)]
    [TestCase("<methodResponse><params><param><value>1</value></param></params></methodResponse><extra/>", XmlRpcFormatError.NotWellFormed, 1)]
    [TestCase("<m:methodResponse xmlns:m=\"urn:x\"><params/></m:methodResponse>", XmlRpcFormatError.UnexpectedContent, 1)]
    public void ReadMethodResponse_Malformed_ThrowsFormatExceptionWithPosition(string document, XmlRpcFormatError error, int line)
    {
        var e = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodResponse(document))!;

        Assert.That(e.Error, Is.EqualTo(error), e.Message);
        Assert.That(e.Line, Is.EqualTo(line), e.Message);
        Assert.That(e.Column, line > 0 ? Is.Positive : Is.Zero, e.Message);
    }

    [Test]
    public void ReadMethodResponse_InvalidInt_SaysWhatAndWhere()
    {
        var e = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodResponse("<methodResponse>\n  <params><param><value><int>x</int></value></param></params></methodResponse>"))!;

        Assert.That(e.Message, Is.EqualTo("malformed XML-RPC at 2:26: <int>x</int> is not a 32-bit integer"));
    }

    [Test]
    public void ReadMethodCall_EmptyMethodName_IsInvalid()
    {
        var e = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodCall("<methodCall><methodName> </methodName></methodCall>"))!;

        Assert.That(e.Error, Is.EqualTo(XmlRpcFormatError.InvalidValue));
    }

    [Test]
    public void ReadMethodCall_Dtd_IsRefused()
    {
        const string document = """
            <?xml version="1.0"?>
            <!DOCTYPE methodCall [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <methodCall><methodName>&b;</methodName></methodCall>
            """;

        var e = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodCall(document))!;

        Assert.That(e.Error, Is.EqualTo(XmlRpcFormatError.NotWellFormed));
        Assert.That(e.Message, Does.Contain("DTD"));
    }

    [Test]
    public void ReadMethodCall_ExternalEntity_IsRefused()
    {
        const string document = "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><methodCall><methodName>&x;</methodName></methodCall>";

        var e = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodCall(Encoding.UTF8.GetBytes(document)))!;

        Assert.That(e.Message, Does.Contain("DTD").And.Not.Contain("root:"));
    }

    [Test]
    public void ReadMethodCall_LongerThanLimit_IsTooLarge()
    {
        var limits = new XmlRpcLimits { MaxDocumentLength = 100 };
        var document = $"<methodCall><methodName>{new string('a', 100)}</methodName></methodCall>";

        var text = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodCall(document, limits))!;
        var bytes = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodCall(Encoding.UTF8.GetBytes(document), limits))!;

        Assert.That(text.Error, Is.EqualTo(XmlRpcFormatError.TooLarge));
        Assert.That(bytes.Error, Is.EqualTo(XmlRpcFormatError.TooLarge));
    }

    [Test]
    public void ReadMethodResponse_NestedBeyondDepth_IsTooDeep()
    {
        var document = Vectors.Response(Nested(1000));

        var e = Assert.Throws<XmlRpcFormatException>(() => XmlRpcReader.ReadMethodResponse(document))!;

        Assert.That(e.Error, Is.EqualTo(XmlRpcFormatError.TooDeep));
        Assert.That(e.Line, Is.EqualTo(1));
    }

    [Test]
    public void ReadMethodResponse_NestedWithinDepth_IsRead()
    {
        var value = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(Vectors.Response(Nested(20)))).Value;

        var depth = 0;
        while (value is XmlRpcArray array)
        {
            value = array.Items[0];
            depth++;
        }

        Assert.That(depth, Is.EqualTo(20));
    }

    private static string Nested(int depth)
        => string.Concat(Enumerable.Repeat("<array><data><value>", depth)) + "<int>1</int>" + string.Concat(Enumerable.Repeat("</value></data></array>", depth));
}
