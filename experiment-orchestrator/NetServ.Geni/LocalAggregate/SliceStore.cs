using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NetServ.Geni.LocalAggregate;

/// <summary>
/// Keeps each slice in a JSON file of the state directory, named for a hash of its URN, written to
/// a temporary file and renamed over the old one so that a crash leaves the old or the new state,
/// never half of one.
/// </summary>
internal sealed class SliceStore(string directory)
{
    private const string Extension = ".slice.json";

    public IEnumerable<(string Path, SliceState? Slice, string? Problem)> LoadAll()
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(directory, "*" + Extension).Order(StringComparer.Ordinal))
        {
            SliceState? slice = null;
            string? problem = null;
            try
            {
                slice = JsonSerializer.Deserialize(File.ReadAllBytes(path), AggregateJsonContext.Default.SliceState);
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                problem = e.Message;
            }

            yield return (path, slice, problem ?? (slice is null ? "the file holds no slice" : null));
        }
    }

    public void Save(SliceState slice)
    {
        Directory.CreateDirectory(directory);
        var path = PathOf(slice.SliceUrn);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(slice, AggregateJsonContext.Default.SliceState));
        File.Move(temporary, path, overwrite: true);
    }

    public void Remove(string sliceUrn) => File.Delete(PathOf(sliceUrn));

    private string PathOf(string sliceUrn)
        => Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sliceUrn.ToUpperInvariant())))[..32] + Extension);
}
