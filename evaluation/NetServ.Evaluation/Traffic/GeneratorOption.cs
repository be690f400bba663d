using NetServ.Testbed.Traffic;

namespace NetServ.Evaluation.Traffic;

/// <summary>
/// <c>--generator paced|click|auto</c>: which traffic generator sends. <c>auto</c> is Click where the
/// sending node has it, the paced generator otherwise. The Click executable is <c>click</c> on the
/// node's PATH, or the path in <c>NETSERV_CLICK</c>.
/// </summary>
internal static class GeneratorOption
{
    /// <summary>The option's name.</summary>
    public const string Name = "--generator";

    /// <summary>The words the option accepts.</summary>
    public static IReadOnlyList<string> Values => TrafficGenerators.ChoiceNames;

    /// <summary>The option's help text.</summary>
    public const string Description =
        "traffic generator: paced (the project's own, default), click (the Click modular router on the sender; an error naming the node where it has none) "
        + "or auto (Click where the sender has it, else paced); NETSERV_CLICK names the click executable";

    /// <summary>The choice <paramref name="text"/> names.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Values"/>.</exception>
    public static TrafficGeneratorChoice Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? TrafficGeneratorChoice.Paced : TrafficGenerators.ParseChoice(text);

    /// <summary>The word recorded in results for <paramref name="choice"/>.</summary>
    public static string Word(TrafficGeneratorChoice choice) => choice switch
    {
        TrafficGeneratorChoice.Paced => "paced",
        TrafficGeneratorChoice.Click => "click",
        _ => "auto",
    };

    /// <summary>Where Click is looked for: <c>NETSERV_CLICK</c>, or <c>click</c> on the node's PATH.</summary>
    public static ClickGeneratorOptions ClickOptions() => new()
    {
        Executable = Environment.GetEnvironmentVariable("NETSERV_CLICK") is { Length: > 0 } path ? path : ClickInstallation.DefaultExecutable,
    };
}
