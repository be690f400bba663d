using FFMpegCore;

namespace NetServ.Apps.ActiveCdn;

/// <summary>
/// Writes a text on every frame of a video with ffmpeg's drawtext filter (the paper's demo put
/// the local weather of the node's city on the video it cached). The text sits in a box at the
/// top left, so the rest of the picture is untouched; audio is copied as it is.
/// </summary>
internal sealed class VideoWatermarker(string text, string ffmpegFolder, string fontFile) : IContentProcessor
{
    private static readonly string[] VideoExtensions = [".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".ts"];

    public string Text { get; } = text;

    public bool Applies(string key, string contentType)
    {
        if (contentType.StartsWith("video/", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var path = key.Split('?', 2)[0];
        return VideoExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
    }

    public async Task ProcessAsync(string key, string input, string output, CancellationToken cancellationToken)
    {
        var result = await FFMpegArguments
            .FromFileInput(input)
            .OutputToFile(output, overwrite: true, o => o
                .WithVideoFilters(f => f.DrawText(Text, d => d
                    .WithFontFile(fontFile)
                    .WithParameter("fontcolor", "white")
                    .WithParameter("fontsize", "24")
                    .WithParameter("box", "1")
                    .WithParameter("boxcolor", "black@0.6")
                    .WithParameter("x", "10")
                    .WithParameter("y", "10")))
                .WithCustomArgument("-c:a copy")
                .ForceFormat(ContainerFormatOf(key)))
            .CancellableThrough(cancellationToken)
            .ProcessAsynchronously(throwOnError: false, new FFOptions { BinaryFolder = ffmpegFolder, TemporaryFilesFolder = Path.GetDirectoryName(output)! }, cancellationToken)
            .ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Success)
        {
            throw new IOException($"ffmpeg exited with {result.ExitCode}: {(result.StandardError.Count > 0 ? result.StandardError[^1] : string.Empty)}");
        }
    }

    // The files in the cache have no extension of their own: the format follows the object's name.
    private static string ContainerFormatOf(string key) => Path.GetExtension(key.Split('?', 2)[0]).ToLowerInvariant() switch
    {
        ".webm" => "webm",
        ".mkv" => "matroska",
        ".mov" => "mov",
        ".avi" => "avi",
        ".ts" => "mpegts",
        _ => "mp4",
    };
}
