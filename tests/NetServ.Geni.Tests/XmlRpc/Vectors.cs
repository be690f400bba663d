namespace NetServ.Geni.Tests.XmlRpc;

/// <summary>Documents written by other implementations, verbatim.</summary>
internal static class Vectors
{
    // From the XML-RPC specification (http://xmlrpc.com/spec.md), its examples as printed there.
    public const string SpecRequest = """
        <?xml version="1.0"?>
        <methodCall>
        	<methodName>examples.getStateName</methodName>
        	<params>
        		<param>
        			<value><i4>41</i4></value>
        			</param>
        		</params>
        	</methodCall>
        """;

    public const string SpecResponse = """
        <?xml version="1.0"?>
        <methodResponse>
        	<params>
        		<param>
        			<value><string>South Dakota</string></value>
        			</param>
        		</params>
        	</methodResponse>
        """;

    public const string SpecFault = """
        <?xml version="1.0"?>
        <methodResponse>
        	<fault>
        		<value>
        			<struct>
        				<member>
        					<name>faultCode</name>
        					<value><int>4</int></value>
        					</member>
        				<member>
        					<name>faultString</name>
        					<value><string>Too many parameters.</string></value>
        					</member>
        				</struct>
        			</value>
        		</fault>
        	</methodResponse>
        """;

    public const string SpecStruct = """
        <struct>
        	<member>
        		<name>lowerBound</name>
        		<value><i4>18</i4></value>
        		</member>
        	<member>
        		<name>upperBound</name>
        		<value><i4>139</i4></value>
        		</member>
        	</struct>
        """;

    public const string SpecArray = """
        <array>
        	<data>
        		<value><i4>12</i4></value>
        		<value><string>Egypt</string></value>
        		<value><boolean>0</boolean></value>
        		<value><i4>-31</i4></value>
        		</data>
        	</array>
        """;

    // Python 3's xmlrpc.client.dumps((...), "ListResources", allow_none=True) with a str, an int,
    // None, True, a float, a dict, Binary(b"hello\0world") and datetime(2026, 12, 6, 10, 0, 0).
    public const string PythonCall = """
        <?xml version='1.0'?>
        <methodCall>
        <methodName>ListResources</methodName>
        <params>
        <param>
        <value><string>hello</string></value>
        </param>
        <param>
        <value><int>42</int></value>
        </param>
        <param>
        <value><nil/></value></param>
        <param>
        <value><boolean>1</boolean></value>
        </param>
        <param>
        <value><double>1.5</double></value>
        </param>
        <param>
        <value><struct>
        <member>
        <name>geni_rspec_version</name>
        <value><struct>
        <member>
        <name>type</name>
        <value><string>GENI</string></value>
        </member>
        <member>
        <name>version</name>
        <value><string>3</string></value>
        </member>
        </struct></value>
        </member>
        <member>
        <name>list</name>
        <value><array><data>
        <value><int>1</int></value>
        <value><string>two</string></value>
        </data></array></value>
        </member>
        </struct></value>
        </param>
        <param>
        <value><base64>
        aGVsbG8Ad29ybGQ=
        </base64></value>
        </param>
        <param>
        <value><dateTime.iso8601>20261206T10:00:00</dateTime.iso8601></value>
        </param>
        </params>
        </methodCall>

        """;

    // Python 3's xmlrpc.client.dumps(Fault(1, "<class 'Exception'>:boom")).
    public const string PythonFault = """
        <?xml version='1.0'?>
        <methodResponse>
        <fault>
        <value><struct>
        <member>
        <name>faultCode</name>
        <value><int>1</int></value>
        </member>
        <member>
        <name>faultString</name>
        <value><string>&lt;class 'Exception'&gt;:boom</string></value>
        </member>
        </struct></value>
        </fault>
        </methodResponse>

        """;

    // Python 3's dumps(({"code": {"geni_code": 0}, "value": "", "output": None},), methodresponse=True, allow_none=True):
    // an AM API v3 answer as a Python aggregate writes it.
    public const string PythonGeniResponse = """
        <?xml version='1.0'?>
        <methodResponse>
        <params>
        <param>
        <value><struct>
        <member>
        <name>code</name>
        <value><struct>
        <member>
        <name>geni_code</name>
        <value><int>0</int></value>
        </member>
        </struct></value>
        </member>
        <member>
        <name>value</name>
        <value><string></string></value>
        </member>
        <member>
        <name>output</name>
        <value><nil/></value></member>
        </struct></value>
        </param>
        </params>
        </methodResponse>

        """;

    // As Java (Apache XML-RPC, indenting) and Perl (Frontier::RPC, untyped strings) servers write
    // answers: strings without a type element, white space around type elements, an encoding
    // declaration, GENI's ISO times.
    public const string JavaPerlResponse = """
        <?xml version="1.0" encoding="UTF-8"?>
        <methodResponse>
          <params>
            <param>
              <value>
                <struct>
                  <member>
                    <name>geni_api</name>
                    <value>
                      <i4>3</i4>
                    </value>
                  </member>
                  <member>
                    <name>output</name>
                    <value>hello world</value>
                  </member>
                  <member>
                    <name>empty</name>
                    <value/>
                  </member>
                  <member>
                    <name>spaces</name>
                    <value>  </value>
                  </member>
                  <member>
                    <name>geni_expires</name>
                    <value><dateTime.iso8601>2026-12-06T10:00:00Z</dateTime.iso8601></value>
                  </member>
                  <member>
                    <name>cdata</name>
                    <value><![CDATA[<rspec/>]]></value>
                  </member>
                </struct>
              </value>
            </param>
          </params>
        </methodResponse>
        """;

    public static string Response(string valueContent)
        => $"<?xml version=\"1.0\"?><methodResponse><params><param><value>{valueContent}</value></param></params></methodResponse>";
}
