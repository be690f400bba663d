using NetServ.Testbed.Linux;

namespace NetServ.Apps.ActiveCdn.Tests.EndToEnd;

/// <summary>Makes and decodes test videos with the ffmpeg command.</summary>
internal static class TestVideo
{
    public const int Width = 320;
    public const int Height = 240;

    /// <summary>Two seconds of ffmpeg's test pattern, H.264 in MP4.</summary>
    public static void Make(string path) =>
        CommandRunner.Run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc=duration=2:size={Width}x{Height}:rate=10", "-c:v", "libx264", "-pix_fmt", "yuv420p", path], TimeSpan.FromSeconds(60)).EnsureSuccess();

    /// <summary>Frame <paramref name="index"/> as 8-bit grey, row by row.</summary>
    public static byte[] Frame(string path, int index, string scratch)
    {
        var raw = Path.Combine(scratch, $"frame-{Guid.NewGuid():N}.gray");
        CommandRunner.Run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", path, "-vf", $"select=eq(n\\,{index})", "-vframes", "1", "-f", "rawvideo", "-pix_fmt", "gray", raw], TimeSpan.FromSeconds(60)).EnsureSuccess();
        var bytes = File.ReadAllBytes(raw);
        File.Delete(raw);
        Assert.That(bytes, Has.Length.EqualTo(Width * Height), "one grey frame");
        return bytes;
    }

    /// <summary>The mean absolute difference of two frames inside (or outside) the rectangle.</summary>
    public static double MeanDifference(byte[] a, byte[] b, (int X, int Y, int Width, int Height) box, bool inside)
    {
        long sum = 0;
        long count = 0;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var inBox = x >= box.X && x < box.X + box.Width && y >= box.Y && y < box.Y + box.Height;
                if (inBox == inside)
                {
                    sum += Math.Abs(a[(y * Width) + x] - b[(y * Width) + x]);
                    count++;
                }
            }
        }

        return (double)sum / count;
    }
}
