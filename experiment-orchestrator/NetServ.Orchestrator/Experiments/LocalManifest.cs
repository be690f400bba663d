using System.Xml.Linq;
using NetServ.RSpec;
using NetServ.Testbed.Local;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The manifest a run keeps in its results folder: the rspec as the local testbed realised it, as a GENI
/// aggregate's manifest says what it made of a request (<c>type="manifest"</c>, the interfaces with the
/// addresses they got, those it chose and those it remapped among them), the choices named in a comment.
/// </summary>
internal static class LocalManifest
{
    private const string ManifestSchema = "http://www.geni.net/resources/rspec/3 http://www.geni.net/resources/rspec/3/manifest.xsd";

    public static string Write(LocalTestbed testbed)
    {
        ArgumentNullException.ThrowIfNull(testbed);
        var document = RSpecWriter.ToDocument(testbed.Request);
        var root = document.Root!;
        var xsi = XNamespace.Get("http://www.w3.org/2001/XMLSchema-instance");
        root.SetAttributeValue("type", "manifest");
        root.SetAttributeValue(xsi + "schemaLocation", ManifestSchema);
        var lines = Commands.ValidateCommand.AddressLines(testbed.AddressMap, testbed.AssignedAddresses).ToArray();
        root.AddBeforeSelf(new XComment(
            $" realised on the local testbed {testbed.Id}" + (lines.Length == 0 ? " with the request's own addresses " : $":\n  {string.Join("\n  ", lines)}\n")));
        return document.Declaration + "\n" + document.ToString() + "\n";
    }
}
