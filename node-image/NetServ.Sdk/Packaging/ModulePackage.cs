using System.Collections.Immutable;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace NetServ.Sdk.Packaging;

/// <summary>What a module package holds, read without loading its code.</summary>
/// <param name="PackageId">The package id (the first part of the module name).</param>
/// <param name="Version">The package version (the second part of the module name).</param>
/// <param name="AssemblyFile">The module assembly's file name under lib/net10.0.</param>
/// <param name="EntryType">The full name of the entry type its NetServModule attribute names.</param>
/// <param name="Files">Every assembly under lib/net10.0 (the module and its private dependencies).</param>
public sealed record ModulePackageInfo(string PackageId, string Version, string AssemblyFile, string EntryType, IReadOnlyList<string> Files)
{
    /// <summary>The module name, <c>&lt;package id&gt;_&lt;version&gt;</c>.</summary>
    public string ModuleName => $"{PackageId}_{Version}";
}

/// <summary>A package is not a module; the message says what is missing.</summary>
public sealed class ModulePackageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModulePackageException()
    {
    }

    /// <summary>Creates the exception with a message saying what is wrong with the package.</summary>
    public ModulePackageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ModulePackageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Reads a module package (a NuGet package made with <c>dotnet pack</c>) without loading any of
/// its code: the nuspec's id and version, the assembly under lib/net10.0, and the entry type
/// named by its <see cref="NetServModuleAttribute"/>, read from metadata. The node uses it to
/// refuse packages that are not modules before anything runs; module authors can use it to check
/// what they built.
/// </summary>
public static class ModulePackage
{
    private const string TargetFolder = "lib/net10.0/";
    private const int MaxEntries = 1000;
    private const long MaxExtractedBytes = 256L * 1024 * 1024;

    /// <summary>Reads what the package at <paramref name="packagePath"/> holds.</summary>
    /// <exception cref="ModulePackageException">The package is not a module; the message says why.</exception>
    public static ModulePackageInfo Inspect(string packagePath)
    {
        using var archive = Open(packagePath);
        if (archive.Entries.Count > MaxEntries)
        {
            throw new ModulePackageException($"not a module: the package has {archive.Entries.Count} entries (at most {MaxEntries})");
        }

        var nuspec = archive.Entries.FirstOrDefault(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase))
            ?? throw new ModulePackageException("not a module: the package has no .nuspec (is it a NuGet package made with dotnet pack?)");
        var (id, version) = ReadNuspec(nuspec);

        var libraries = archive.Entries.Where(IsLibrary).ToArray();
        if (libraries.Length == 0)
        {
            throw new ModulePackageException($"not a module: {id} {version} has no assembly under {TargetFolder} (modules target net10.0)");
        }

