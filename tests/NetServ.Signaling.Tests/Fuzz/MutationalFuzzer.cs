using System.Buffers.Binary;
using System.Diagnostics;

namespace NetServ.Signaling.Tests.Fuzz;

/// <summary>
/// A small coverage-free mutational fuzzer: it starts from a corpus of valid inputs, applies stacked random
/// mutations (bit flips, byte changes, inserts, deletes, tweaks of 16-bit length fields, dictionary tokens,
/// splices of two inputs), and feeds each result to a target until a time limit. Inputs the target accepts
/// without complaint and that <paramref name="isInteresting"/> calls valid join the corpus, a crude stand-in
/// for coverage feedback that keeps mutants near the valid grammar.
/// </summary>
internal sealed class MutationalFuzzer(FuzzTarget target, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> dictionary, Func<byte[], bool> isInteresting, int randomSeed)
{
    private const int MaxCorpus = 4096;
    private const int MaxInputLength = 1 << 16;

    private readonly Random _random = new(randomSeed);
    private readonly List<byte[]> _corpus = [.. seeds];
    private readonly HashSet<string> _known = [.. seeds.Select(Convert.ToBase64String)];

    public long Executions { get; private set; }

    public int CorpusSize => _corpus.Count;

    /// <summary>The first input that made the target throw, with what it threw; null if none did.</summary>
    public (byte[] Input, Exception Exception)? Finding { get; private set; }

    public void Run(TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        foreach (var seed in _corpus.ToArray())
        {
            if (!Execute(seed))
            {
                return;
            }
        }

        while (clock.Elapsed < duration)
        {
            // Check the clock only every so often: a stopwatch read costs as much as a small target run.
            for (var i = 0; i < 64; i++)
            {
                var input = Mutate(_corpus[_random.Next(_corpus.Count)]);
                if (!Execute(input))
                {
                    return;
                }

                if (_corpus.Count < MaxCorpus && isInteresting(input) && _known.Add(Convert.ToBase64String(input)))
                {
                    _corpus.Add(input);
                }
            }
        }
    }

    private bool Execute(byte[] input)
    {
        Executions++;
        try
        {
            target(input);
            return true;
        }
        catch (Exception e)
        {
            // The whole point: anything the target lets escape is a finding, whatever its type.
            Finding = (input, e);
            return false;
        }
    }

    private byte[] Mutate(byte[] original)
    {
        var bytes = new List<byte>(original);
        var count = 1 + _random.Next(4);
        for (var m = 0; m < count; m++)
        {
            switch (_random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    FlipBit(bytes);
                    break;
                case 1 when bytes.Count > 0:
                    bytes[_random.Next(bytes.Count)] = InterestingByte();
                    break;
                case 2 when bytes.Count < MaxInputLength:
                    bytes.Insert(_random.Next(bytes.Count + 1), (byte)_random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    var start = _random.Next(bytes.Count);
                    bytes.RemoveRange(start, Math.Min(bytes.Count - start, 1 + _random.Next(8)));
                    break;
                case 4 when bytes.Count >= 2:
                    TweakLengthField(bytes);
                    break;
                case 5 when dictionary.Count > 0 && bytes.Count < MaxInputLength:
                    bytes.InsertRange(_random.Next(bytes.Count + 1), dictionary[_random.Next(dictionary.Count)]);
                    break;
                case 6:
                    Splice(bytes);
                    break;
                case 7 when bytes.Count >= 4 && bytes.Count < MaxInputLength:
                    // Duplicate a word-aligned chunk: objects appear twice or out of order.
                    var from = _random.Next(bytes.Count / 4) * 4;
                    var length = Math.Min(bytes.Count - from, 4 * (1 + _random.Next(8)));
                    bytes.InsertRange(_random.Next(bytes.Count / 4 + 1) * 4, bytes.GetRange(from, length));
                    break;
                case 8 when bytes.Count > 0:
                    bytes.RemoveRange(_random.Next(bytes.Count), 1);
                    break;
            }
        }

        return [.. bytes];
    }

    private void FlipBit(List<byte> bytes)
    {
        var at = _random.Next(bytes.Count);
        bytes[at] ^= (byte)(1 << _random.Next(8));
    }

    private byte InterestingByte() => _random.Next(4) switch
    {
        0 => 0,
        1 => 0xFF,
        2 => (byte)(0x7F + _random.Next(2)),
        _ => (byte)_random.Next(256),
    };

    /// <summary>Adds a small delta to a big-endian 16-bit field: GIST's Message Length and object Length live in these.</summary>
    private void TweakLengthField(List<byte> bytes)
    {
        var at = _random.Next(bytes.Count - 1);
        Span<byte> field = [bytes[at], bytes[at + 1]];
        var value = BinaryPrimitives.ReadUInt16BigEndian(field);
        var delta = _random.Next(2) == 0 ? _random.Next(1, 5) : -_random.Next(1, 5);
        BinaryPrimitives.WriteUInt16BigEndian(field, (ushort)(value + delta));
        bytes[at] = field[0];
        bytes[at + 1] = field[1];
    }

    private void Splice(List<byte> bytes)
    {
        var other = _corpus[_random.Next(_corpus.Count)];
        var keep = _random.Next(bytes.Count + 1);
        var from = _random.Next(other.Length + 1);
        bytes.RemoveRange(keep, bytes.Count - keep);
        bytes.AddRange(other.AsSpan(from).ToArray());
        if (bytes.Count > MaxInputLength)
        {
            bytes.RemoveRange(MaxInputLength, bytes.Count - MaxInputLength);
        }
    }
}
