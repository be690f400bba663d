using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

/// <summary>
/// The payload the disk's tests build the image from: $NETSERV_IMAGE_PAYLOAD, or the shared artifacts/image/payload
/// when ./lab image has made it, or else the node's programs published self-contained into artifacts/image/disk-test-payload
/// (once; delete the folder to publish again).
/// </summary>
internal static class DiskTestPayload
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The folder holding NetServ.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static async Task<string> EnsureAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("NETSERV_IMAGE_PAYLOAD") is { Length: > 0 } given)
        {
            return given;
        }

        var shared = Path.Combine(RepositoryRoot, "artifacts", "image", "payload");
        if (File.Exists(Path.Combine(shared, "opt", "netserv", "bin", "netservd")))
        {
            return shared;
        }

        var payload = Path.Combine(RepositoryRoot, "artifacts", "image", "disk-test-payload");
        var bin = Path.Combine(payload, "opt", "netserv", "bin");
        if (File.Exists(Path.Combine(bin, "netservd")) && File.Exists(Path.Combine(bin, "netserv")) && File.Exists(Path.Combine(payload, "opt", "netserv", "dotnet", DotnetHost.MuxerName)))
        {
            return payload;
        }

        if (Directory.Exists(payload))
        {
            Directory.Delete(payload, recursive: true);
        }

        foreach (var project in new[] { "node-image/NetServ.Node", "node-image/NetServ.Container", "node-image/NetServ.Cli" })
        {
            await ExternalTool.RunAsync("dotnet", ["publish", Path.Combine(RepositoryRoot, project), "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", bin, "--nologo", "-v", "q"], PublishTimeout, cancellationToken);
        }

        // Where the shared payload has it too (PayloadLayout.DotnetDirectory): the recipe's netserv.json names it.
        DotnetHost.AddTo(Path.Combine(Path.GetDirectoryName(bin)!, "dotnet"), SdkRoot());
        return payload;
    }

    /// <summary>The folder of the dotnet that builds this checkout (DOTNET_ROOT, or dotnet on the PATH with links followed).</summary>
    private static string SdkRoot()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, DotnetHost.MuxerName)))
        {
            return root;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, DotnetHost.MuxerName)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("no dotnet on the PATH");
        return Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath)!;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NetServ.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no NetServ.sln above {AppContext.BaseDirectory}");
    }
}
