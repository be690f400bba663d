using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace NetServ.Geni.Credentials;

/// <summary>The signature algorithm of credentials a <see cref="CredentialSigner"/> writes.</summary>
public enum CredentialSignatureAlgorithm
{
    /// <summary>RSA-SHA1 with SHA-1 digests: what GENI tools (xmlsec1 with their template) write and every aggregate verifies.</summary>
    RsaSha1,

    /// <summary>RSA-SHA256 with SHA-256 digests.</summary>
    RsaSha256,
}

/// <summary>
/// The parts of XML-DSig (W3C XML Signature, 2002) that GENI credentials use: C14N 1.0 of an
/// element and its descendants (a same-document reference <c>#id</c>), the enveloped-signature
/// transform, SHA-1/SHA-256 digests and RSA PKCS#1 v1.5 signatures. <see cref="SignedXml"/> is not
/// used: it refuses what GENI tools write (an <c>xml:id</c> on <c>&lt;Signature&gt;</c>, an empty
/// <c>&lt;X509IssuerSerial/&gt;</c>).
/// </summary>
internal static class XmlDsig
{
    public const string Namespace = "http://www.w3.org/2000/09/xmldsig#";
    public const string C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    public const string C14NWithComments = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
    public const string EnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
    public const string RsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    public const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    public const string Sha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
    public const string Sha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    /// <summary>The hash of a DigestMethod or SignatureMethod algorithm, or <see langword="null"/> when it is not one of these.</summary>
    public static HashAlgorithmName? HashOf(string algorithm) => algorithm switch
    {
        Sha1 or RsaSha1 => HashAlgorithmName.SHA1,
        Sha256 or RsaSha256 => HashAlgorithmName.SHA256,
        _ => null,
    };

    public static (string Signature, string Digest) UrisOf(CredentialSignatureAlgorithm algorithm) => algorithm switch
    {
        CredentialSignatureAlgorithm.RsaSha256 => (RsaSha256, Sha256),
        _ => (RsaSha1, Sha1),
    };

    public static byte[] Hash(HashAlgorithmName hash, byte[] data)
#pragma warning disable CA5350 // GENI credentials are signed with SHA-1: verifying and writing them needs it.
        => hash == HashAlgorithmName.SHA1 ? SHA1.HashData(data) : SHA256.HashData(data);
#pragma warning restore CA5350

    /// <summary>
    /// Inclusive C14N 1.0 of <paramref name="apex"/> and its descendants without comments, less
    /// <paramref name="excluded"/> (the enveloped signature) when it is among them. As the
    /// recommendation has it for a document subset, the apex renders every namespace in scope and
    /// inherits the <c>xml:</c> attributes of its ancestors: the element is copied into a document
    /// of its own with those, and that document is canonicalized.
    /// </summary>
    public static byte[] Canonicalize(XmlElement apex, XmlElement? excluded = null)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        var copy = (XmlElement)document.ImportNode(apex, deep: true);
        document.AppendChild(copy);
        for (var ancestor = apex.ParentNode as XmlElement; ancestor is not null; ancestor = ancestor.ParentNode as XmlElement)
        {
            foreach (XmlAttribute attribute in ancestor.Attributes)
            {
                // The nearest declaration wins: one already on the copy is not replaced.
                if (attribute.NamespaceURI is XmlnsNamespace or CredentialReader.XmlNamespace
                    && copy.Attributes[attribute.LocalName, attribute.NamespaceURI] is null
                    && !(attribute.NamespaceURI == XmlnsNamespace && attribute.Value.Length == 0))
                {
                    copy.Attributes.Append((XmlAttribute)document.ImportNode(attribute, deep: true));
                }
            }
        }

        if (excluded is not null && Follow(copy, PathFrom(apex, excluded)) is { } removed)
        {
            removed.ParentNode!.RemoveChild(removed);
        }

        var transform = new XmlDsigC14NTransform(includeComments: false);
        transform.LoadInput(document);
        using var output = (Stream)transform.GetOutput(typeof(Stream));
        using var bytes = new MemoryStream();
        output.CopyTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>The child indices from <paramref name="apex"/> down to <paramref name="node"/>, or <see langword="null"/> when it is not below it.</summary>
    private static List<int>? PathFrom(XmlElement apex, XmlNode node)
    {
        var path = new List<int>();
        for (var current = node; current != apex; current = current.ParentNode!)
        {
            if (current.ParentNode is not { } parent)
            {
                return null;
            }

            var index = 0;
            for (var sibling = parent.FirstChild; sibling != current; sibling = sibling!.NextSibling)
            {
                index++;
            }

            path.Add(index);
        }

        path.Reverse();
        return path;
    }

    private static XmlNode? Follow(XmlNode root, List<int>? path)
    {
        if (path is null or [])
        {
            return null;
        }

        var node = root;
        foreach (var index in path)
        {
            node = node.ChildNodes[index]!;
        }

        return node;
    }
}
