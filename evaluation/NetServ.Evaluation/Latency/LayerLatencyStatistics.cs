namespace NetServ.Evaluation.Latency;

/// <summary>One configuration's one-way latencies summed up, in microseconds (percentiles interpolated between the nearest samples).</summary>
/// <param name="Sent">Packets sent.</param>
/// <param name="Received">Packets that arrived, each with a latency.</param>
/// <param name="MinUs">The lowest latency.</param>
/// <param name="P10Us">The 10th percentile.</param>
/// <param name="MedianUs">The median.</param>
/// <param name="P90Us">The 90th percentile.</param>
/// <param name="P99Us">The 99th percentile.</param>
/// <param name="MaxUs">The highest latency.</param>
/// <param name="MeanUs">The mean.</param>
internal sealed record LayerLatencyStatistics(int Sent, int Received, double MinUs, double P10Us, double MedianUs, double P90Us, double P99Us, double MaxUs, double MeanUs)
{
    public int Lost => Sent - Received;

    /// <summary>The lost fraction of the packets sent (0..1).</summary>
    public double Loss => Sent > 0 ? Lost / (double)Sent : 0;

    /// <summary>The statistics of <paramref name="microseconds"/>, the latencies of the packets that arrived out of <paramref name="sent"/>; NaN where none arrived.</summary>
    public static LayerLatencyStatistics From(IReadOnlyCollection<double> microseconds, int sent)
    {
        ArgumentNullException.ThrowIfNull(microseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(sent, microseconds.Count, nameof(sent));
        return new LayerLatencyStatistics(
            sent,
            microseconds.Count,
            Statistics.Percentile(microseconds, 0),
            Statistics.Percentile(microseconds, 10),
            Statistics.Median(microseconds),
            Statistics.Percentile(microseconds, 90),
            Statistics.Percentile(microseconds, 99),
            Statistics.Percentile(microseconds, 100),
            microseconds.Count > 0 ? microseconds.Average() : double.NaN);
    }
}

/// <summary>A latency histogram on logarithmic bins, listing only bins that hold samples.</summary>
/// <param name="BinsPerDecade">Bins per factor of ten.</param>
/// <param name="Bins">The bins that hold samples, lowest first.</param>
/// <param name="NotPositive">Samples of zero or less (a clock that went backwards), which no bin holds.</param>
internal sealed record LatencyHistogram(int BinsPerDecade, IReadOnlyList<LatencyBin> Bins, int NotPositive)
{
    /// <summary>Bins the samples (microseconds): bin k holds [10^(k/b), 10^((k+1)/b)).</summary>
    public static LatencyHistogram From(IEnumerable<double> microseconds, int binsPerDecade)
    {
        ArgumentNullException.ThrowIfNull(microseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(binsPerDecade, 1);
        var counts = new SortedDictionary<int, int>();
        var notPositive = 0;
        foreach (var value in microseconds)
        {
            if (!(value > 0))
            {
                notPositive++;
                continue;
            }

            var bin = (int)Math.Floor(Math.Log10(value) * binsPerDecade);

            // Rounding in the logarithm can put a value just below its bin's lower edge.
            if (Edge(bin, binsPerDecade) > value)
            {
                bin--;
            }
            else if (Edge(bin + 1, binsPerDecade) <= value)
            {
                bin++;
            }

            counts[bin] = counts.GetValueOrDefault(bin) + 1;
        }

        return new LatencyHistogram(
            binsPerDecade,
            counts.Select(c => new LatencyBin(Edge(c.Key, binsPerDecade), Edge(c.Key + 1, binsPerDecade), c.Value)).ToArray(),
            notPositive);
    }

    private static double Edge(int bin, int binsPerDecade) => Math.Pow(10, bin / (double)binsPerDecade);
}

/// <summary>One histogram bin.</summary>
/// <param name="FromUs">Its lower edge in microseconds, inclusive.</param>
/// <param name="ToUs">Its upper edge, exclusive.</param>
/// <param name="Count">Samples in it.</param>
internal readonly record struct LatencyBin(double FromUs, double ToUs, int Count);
