using System.Diagnostics;
using System.Text;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.XmlRpc;

public sealed class XmlRpcWriterTests
{
    private static readonly XmlRpcValue Everything = new XmlRpcStruct
    {
        { "int", int.MinValue },
        { "max", int.MaxValue },
        { "true", true },
        { "false", false },
        { "escaped", "<rspec> & \"quotes\" 'apostrophes' \r\n\ttabs, é, 日本, 🙂" },
        { "spaces", "  leading and trailing  " },
        { "empty", "" },
        { "double", -12.214 },
        { "tiny", double.Epsilon },
        { "huge", 1e300 },
        { "spec time", new DateTime(1998, 7, 17, 14, 8, 55, DateTimeKind.Unspecified) },
        { "utc time", new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc) },
        { "bytes", new byte[] { 0, 1, 2, 255, 254, 60, 38 } },
        { "no bytes", Array.Empty<byte>() },
        { "nil", XmlRpcNil.Instance },
        { "empty array", new XmlRpcArray() },
        { "empty struct", new XmlRpcStruct() },
        { "nested", new XmlRpcArray(new XmlRpcStruct { { "a", new XmlRpcArray(1, "two", XmlRpcNil.Instance) } }, 3.5) },
    };

    [Test]
    public void WriteThenRead_Call_GivesTheSameCall()
    {
        var call = new XmlRpcMethodCall("Allocate", ["urn:publicid:IDN+emulab.net+slice+s", new XmlRpcArray(), Everything]);

        Assert.That(XmlRpcReader.ReadMethodCall(XmlRpcWriter.WriteMethodCall(call)), Is.EqualTo(call));
    }

    [Test]
    public void WriteThenRead_Response_GivesTheSameValue()
    {
        var response = new XmlRpcSuccess(Everything);

        Assert.That(XmlRpcReader.ReadMethodResponse(XmlRpcWriter.WriteMethodResponse(response)), Is.EqualTo(response));
    }

    [Test]
    public void WriteThenRead_Fault_GivesTheSameFault()
    {
        var fault = new XmlRpcFault(XmlRpcFault.MethodNotFound, "no method <x> here");

        Assert.That(XmlRpcReader.ReadMethodResponse(XmlRpcWriter.WriteMethodResponse(fault)), Is.EqualTo(fault));
    }

    [Test]
    public void WriteThenRead_UtcTime_KeepsItsKind()
    {
        var time = new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc);

        var read = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(XmlRpcWriter.WriteMethodResponse(new XmlRpcSuccess(time)))).Value.AsDateTime();

        Assert.That(read.Kind, Is.EqualTo(DateTimeKind.Utc));
        Assert.That(read, Is.EqualTo(time));
    }

    [Test]
    public void WriteMethodCall_WritesTypesAsPythonReadsThem()
    {
        var text = Encoding.UTF8.GetString(XmlRpcWriter.WriteMethodCall(new XmlRpcMethodCall("GetVersion", [1, "a", XmlRpcNil.Instance, true, new DateTime(1998, 7, 17, 14, 8, 55)])));

        Assert.That(text, Does.StartWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><methodCall><methodName>GetVersion</methodName><params>"));
        Assert.That(text, Does.Contain("<value><int>1</int></value>"));
        Assert.That(text, Does.Contain("<value><string>a</string></value>"));
        Assert.That(text, Does.Contain("<value><nil /></value>"));
        Assert.That(text, Does.Contain("<value><boolean>1</boolean></value>"));
        Assert.That(text, Does.Contain("<value><dateTime.iso8601>19980717T14:08:55</dateTime.iso8601></value>"));
    }

    [Test]
    public void WriteMethodCall_CharacterXmlCannotCarry_Throws()
    {
        Assert.Throws<ArgumentException>(() => XmlRpcWriter.WriteMethodCall(new XmlRpcMethodCall("m", ["nul\0"])));
    }

    [Test]
    public void WriteMethodCall_NotFiniteDouble_Throws()
    {
        Assert.Throws<ArgumentException>(() => XmlRpcWriter.WriteMethodCall(new XmlRpcMethodCall("m", [double.NaN])));
    }

    // Random mutations and truncations of valid documents: the reader either reads them or says
    // they are malformed, never anything else, and never slowly.
    [Test]
    [CancelAfter(60_000)]
    public void Read_MutatedDocuments_GiveValuesOrFormatExceptionsOnly()
    {
        var seeds = new[]
        {
            Vectors.SpecRequest, Vectors.SpecResponse, Vectors.SpecFault, Vectors.PythonCall, Vectors.PythonFault,
            Vectors.PythonGeniResponse, Vectors.JavaPerlResponse, Vectors.Response(Vectors.SpecStruct), Vectors.Response(Vectors.SpecArray),
            Encoding.UTF8.GetString(XmlRpcWriter.WriteMethodResponse(new XmlRpcSuccess(Everything))),
        }.Select(Encoding.UTF8.GetBytes).ToArray();
        string[] fragments = ["<", ">", "/", "&", "&amp;", "&#0;", "<!DOCTYPE x>", "<![CDATA[", "]]>", "<value>", "</value>", "<struct>", "<member>", "<name>", "<array>", "<data>", "<nil/>", "\uFFFE", "\0", "é", "<?xml version='1.0' encoding='bogus'?>"];
        var random = new Random(12);
        var limits = new XmlRpcLimits { MaxDocumentLength = 1 << 20, MaxDepth = 32 };
        var watch = Stopwatch.StartNew();
        var read = 0;
        var refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var document = Mutate(seeds[random.Next(seeds.Length)], random, fragments);
            try
            {
                XmlRpcReader.ReadMethodResponse(document, limits);
                read++;
            }
            catch (XmlRpcFormatException)
            {
                refused++;
            }

            try
            {
                XmlRpcReader.ReadMethodCall(document, limits);
            }
            catch (XmlRpcFormatException)
            {
            }
        }

        Assert.That(refused, Is.Positive);
        Assert.That(read, Is.Positive, "some mutations leave a valid document");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(45)));
    }

    private static byte[] Mutate(byte[] seed, Random random, string[] fragments)
    {
        var bytes = new List<byte>(seed);
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 20), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(fragments[random.Next(fragments.Length)]));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    var length = Math.Min(random.Next(1, 40), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
            }
        }

        return [.. bytes];
    }
}
