namespace NetServ.Testbed.Linux;

/// <summary>
/// Uploads and downloads for nodes that share this machine's file system (this machine, its namespaces):
/// copies of files here, with the checks and errors a remote node's session has.
/// </summary>
internal static class MachineFiles
{
    private const int BufferSize = 81920;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, replacing the file; its folder must exist.</summary>
    public static async Task WriteAsync(Stream content, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ThrowIfNotAbsolute(path);
        try
        {
            var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"cannot write {path}: {e.Message}", e);
        }
    }

    /// <summary>Copies the file <paramref name="path"/> into <paramref name="destination"/>.</summary>
    public static async Task ReadAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfNotAbsolute(path);
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferSize, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                await file.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"cannot read {path}: {e.Message}", e);
        }
    }

    // A remote node resolves a relative path against the session's home folder, this machine against the
    // orchestrator's: neither is what a caller means, so only absolute paths are taken.
    internal static void ThrowIfNotAbsolute(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"'{path}' is not an absolute path on the node", nameof(path));
        }
    }
}
