using System.Globalization;
using System.Text;
using System.Xml;

namespace NetServ.Geni.XmlRpc;

/// <summary>
/// Writes XML-RPC documents in UTF-8, as Python's xmlrpc.client reads them: every scalar in its
/// type element (strings in <c>&lt;string&gt;</c>), <c>&lt;int&gt;</c>, <c>&lt;nil/&gt;</c>.
/// No I/O: messages in, bytes out.
/// </summary>
public static class XmlRpcWriter
{
    /// <exception cref="ArgumentException">A string holds a character XML cannot carry (such as U+0000), or a double is not finite.</exception>
    public static byte[] WriteMethodCall(XmlRpcMethodCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return Write(xml =>
        {
            xml.WriteStartElement("methodCall");
            xml.WriteElementString("methodName", call.MethodName);
            WriteParams(xml, call.Parameters);
            xml.WriteEndElement();
        });
    }

    /// <exception cref="ArgumentException">A string holds a character XML cannot carry (such as U+0000), or a double is not finite.</exception>
    public static byte[] WriteMethodResponse(XmlRpcResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Write(xml =>
        {
            xml.WriteStartElement("methodResponse");
            switch (response)
            {
                case XmlRpcSuccess success:
                    WriteParams(xml, [success.Value]);
                    break;
                case XmlRpcFault fault:
                    xml.WriteStartElement("fault");
                    WriteValue(xml, new XmlRpcStruct { { "faultCode", fault.Code }, { "faultString", fault.Message } });
                    xml.WriteEndElement();
                    break;
                default:
                    throw new ArgumentException($"unknown response {response.GetType().Name}", nameof(response));
            }

            xml.WriteEndElement();
        });
    }

    private static byte[] Write(Action<XmlWriter> body)
    {
        var output = new MemoryStream();
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = false,
            CheckCharacters = true,
            // A carriage return is content: written as &#xD; it survives the reader's line-end normalisation.
            NewLineHandling = NewLineHandling.Entitize,
        };
        using (var xml = XmlWriter.Create(output, settings))
        {
            xml.WriteStartDocument();
            body(xml);
            xml.WriteEndDocument();
        }

        return output.ToArray();
    }

    private static void WriteParams(XmlWriter xml, IReadOnlyList<XmlRpcValue> parameters)
    {
        xml.WriteStartElement("params");
        foreach (var parameter in parameters)
        {
            xml.WriteStartElement("param");
            WriteValue(xml, parameter);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void WriteValue(XmlWriter xml, XmlRpcValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        xml.WriteStartElement("value");
        switch (value)
        {
            case XmlRpcInt i:
                xml.WriteElementString("int", i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case XmlRpcBoolean b:
                xml.WriteElementString("boolean", b.Value ? "1" : "0");
                break;
            case XmlRpcString s:
                xml.WriteElementString("string", s.Value);
                break;
            case XmlRpcDouble d:
                if (!double.IsFinite(d.Value))
                {
                    throw new ArgumentException($"XML-RPC has no double {d.Value}", nameof(value));
                }

                xml.WriteElementString("double", d.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case XmlRpcDateTime t:
                xml.WriteElementString("dateTime.iso8601", XmlRpcScalars.FormatDateTime(t.Value));
                break;
            case XmlRpcBase64 b:
                xml.WriteStartElement("base64");
                xml.WriteBase64(b.Value.ToArray(), 0, b.Value.Length);
                xml.WriteEndElement();
                break;
            case XmlRpcNil:
                xml.WriteStartElement("nil");
                xml.WriteEndElement();
                break;
            case XmlRpcArray a:
                xml.WriteStartElement("array");
                xml.WriteStartElement("data");
                foreach (var item in a.Items)
                {
                    WriteValue(xml, item);
                }

                xml.WriteEndElement();
                xml.WriteEndElement();
                break;
            case XmlRpcStruct s:
                xml.WriteStartElement("struct");
                foreach (var (name, member) in s)
                {
                    xml.WriteStartElement("member");
                    xml.WriteElementString("name", name);
                    WriteValue(xml, member);
                    xml.WriteEndElement();
                }

                xml.WriteEndElement();
                break;
            default:
                throw new ArgumentException($"unknown value {value.GetType().Name}", nameof(value));
        }

        xml.WriteEndElement();
    }
}
