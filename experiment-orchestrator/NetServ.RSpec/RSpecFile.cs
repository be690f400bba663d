namespace NetServ.RSpec;

/// <summary>Reads and writes request documents as files (what the reader and writer leave to their callers).</summary>
public static class RSpecFile
{
    /// <summary>The request in the file at <paramref name="path"/>.</summary>
    /// <exception cref="RSpecFormatException">The file is not a valid request; the message says where (<c>path:line:column: why</c>).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static RequestRSpec Read(string path)
    {
        using var stream = File.OpenRead(path);
        return RSpecReader.TryRead(stream, out var request, out var error) ? request : throw new RSpecFormatException(path, error);
    }

    /// <summary>Writes <paramref name="request"/> to the file at <paramref name="path"/>, replacing it.</summary>
    public static void Write(string path, RequestRSpec request)
    {
        using var stream = File.Create(path);
        RSpecWriter.Write(request, stream);
    }
}
