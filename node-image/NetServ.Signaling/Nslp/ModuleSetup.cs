using System.Globalization;
using System.Security.Cryptography;
using NetServ.Sdk.Packaging;

namespace NetServ.Signaling.Nslp;

/// <summary>
/// A SETUP, typed: the module, its user, where to download it and its digest, and the paper's
/// optional headers as properties. <see cref="ToRequest"/> writes the request as it goes on the
/// wire; the CLI, the applications' servers, the testbed and the benchmarks all build their SETUPs here.
/// </summary>
public sealed record ModuleSetup(string Module, string User, Uri Url, string Digest)
{
    public string? FilterProtocol { get; init; }

    public int? FilterPort { get; init; }

    public string? FilterDestination { get; init; }

    public string? Properties { get; init; }

    public int? TtlSeconds { get; init; }

    public string? Dependencies { get; init; }

    public string? OwnershipPassword { get; init; }

    /// <summary>The request as it goes on the wire.</summary>
    public NslpRequest ToRequest()
    {
        var request = new NslpRequest(NslpMethod.Setup, Module);
        request.Headers.Add(NslpHeaderNames.User, User);
        request.Headers.Add(NslpHeaderNames.Url, Url.ToString());
        request.Headers.Add(NslpHeaderNames.ModuleDigest, Digest);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                request.Headers.Add(name, value);
            }
        }

        Add(NslpHeaderNames.FilterProto, FilterProtocol);
        Add(NslpHeaderNames.FilterPort, FilterPort?.ToString(CultureInfo.InvariantCulture));
        Add(NslpHeaderNames.FilterDst, FilterDestination);
        Add(NslpHeaderNames.Properties, Properties);
        Add(NslpHeaderNames.Ttl, TtlSeconds?.ToString(CultureInfo.InvariantCulture));
        Add(NslpHeaderNames.Dependencies, Dependencies);
        Add(NslpHeaderNames.OwnershipPassword, OwnershipPassword);
        return request;
    }

    /// <summary>A SETUP of the package at <paramref name="package"/> at the URL <paramref name="urlOf"/> gives for its file name.</summary>
    public static ModuleSetup ForPackage(string package, string user, Func<string, Uri> urlOf)
    {
        ArgumentNullException.ThrowIfNull(urlOf);
        var info = ModulePackage.Inspect(package);
        using var stream = File.OpenRead(package);
        var digest = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new ModuleSetup(info.ModuleName, user, urlOf(Path.GetFileName(package)), digest);
    }
}
