using System.Globalization;
using System.Text.Json;

namespace NetServ.NodeImage.Disk;

/// <summary>Reads what <c>qemu-img info --output=json</c> prints about an image.</summary>
internal static class QemuImageInfo
{
    /// <summary>"qcow2, 1234.5 MB as a disk": the format and virtual size, or what the JSON lacks.</summary>
    public static string Describe(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var format = root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            if (format is null || !root.TryGetProperty("virtual-size", out var size) || !size.TryGetInt64(out var bytes))
            {
                return "qemu-img info names no format or virtual size";
            }

            return string.Create(CultureInfo.InvariantCulture, $"{format}, {ImageCommands.Megabytes(bytes)} as a disk");
        }
        catch (JsonException)
        {
            return "qemu-img info printed no JSON";
        }
    }
}
