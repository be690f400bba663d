namespace NetServ.Testbed.Local;

/// <summary>A request cannot be realised on the local testbed; nothing was created. <see cref="Problems"/> lists every reason.</summary>
public sealed class LocalTestbedException : Exception
{
    /// <summary>Creates the exception for <paramref name="problems"/>.</summary>
    public LocalTestbedException(IReadOnlyList<string> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception with no listed problem.</summary>
    public LocalTestbedException()
    {
        Problems = [];
    }

    /// <summary>Creates the exception for one problem.</summary>
    public LocalTestbedException(string message)
        : base(message)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception for one problem and its cause.</summary>
    public LocalTestbedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Why the request cannot be realised, one line each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Count == 1
            ? $"the request cannot be realised on the local testbed: {problems[0]}"
            : $"the request cannot be realised on the local testbed:{string.Concat(problems.Select(p => $"\n  - {p}"))}";
    }
}
