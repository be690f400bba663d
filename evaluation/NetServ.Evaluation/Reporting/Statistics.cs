namespace NetServ.Evaluation;

/// <summary>The few statistics the results need.</summary>
internal static class Statistics
{
    /// <summary>The median (the mean of the middle two for an even count); NaN for none.</summary>
    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>
    /// The <paramref name="percent"/>th percentile, interpolating linearly between the two nearest
    /// values (so the 50th is the median, the 0th the minimum and the 100th the maximum); NaN for none.
    /// </summary>
    public static double Percentile(IEnumerable<double> values, double percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = percent / 100 * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((rank - below) * (sorted[above] - sorted[below]));
    }

    // t(0.975, df) for df = 1..30; beyond, the normal quantile is close enough (t(0.975, 30) = 2.042).
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>Student's t quantile at 0.975 for <paramref name="degreesOfFreedom"/> (1.96 beyond 30).</summary>
    public static double T975Quantile(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return degreesOfFreedom <= T975.Length ? T975[degreesOfFreedom - 1] : 1.96;
    }

    /// <summary>The 95 % t-interval of the mean of <paramref name="values"/>: mean ± t(0.975, n−1)·s/√n; null for fewer than two values.</summary>
    public static (double Low, double High)? TInterval95(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2)
        {
            return null;
        }

        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        var half = T975Quantile(values.Count - 1) * Math.Sqrt(variance / values.Count);
        return (mean - half, mean + half);
    }
}