        var duplicate = libraries.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ModulePackageException($"not a module: the package holds {duplicate.Key} more than once under {TargetFolder}");
        }

        // The assembly named after the package is the module; any other DLLs are its private dependencies.
        var main = libraries.FirstOrDefault(e => string.Equals(Path.GetFileNameWithoutExtension(e.Name), id, StringComparison.OrdinalIgnoreCase))
            ?? (libraries.Length == 1 ? libraries[0] : throw new ModulePackageException($"not a module: none of the assemblies under {TargetFolder} is named {id}.dll"));
        var entryType = ReadEntryType(main);
        foreach (var entry in archive.Entries)
        {
            CheckEntryName(entry.FullName);
        }

        return new ModulePackageInfo(id, version, main.Name, entryType, libraries.Select(e => e.Name).ToArray());
    }

    /// <summary>Extracts the package's assemblies into <paramref name="destination"/> (created empty).</summary>
    /// <exception cref="ModulePackageException">The package expands beyond the limit.</exception>
    public static void Extract(string packagePath, ModulePackageInfo info, string destination)
    {
        ArgumentNullException.ThrowIfNull(info);
        using var archive = Open(packagePath);
        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        Directory.CreateDirectory(destination);
        long total = 0;
        foreach (var entry in archive.Entries)
        {
            // The same entries Inspect looked at: a file of the same name deeper down must not take their place.
            if (!IsLibrary(entry) || !info.Files.Contains(entry.Name))
            {
                continue;
            }

            total += entry.Length;
            if (total > MaxExtractedBytes)
            {
                throw new ModulePackageException($"not a module: the package expands to more than {MaxExtractedBytes} bytes");
            }

            entry.ExtractToFile(Path.Combine(destination, entry.Name), overwrite: false);
        }
    }

    /// <summary>An assembly directly under lib/net10.0: the module or one of its private dependencies.</summary>
    private static bool IsLibrary(ZipArchiveEntry entry) =>
        entry.FullName.StartsWith(TargetFolder, StringComparison.OrdinalIgnoreCase)
        && entry.FullName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
        && entry.FullName.Count(c => c == '/') == 2;

    private static ZipArchive Open(string packagePath)
    {
        try
        {
            return ZipFile.OpenRead(packagePath);
        }
        catch (InvalidDataException e)
        {
            throw new ModulePackageException("not a module: the package is not a NuGet package (not a zip archive)", e);
        }
    }

    private static (string Id, string Version) ReadNuspec(ZipArchiveEntry entry)
    {
        try
        {
            using var stream = entry.Open();
            var document = XDocument.Load(stream);
            var metadata = document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata");
            var id = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "id")?.Value.Trim();
            var version = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "version")?.Value.Trim();
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(version))
            {
                throw new ModulePackageException("not a module: the .nuspec has no id or version");
            }

            return (id, version);
        }
        catch (System.Xml.XmlException e)
        {
            throw new ModulePackageException($"not a module: the .nuspec is not XML: {e.Message}", e);
        }
    }

    private static string ReadEntryType(ZipArchiveEntry entry)
    {
        using var stream = new MemoryStream();
        using (var source = entry.Open())
        {
            source.CopyTo(stream);
        }

        stream.Position = 0;
        try
        {
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                throw new ModulePackageException($"not a module: {entry.Name} is not a .NET assembly");
            }

            var reader = pe.GetMetadataReader();
            foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
            {
                var attribute = reader.GetCustomAttribute(handle);
                if (!IsNetServModuleAttribute(reader, attribute))
                {
                    continue;
                }

                var value = attribute.DecodeValue(new TypeNameProvider());
                if (value.FixedArguments.Length == 1 && value.FixedArguments[0].Value is string typeName && typeName.Length > 0)
                {
                    // A serialised type name may be assembly-qualified; the entry type lives in the module assembly itself.
                    var comma = typeName.IndexOf(',', StringComparison.Ordinal);
                    return comma < 0 ? typeName : typeName[..comma].Trim();
                }
            }
        }
        catch (BadImageFormatException e)
        {
            throw new ModulePackageException($"not a module: {entry.Name} is not a .NET assembly: {e.Message}", e);
        }

        throw new ModulePackageException($"not a module: {entry.Name} has no [assembly: NetServModule(typeof(...))] naming its entry type");
    }

    private static bool IsNetServModuleAttribute(MetadataReader reader, CustomAttribute attribute)
    {
        EntityHandle type;
        switch (attribute.Constructor.Kind)
        {
            case HandleKind.MemberReference:
                type = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
                break;
            case HandleKind.MethodDefinition:
                type = reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
                break;
            default:
                return false;
        }

        return type.Kind switch
        {
            HandleKind.TypeReference => reader.GetTypeReference((TypeReferenceHandle)type) is var r
                && reader.GetString(r.Name) == "NetServModuleAttribute" && reader.GetString(r.Namespace) == "NetServ.Sdk",
            HandleKind.TypeDefinition => reader.GetTypeDefinition((TypeDefinitionHandle)type) is var d
                && reader.GetString(d.Name) == "NetServModuleAttribute" && reader.GetString(d.Namespace) == "NetServ.Sdk",
            _ => false,
        };
    }

    private static void CheckEntryName(string name)
    {
        if (name.StartsWith('/') || name.Split('/').Contains("..") || name.Contains('\\', StringComparison.Ordinal))
        {
            throw new ModulePackageException($"not a module: the package has an unsafe entry name '{name}'");
        }
    }

    /// <summary>Decodes attribute arguments with types as their names; that is all we need from them.</summary>
    private sealed class TypeNameProvider : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        // Full names: the decoder asks IsSystemType about the constructor's parameter type.
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var definition = reader.GetTypeDefinition(handle);
            return $"{reader.GetString(definition.Namespace)}.{reader.GetString(definition.Name)}";
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var reference = reader.GetTypeReference(handle);
            return $"{reader.GetString(reference.Namespace)}.{reader.GetString(reference.Name)}";
        }

        public string GetTypeFromSerializedName(string name) => name;

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
