namespace NetServ.NodeImage.Disk;

/// <summary><c>dd conv=notrunc,sparse</c>: a partition's image written into the disk at its offset, zero blocks skipped.</summary>
internal static class SparseCopy
{
    private const int BlockSize = 1 << 20;

    public static async Task IntoAsync(string source, string disk, long offset, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, BlockSize, useAsync: true);
        await using var output = new FileStream(disk, FileMode.Open, FileAccess.Write, FileShare.None, BlockSize, useAsync: true);
        if (offset + input.Length > output.Length)
        {
            throw new ArgumentException($"{source} ({input.Length} bytes) does not fit in {disk} at offset {offset}");
        }

        var buffer = new byte[BlockSize];
        long position = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                output.Position = offset + position;
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            position += read;
        }
    }
}
