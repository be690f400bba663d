using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using NetServ.Geni.Identity;

namespace NetServ.Geni.Credentials;

/// <summary>A credential read with its document, which verifying its signature needs.</summary>
internal sealed record ParsedCredential(GeniCredential Credential, XmlDocument Document, XmlElement Element);

/// <summary>
/// Reads <c>&lt;signed-credential&gt;</c> documents (the GENI credential schema,
/// <c>credential.xsd</c>): the one <c>&lt;credential&gt;</c> and its fields. Elements it does not know
/// are skipped (schemas and implementations add some); missing or repeated fields it needs are errors.
/// No I/O and no clock: text in, a credential or a <see cref="CredentialFormatException"/> out.
/// </summary>
internal static class CredentialReader
{
    internal const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";

    public static ParsedCredential Read(string xml, CredentialLimits? limits)
    {
        ArgumentNullException.ThrowIfNull(xml);
        limits ??= CredentialLimits.Default;
        if (xml.Length > limits.MaxDocumentLength)
        {
            throw new CredentialFormatException(CredentialFormatError.TooLarge, $"the document is {xml.Length} characters; at most {limits.MaxDocumentLength} are read");
        }

        var document = Load(xml, limits);
        var root = document.DocumentElement!;
        if (root.LocalName != "signed-credential" || root.NamespaceURI.Length != 0)
        {
            throw Unexpected($"the root element is <{root.Name}>, not <signed-credential>");
        }

        var element = Single(root, "credential", required: true)!;
        return new ParsedCredential(ReadCredential(xml, element, limits), document, element);
    }

    /// <summary>Parses with DTDs refused and nothing resolved; checks the depth with a first pass, so that a deep document costs no recursion later.</summary>
    private static XmlDocument Load(string xml, CredentialLimits limits)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = limits.MaxDocumentLength,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            using (var reader = XmlReader.Create(new StringReader(xml), settings))
            {
                while (reader.Read())
                {
                    if (reader.Depth > limits.MaxDepth)
                    {
                        var line = (IXmlLineInfo)reader;
                        throw new CredentialFormatException(CredentialFormatError.TooDeep, $"elements nest deeper than {limits.MaxDepth}", line.LineNumber, line.LinePosition);
                    }
                }
            }

            // Whitespace is kept: it is part of what the signature covers.
            var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            using (var reader = XmlReader.Create(new StringReader(xml), settings))
            {
                document.Load(reader);
            }

