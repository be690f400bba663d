using System.CommandLine;
using NetServ.Traffic;
using Spectre.Console;

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

    /// <summary>The option's help text for a benchmark that can send with Click.</summary>
    public const string Description =
        "traffic generator of the measured trials: paced (the project's own, default), click (the Click modular router on the sender; an error naming the node where it has none) "
        + "or auto (Click where the sender has it, else paced, said on the console); NETSERV_CLICK names the click executable";

    /// <summary>The option, accepting only <see cref="Values"/>, with <paramref name="description"/> and <paramref name="defaultWord"/>.</summary>
    public static Option<string> Create(string description = Description, string defaultWord = "paced")
    {
        var option = new Option<string>(Name) { Description = description, DefaultValueFactory = _ => defaultWord };
        option.AcceptOnlyFromAmong([.. Values]);
        return option;
    }

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

    /// <summary>Says on <paramref name="console"/> which generator sends, and why where it is not the one asked for.</summary>
    public static void Announce(IAnsiConsole console, TrafficGeneratorUse use)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(use);
        console.MarkupLine($"{(use.Note is null ? string.Empty : "[yellow]")}traffic generator: {Markup.Escape(use.Describe())}{(use.Note is null ? string.Empty : "[/]")}");
    }

    /// <summary>Where Click is looked for: <c>NETSERV_CLICK</c>, or <c>click</c> on the node's PATH.</summary>
    public static ClickGeneratorOptions ClickOptions() => new() { Executable = ClickInstallation.ConfiguredExecutable };
}
