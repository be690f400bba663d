// What a document holds beyond the model (other namespaces, attributes the model does not name), kept so that writing gives it back.
using System.Xml.Linq;

namespace NetServ.RSpec;

/// <summary>
/// The attributes and child elements of one RSpec element that the model does not describe: RSpec
/// v3 lets any element carry extensions, and aggregates copy them into the manifest, so they are
/// kept and written back. Namespace declarations are not kept (the writer declares what it needs,
/// with the prefixes the document used where it can), nor are comments; everything else is.
/// </summary>
/// <param name="Attributes">The unknown attributes, in document order.</param>
/// <param name="Elements">The unknown child elements, in document order.</param>
public sealed record RSpecExtensions(ValueList<AttributeExtension> Attributes, ValueList<ElementExtension> Elements)
{
    /// <summary>No extensions.</summary>
    public static RSpecExtensions None { get; } = new([], []);

    /// <summary>Whether there is nothing.</summary>
    public bool IsEmpty => Attributes.Count == 0 && Elements.Count == 0;
}

/// <summary>An attribute the model does not describe, by its full name.</summary>
/// <param name="Name">The attribute's name (with its namespace).</param>
/// <param name="Value">Its value.</param>
public sealed record AttributeExtension(XName Name, string Value)
{
    /// <summary>As <c>name="value"</c>.</summary>
    public override string ToString() => $"{Name.LocalName}=\"{Value}\"";
}

/// <summary>
/// An element the model does not describe, with everything inside it. Immutable: it holds its own
/// copy, and <see cref="ToElement"/> gives a fresh one. Two are equal when their content is (names,
/// attributes, text and children, namespace prefixes aside).
/// </summary>
public sealed class ElementExtension : IEquatable<ElementExtension>
{
    private readonly XElement _element;

    /// <summary>Keeps a copy of <paramref name="element"/>, without its namespace declarations, comments and line information.</summary>
    public ElementExtension(XElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        _element = Copy(element);
        var prefixes = new Dictionary<XNamespace, string>();
        foreach (var name in _element.DescendantsAndSelf().SelectMany(e => e.Attributes().Select(a => a.Name).Prepend(e.Name)))
        {
            if (name.Namespace != XNamespace.None && !prefixes.ContainsKey(name.Namespace) && element.GetPrefixOfNamespace(name.Namespace) is { Length: > 0 } prefix)
            {
                prefixes.Add(name.Namespace, prefix);
            }
        }

        Prefixes = prefixes;
    }

    /// <summary>The prefixes the document used for the namespaces in the element: a hint for the writer, not part of what the element means (nor of equality).</summary>
    public IReadOnlyDictionary<XNamespace, string> Prefixes { get; }

    /// <summary>The element's name (with its namespace).</summary>
    public XName Name => _element.Name;

    /// <summary>The name as the document wrote it: <c>emulab:vlan_tagging</c>, <c>location</c> for RSpec's own, <c>{namespace}name</c> without a prefix.</summary>
    public string DisplayName =>
        _element.Name.Namespace == RSpecNames.Namespace ? _element.Name.LocalName
        : Prefixes.TryGetValue(_element.Name.Namespace, out var prefix) ? $"{prefix}:{_element.Name.LocalName}"
        : _element.Name.ToString();

    /// <summary>A copy of the element, to be placed in a document.</summary>
    public XElement ToElement() => new(_element);

    /// <inheritdoc />
    public bool Equals(ElementExtension? other) => other is not null && XNode.DeepEquals(_element, other._element);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ElementExtension);

    /// <inheritdoc />
    public override int GetHashCode() => _element.Name.GetHashCode();

    /// <summary>The element as XML text on one line.</summary>
    public override string ToString() => _element.ToString(SaveOptions.DisableFormatting);

    // Prefixes are how a document spells a namespace, not what it means; the writer declares them once at the root.
    private static XElement Copy(XElement element) =>
        new(
            element.Name,
            element.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => new XAttribute(a.Name, a.Value)),
            element.Nodes().Select(CopyNode).Where(n => n is not null));

    private static XNode? CopyNode(XNode node) => node switch
    {
        XElement child => Copy(child),
        XCData cdata => new XCData(cdata.Value),
        XText text => new XText(text.Value),
        XProcessingInstruction instruction => new XProcessingInstruction(instruction.Target, instruction.Data),
        _ => null,
    };
}
