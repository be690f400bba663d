using System.Xml.Linq;
using NetServ.RSpec;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The manifest a run keeps in its results folder: the rspec as the local or Docker testbed realised it, as a GENI
/// aggregate's manifest says what it made of a request (<c>type="manifest"</c>, the interfaces with the
/// addresses they got, those it chose and those it remapped among them), the choices named in a comment.
/// </summary>
internal static class LocalManifest
{
    private const string ManifestSchema = "http://www.geni.net/resources/rspec/3 http://www.geni.net/resources/rspec/3/manifest.xsd";

    /// <summary><paramref name="request"/> as realised on <paramref name="realisedOn"/> ("the local testbed 3f2a"), its chosen and remapped addresses in <paramref name="addressLines"/>.</summary>
    public static string Write(RequestRSpec request, string realisedOn, IReadOnlyList<string> addressLines)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(addressLines);
        var document = RSpecWriter.ToDocument(request);
        var root = document.Root!;
        var xsi = XNamespace.Get("http://www.w3.org/2001/XMLSchema-instance");
        root.SetAttributeValue("type", "manifest");
        root.SetAttributeValue(xsi + "schemaLocation", ManifestSchema);
        root.AddBeforeSelf(new XComment(
            $" realised on {realisedOn}" + (addressLines.Count == 0 ? " with the request's own addresses " : $":\n  {string.Join("\n  ", addressLines)}\n")));
        return document.Declaration + "\n" + document.ToString() + "\n";
    }
}
