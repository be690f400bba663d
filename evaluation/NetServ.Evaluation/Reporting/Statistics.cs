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
}
