using System.Text;

namespace NetServ.Testbed.Linux;

/// <summary>Text kept up to a limit, written by one reader and read by another thread; a cut is marked at the end.</summary>
internal sealed class CapturedText(int limit)
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private bool _cut;

    /// <summary>Appends what fits of <paramref name="chunk"/>.</summary>
    public void Append(ReadOnlySpan<char> chunk)
    {
        lock (_lock)
        {
            var room = limit - _text.Length;
            _text.Append(chunk[..Math.Min(room, chunk.Length)]);
            _cut |= chunk.Length > room;
        }
    }

    /// <summary>Appends what <paramref name="reader"/> gives, as it comes, until it ends (or its stream is closed under it).</summary>
    public async Task AppendAllAsync(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                Append(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process was disposed while a child it left still held the pipe.
        }
    }

    /// <summary>The text, with <c>[cut at N characters]</c> on a line of its own when some was dropped.</summary>
    public override string ToString()
    {
        lock (_lock)
        {
            return _cut ? Marked(_text.ToString(), limit) : _text.ToString();
        }
    }

    /// <summary><paramref name="text"/> cut at <paramref name="maxLength"/> characters, the cut marked, or as it is when it fits.</summary>
    public static string Cut(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= maxLength ? text : Marked(text[..maxLength], maxLength);
    }

    private static string Marked(string kept, int cutAt) => $"{kept}\n[cut at {cutAt} characters]";
}
