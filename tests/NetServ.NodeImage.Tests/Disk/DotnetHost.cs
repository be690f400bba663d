namespace NetServ.NodeImage.Tests.Disk;

/// <summary>
/// netservd starts each container as <c>DOTNET netserv-container.dll ...</c>. A self-contained payload has no dotnet
/// host, so the test payload gets one beside the programs: the SDK's muxer, finding the payload's own hostfxr through
/// host/fxr/&lt;version&gt;, so the containers run on the payload's runtime. The recipe's netserv.json names it
/// (Containers:Dotnet = /opt/netserv/dotnet/dotnet).
/// </summary>
internal static class DotnetHost
{
    public const string MuxerName = "dotnet";

    public static void AddTo(string bin, string dotnetRoot)
    {
        var fxr = Directory.GetDirectories(Path.Combine(dotnetRoot, "host", "fxr")).Select(directory => Path.GetFileName(directory))
            .OrderBy(name => Version.TryParse(name.Split('-')[0], out var version) ? version : new Version()).Last();
        var fxrDirectory = Path.Combine(bin, "host", "fxr", fxr);
        Directory.CreateDirectory(fxrDirectory);
        File.CreateSymbolicLink(Path.Combine(fxrDirectory, "libhostfxr.so"), "../../../libhostfxr.so");
        File.Copy(Path.Combine(dotnetRoot, MuxerName), Path.Combine(bin, MuxerName), overwrite: true);
    }
}
