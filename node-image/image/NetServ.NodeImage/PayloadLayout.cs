namespace NetServ.NodeImage;

/// <summary>
/// The payload's layout, in this one place: <c>netserv-image payload</c> publishes into it, and the
/// Docker image, the install tarball and the disk image (node-image/image/disk) take it from there.
/// On a node it is <see cref="InstallRoot"/>; in the build output it is
/// <c>artifacts/image/payload/opt/netserv/</c>. <see cref="BinDirectory"/> holds every program,
/// published self-contained for linux-x64 into one directory so that they share one copy of the .NET
/// runtime; <see cref="AppsDirectory"/> holds a launcher per application server;
/// <see cref="ModulesDirectory"/> the module packages.
/// </summary>
public static class PayloadLayout
{
    /// <summary>Where a node has the payload.</summary>
    public const string InstallRoot = "/opt/netserv";

    public const string BinDirectory = "bin";
    public const string ModulesDirectory = "modules";
    public const string AppsDirectory = "apps";

    /// <summary>
    /// The dotnet muxer alone (with the hostfxr of bin/): netservd starts each container as
    /// <c>dotnet netserv-container.dll</c> (Containers:Dotnet in netserv.json), and the muxer runs a
    /// self-contained program's dll from its own directory, so no .NET runtime is installed twice.
    /// </summary>
    public const string DotnetDirectory = "dotnet";

    /// <summary>The file naming the payload's version.</summary>
    public const string VersionFile = "VERSION";

    /// <summary>The file saying what the image has and lacks (Click).</summary>
    public const string FeaturesFile = "FEATURES";

    /// <summary>The runtime the programs are published for.</summary>
    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>The node's programs: project (from the repository root) and the program it makes.</summary>
    public static IReadOnlyList<(string Project, string Program)> NodePrograms { get; } =
    [
        ("node-image/NetServ.Node/NetServ.Node.csproj", "netservd"),
        ("node-image/NetServ.Container/NetServ.Container.csproj", "netserv-container"),
        ("node-image/NetServ.Cli/NetServ.Cli.csproj", "netserv"),
    ];

    /// <summary>The native sandbox launcher, published beside netserv-container.</summary>
    public const string SandboxProgram = "netserv-sandbox";

    /// <summary>The applications' server programs.</summary>
    public static IReadOnlyList<(string Project, string Program)> AppServers { get; } =
    [
        ("applications/KeepAlive/server/NetServ.Apps.KeepAlive.Server.csproj", "keepalive-server"),
        ("applications/MediaRelay/server/NetServ.Apps.MediaRelay.Server.csproj", "mediarelay-server"),
        ("applications/OverloadControl/server/NetServ.Apps.OverloadControl.Server.csproj", "overload-server"),
        ("applications/ActiveCDN/Provider/NetServ.Apps.ActiveCdn.Provider.csproj", "activecdn-provider"),
    ];

    /// <summary>The module packages a node serves (artifacts/modules/NAME.VERSION.nupkg); test modules stay out.</summary>
    public const string ModulePackagePattern = "NetServ.Apps.*.nupkg";

    /// <summary>
    /// Files of a self-contained publish that no node runs, left out of bin/ (about 5 MB): symbols and XML docs, the
    /// runtime's debugger support (a debugger's data access and debugging interface, and createdump, which needs the
    /// former) and its LTTng trace provider, which the runtime loads only when present. Nothing a program or a module
    /// loads: the framework's assemblies all stay, so a module may use any of them.
    /// </summary>
    public static bool IsLeftOut(string fileName) =>
        fileName.EndsWith(".pdb", StringComparison.Ordinal)
        || fileName.EndsWith(".xml", StringComparison.Ordinal)
        || fileName is "libmscordaccore.so" or "libmscordbi.so" or "createdump" or "libcoreclrtraceptprovider.so";

    /// <summary>The payload root in an image build output directory (artifacts/image).</summary>
    public static string In(string imageOutput) => Path.Combine(imageOutput, "payload", "opt", "netserv");

    /// <summary>What a complete payload must hold, relative to its root.</summary>
    public static IEnumerable<string> RequiredFiles() =>
        NodePrograms.Select(p => Path.Combine(BinDirectory, p.Program))
            .Append(Path.Combine(BinDirectory, SandboxProgram))
            .Concat(AppServers.Select(p => Path.Combine(BinDirectory, p.Program)))
            .Concat(AppServers.Select(p => Path.Combine(AppsDirectory, p.Program)))
            .Append(Path.Combine(DotnetDirectory, "dotnet"))
            .Append(VersionFile);

    /// <summary>The files a payload at <paramref name="root"/> lacks; empty when complete.</summary>
    public static IReadOnlyList<string> Missing(string root) =>
        [.. RequiredFiles().Where(file => !File.Exists(Path.Combine(root, file)))];

    /// <summary>The launcher of an application server in <see cref="AppsDirectory"/>.</summary>
    public static string AppLauncher(string program) =>
        $"#!/bin/sh\nexec {InstallRoot}/{BinDirectory}/{program} \"$@\"\n";
}
