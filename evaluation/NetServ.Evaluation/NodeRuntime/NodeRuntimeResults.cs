using System.Text.Json.Nodes;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Mlffr;
using NetServ.Traffic;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>The generator's own limits for one frame size, measured through plain forwarding at the start.</summary>
/// <param name="Size">Frame size on the wire.</param>
/// <param name="Unpaced">An unpaced run: the most the generator offers.</param>
/// <param name="UnpacedReceived">What arrived of it.</param>
/// <param name="PacedRate">The rate of the pacing check.</param>
/// <param name="Paced">The paced run.</param>
/// <param name="PacedReceived">What arrived of it.</param>
internal sealed record GeneratorCheck(int Size, GeneratorResult Unpaced, long UnpacedReceived, double PacedRate, GeneratorResult Paced, long PacedReceived)
{
    /// <summary>The high bound of the searches at this size.</summary>
    public double MaxRate => Math.Floor(Unpaced.OfferedRate / 1000) * 1000;

    public double UnpacedReceivedRate => UnpacedReceived / Unpaced.Elapsed.TotalSeconds;

    /// <summary>Rate measured at the receiver over the paced run.</summary>
    public double PacedReceivedRate => Paced.Offered > 1 ? PacedReceived / (Paced.Elapsed.TotalSeconds * Paced.Offered / (Paced.Offered - 1)) : 0;

    public double PacedOfferedError => (Paced.OfferedRate - PacedRate) / PacedRate;

    public double PacedReceivedError => (PacedReceivedRate - PacedRate) / PacedRate;

    /// <summary>One line for the console.</summary>
    public string Describe() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{Size} B: unpaced {Unpaced.OfferedRate / 1000:0.0} kpps offered ({Unpaced.Failed} refused), {UnpacedReceivedRate / 1000:0.0} kpps received; " +
        $"paced at {PacedRate / 1000:0} kpps: offered {Paced.OfferedRate / 1000:0.00} kpps ({PacedOfferedError:+0.00%;-0.00%}), received {PacedReceivedRate / 1000:0.00} kpps ({PacedReceivedError:+0.00%;-0.00%})");
}

/// <summary>One MLFFR search: configuration, size, repetition, and every trial.</summary>
/// <param name="Configuration">The configuration's key.</param>
/// <param name="Size">Frame size on the wire.</param>
/// <param name="Repetition">Which repetition, from 1.</param>
/// <param name="HighRate">The search's high bound (the generator's maximum).</param>
/// <param name="Result">The search.</param>
/// <param name="Duration">How long the search took, warm-up included.</param>
/// <param name="MachineBusyBefore">Busy fraction of all CPUs in the half second before the search, while the benchmark was idle: other work on the machine.</param>
internal sealed record SearchRecord(string Configuration, int Size, int Repetition, double HighRate, MlffrResult Result, TimeSpan Duration, double MachineBusyBefore)
{
    public double MlffrKpps => Result.Mlffr / 1000;

    /// <summary>How busy other work kept the CPUs before the searches, in percent (median and max), for results.json; null without searches.</summary>
    public static JsonObject? BusyBefore(IReadOnlyCollection<SearchRecord> searches)
    {
        ArgumentNullException.ThrowIfNull(searches);
        return searches.Count == 0 ? null : new JsonObject
        {
            ["median"] = Math.Round(Statistics.Median(searches.Select(s => s.MachineBusyBefore * 100))),
            ["max"] = Math.Round(searches.Max(s => s.MachineBusyBefore * 100)),
        };
    }
}

/// <summary>Everything one node-runtime run found, complete or not.</summary>
internal sealed class NodeRuntimeResults : RunRecord
{
    public required NodeRuntimeOptions Options { get; init; }

    public List<GeneratorCheck> GeneratorChecks { get; } = [];

    public List<SearchRecord> Searches { get; } = [];

    /// <summary>Titles of the configurations measured, by key.</summary>
    public Dictionary<string, string> ConfigurationTitles { get; } = [];

    /// <summary>What a configuration reported after its searches (container memory and counts), per repetition.</summary>
    public List<(string Configuration, int Repetition, JsonObject Description)> ConfigurationReports { get; } = [];

    public List<MemorySample> Memory { get; } = [];

    /// <summary>MLFFR of a configuration at a size over the repetitions: median, min, max (kpps), or null when not measured.</summary>
    public (double Median, double Min, double Max, int Count, bool AtGeneratorLimit)? Mlffr(string configuration, int size)
    {
        var values = Searches.Where(s => s.Configuration == configuration && s.Size == size).ToArray();
        if (values.Length == 0)
        {
            return null;
        }

        var kpps = values.Select(v => v.MlffrKpps).ToArray();
        return (Statistics.Median(kpps), kpps.Min(), kpps.Max(), kpps.Length, values.Any(v => v.Result.LimitedByGenerator));
    }

    /// <summary>The ratio of two configurations' median MLFFRs at a size, or null when one is missing or zero.</summary>
    public double? Ratio(string numerator, string denominator, int size) =>
        Mlffr(numerator, size) is { } n && Mlffr(denominator, size) is { } d && d.Median > 0 ? n.Median / d.Median : null;
}
