using System.Globalization;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using NetServ.Sdk;
using NetServ.Sdk.Packaging;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The ports a module listens on, as its package declares them: assembly metadata
/// <c>NetServ.Ports</c> (an <c>AssemblyMetadata</c> item in the module's project) names the
/// properties that hold ports, with the module's defaults, separated by <c>;</c>:
/// <c>control-port=7070;port-min..port-max=30000..30099</c>. A value of 0 is no port.
/// <c>netserv-lab run</c> allows the user these ports on the nodes unless <c>--allow-ports</c> says otherwise.
/// </summary>
internal static class ModulePorts
{
    /// <summary>The key of the assembly metadata that declares the ports.</summary>
    public const string MetadataKey = "NetServ.Ports";

    /// <summary>The most ports one range may span: the node's configuration lists each port.</summary>
    public const int MaxRange = 4096;

    /// <summary>The ports <paramref name="declaration"/> asks for with <paramref name="properties"/> given to the module.</summary>
    /// <exception cref="FormatException">The declaration, or a property it names, is not a port.</exception>
    public static IReadOnlyList<int> Resolve(string declaration, ModuleProperties properties)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(properties);
        var ports = new SortedSet<int>();
        foreach (var claim in declaration.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = claim.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                throw new FormatException($"port declaration '{claim}' is not PROPERTY=DEFAULT or MIN..MAX=LOW..HIGH");
            }

            var names = parts[0].Split("..", StringSplitOptions.TrimEntries);
            var defaults = parts[1].Split("..", StringSplitOptions.TrimEntries);
            if (names.Length != defaults.Length || names.Length > 2 || names.Any(n => n.Length == 0))
            {
                throw new FormatException($"port declaration '{claim}' is not PROPERTY=DEFAULT or MIN..MAX=LOW..HIGH");
            }

            var values = names.Select((name, i) => Port(name, properties.TryGetValue(name, out var given) ? given : defaults[i])).ToArray();
            if (values[0] == 0)
            {
                continue;
            }

            var (low, high) = (values[0], values[^1]);
            if (high < low || high - low >= MaxRange)
            {
                throw new FormatException($"ports {low}..{high} ({claim}) are not a range of at most {MaxRange} ports");
            }

            for (var port = low; port <= high; port++)
            {
                ports.Add(port);
            }
        }

        return [.. ports];
    }

    /// <summary>The <c>NetServ.Ports</c> declaration of the module in the package at <paramref name="packagePath"/>, or null when it declares none.</summary>
    /// <exception cref="ModulePackageException">The package is not a module.</exception>
    public static string? ReadDeclaration(string packagePath)
    {
        var info = ModulePackage.Inspect(packagePath);
        using var archive = ZipFile.OpenRead(packagePath);
        var entry = archive.Entries.First(e => e.FullName.Equals($"lib/net10.0/{info.AssemblyFile}", StringComparison.OrdinalIgnoreCase));
        using var image = new MemoryStream();
        using (var source = entry.Open())
        {
            source.CopyTo(image);
        }

        image.Position = 0;
        using var pe = new PEReader(image);
        var reader = pe.GetMetadataReader();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference
                || reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent is not { Kind: HandleKind.TypeReference } parent
                || reader.GetTypeReference((TypeReferenceHandle)parent) is var type && (reader.GetString(type.Name) != "AssemblyMetadataAttribute" || reader.GetString(type.Namespace) != "System.Reflection"))
            {
                continue;
            }

            // AssemblyMetadataAttribute(string key, string? value): the prolog, then the two strings.
            var blob = reader.GetBlobReader(attribute.Value);
            if (blob.ReadUInt16() == 1 && blob.ReadSerializedString() == MetadataKey)
            {
                return blob.ReadSerializedString();
            }
        }

        return null;
    }

    private static int Port(string property, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new FormatException($"{property}={text} is not a port 0-65535");
}