            return document;
        }
        catch (XmlException e)
        {
            throw new CredentialFormatException(CredentialFormatError.NotWellFormed, e.Message, e.LineNumber, e.LinePosition, e);
        }
    }

    private static GeniCredential ReadCredential(string xml, XmlElement element, CredentialLimits limits)
    {
        var id = element.GetAttribute("id", XmlNamespace);
        if (id.Length == 0)
        {
            throw Unexpected("<credential> has no xml:id, which its signature must reference");
        }

        var type = Text(element, "type", required: true)!;
        if (type != "privilege")
        {
            throw new CredentialFormatException(CredentialFormatError.Unsupported, $"a credential of type \"{type}\" (only privilege credentials, geni_sfa, are taken)");
        }

        if (Single(element, "parent", required: false) is not null)
        {
            throw new CredentialFormatException(CredentialFormatError.Unsupported, "a delegated credential (with a <parent>): ask the slice authority for a credential of your own");
        }

        var ownerGid = Gid(element, "owner_gid");
        var targetGid = Gid(element, "target_gid");
        var ownerUrn = Text(element, "owner_urn", required: false) ?? UrnOf(ownerGid, "owner");
        var targetUrn = Text(element, "target_urn", required: false) ?? UrnOf(targetGid, "target");
        var expiresText = Text(element, "expires", required: true)!;
        if (!DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expires))
        {
            throw new CredentialFormatException(CredentialFormatError.InvalidValue, $"<expires> \"{expiresText}\" is not a date and time (xs:dateTime, such as 2012-07-14T19:52:08Z)");
        }

        return new GeniCredential(
            xml,
            id,
            Text(element, "serial", required: false),
            ownerUrn,
            ownerGid,
            targetUrn,
            targetGid,
            Text(element, "uuid", required: false),
            expires,
            Privileges(Single(element, "privileges", required: true)!, limits));
    }

    private static List<CredentialPrivilege> Privileges(XmlElement privileges, CredentialLimits limits)
    {
        var list = new List<CredentialPrivilege>();
        foreach (var privilege in Children(privileges, "privilege"))
        {
            if (list.Count == limits.MaxPrivileges)
            {
                throw new CredentialFormatException(CredentialFormatError.TooLarge, $"more than {limits.MaxPrivileges} privileges");
            }

            var name = Text(privilege, "name", required: true)!;
            var canDelegate = Text(privilege, "can_delegate", required: false);
            list.Add(new CredentialPrivilege(name, canDelegate switch
            {
                null or "0" or "false" => false,
                "1" or "true" => true,
                _ => throw new CredentialFormatException(CredentialFormatError.InvalidValue, $"<can_delegate> \"{canDelegate}\" of privilege {name} is not an xs:boolean (true, false, 1 or 0)"),
            }));
        }

        return list;
    }

    /// <summary>A GID: the PEM of a certificate, possibly followed by its issuers' (SFA), or its bare base64 (ProtoGENI). The DER of the first; <see langword="null"/> when empty.</summary>
    private static byte[]? Gid(XmlElement credential, string name)
    {
        var text = Text(credential, name, required: false);
        if (text is null)
        {
            return null;
        }

        byte[] der;
        try
        {
            der = text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? PemBlock.ReadAll(text).FirstOrDefault(b => b.Label == "CERTIFICATE")?.Data
                  ?? throw new CredentialFormatException(CredentialFormatError.InvalidValue, $"<{name}> holds no certificate")
                : Convert.FromBase64String(text);
            X509CertificateLoader.LoadCertificate(der).Dispose();
        }
        catch (Exception e) when (e is IdentityException or FormatException or CryptographicException)
        {
            throw new CredentialFormatException(CredentialFormatError.InvalidValue, $"<{name}> is not a certificate: {e.Message}", 0, 0, e);
        }

        return der;
    }

    private static string UrnOf(byte[]? gid, string role)
    {
        if (gid is null)
        {
            throw Unexpected($"the credential names no {role}: it has neither <{role}_urn> nor <{role}_gid>");
        }

        using var certificate = X509CertificateLoader.LoadCertificate(gid);
        return GeniIdentity.PublicIdUrnOf(certificate)
               ?? throw Unexpected($"the credential has no <{role}_urn> and its <{role}_gid> names no URN");
    }

    /// <summary>The trimmed text of the one child <paramref name="name"/>; <see langword="null"/> when absent or empty and not <paramref name="required"/>.</summary>
    private static string? Text(XmlElement parent, string name, bool required)
    {
        var child = Single(parent, name, required);
        if (child is null)
        {
            return null;
        }

        if (child.ChildNodes.Cast<XmlNode>().Any(n => n is XmlElement))
        {
            throw Unexpected($"<{name}> holds elements; it holds text");
        }

        var text = child.InnerText.Trim();
        return text.Length > 0 ? text : required ? throw Unexpected($"<{name}> of <{parent.Name}> is empty") : null;
    }

    internal static XmlElement? Single(XmlElement parent, string name, bool required, string namespaceUri = "")
    {
        XmlElement? found = null;
        foreach (var child in Children(parent, name, namespaceUri))
        {
            if (found is not null)
            {
                throw Unexpected($"<{parent.Name}> has two <{name}>");
            }

            found = child;
        }

        return found is null && required ? throw Unexpected($"<{parent.Name}> has no <{name}>") : found;
    }

    internal static IEnumerable<XmlElement> Children(XmlElement parent, string name, string namespaceUri = "")
        => parent.ChildNodes.OfType<XmlElement>().Where(e => e.LocalName == name && e.NamespaceURI == namespaceUri);

    internal static CredentialFormatException Unexpected(string detail) => new(CredentialFormatError.UnexpectedContent, detail);
}
