using System.Text.Json.Nodes;
using NetServ.Traffic;

namespace NetServ.Evaluation.Traffic;

/// <summary>
/// The traffic generator that sent a benchmark's measured traffic, as its results record it
/// (<c>trafficGenerator</c> in results.json and summary.json, a line in summary.md): the driver,
/// Click's version where Click sent, what <c>--generator</c> asked, and why <c>auto</c> fell back to paced.
/// </summary>
/// <param name="Name"><c>paced</c>, <c>click</c>, or <c>none</c> for a run that sends no measured traffic.</param>
/// <param name="Version">Click's version (<c>click --version</c>) where Click sent.</param>
internal sealed record TrafficGeneratorUse(string Name, string? Version = null)
{
    /// <summary>The name recorded for a run that sends no measured traffic.</summary>
    public const string NoneName = "none";

    /// <summary>What <c>--generator</c> asked, where the run takes the option.</summary>
    public TrafficGeneratorChoice? Asked { get; init; }

    /// <summary>Why the generator is not the one asked for (auto without Click), or why there is none.</summary>
    public string? Note { get; init; }

    /// <summary>The paced generator, asked for by name.</summary>
    public static TrafficGeneratorUse Paced { get; } = new(PacedTrafficGenerator.DriverName) { Asked = TrafficGeneratorChoice.Paced };

    /// <summary>A run that sends no measured traffic, <paramref name="why"/>.</summary>
    public static TrafficGeneratorUse None(string why) => new(NoneName) { Note = why };

    /// <summary>Click <paramref name="version"/>, asked for with <paramref name="asked"/>.</summary>
    public static TrafficGeneratorUse Click(string version, TrafficGeneratorChoice asked) => new(ClickTrafficGenerator.DriverName, version) { Asked = asked };

    /// <summary>
    /// The generator of a benchmark that needs what Click cannot do (<paramref name="why"/>): paced, with a note
    /// when <paramref name="asked"/> was auto.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="asked"/> is Click: the message says why the benchmark cannot use it.</exception>
    public static TrafficGeneratorUse PacedBecause(TrafficGeneratorChoice asked, string why) => asked switch
    {
        TrafficGeneratorChoice.Paced => Paced,
        TrafficGeneratorChoice.Click => throw new ArgumentException($"{GeneratorOption.Name} click: {why}; use {GeneratorOption.Name} paced (auto falls back to it)"),
        _ => new TrafficGeneratorUse(PacedTrafficGenerator.DriverName) { Asked = asked, Note = why },
    };

    /// <summary>The generator <paramref name="asked"/> gives on a sender whose Click is <paramref name="installation"/>.</summary>
    /// <exception cref="ClickNotInstalledException">Click asked on a sender without it: the message names the node.</exception>
    public static TrafficGeneratorUse Resolve(TrafficGeneratorChoice asked, ClickInstallation installation)
    {
        ArgumentNullException.ThrowIfNull(installation);
        return TrafficGenerators.Resolve(asked, installation) == ClickTrafficGenerator.DriverName
            ? Click(installation.Version!, asked)
            : asked == TrafficGeneratorChoice.Paced ? Paced : new TrafficGeneratorUse(PacedTrafficGenerator.DriverName) { Asked = asked, Note = installation.NotInstalledMessage };
    }

    /// <summary>Whether Click sends.</summary>
    public bool IsClick => Name == ClickTrafficGenerator.DriverName;

    /// <summary>The name with Click's version: <c>paced</c>, <c>click 2.1</c>.</summary>
    public string Text => Version is null ? Name : $"{Name} {Version}";

    /// <summary>One line for the console and summary.md: the generator, what was asked, and why it differs.</summary>
    public string Describe() =>
        Text
        + (Asked is { } asked ? $" ({GeneratorOption.Name} {GeneratorOption.Word(asked)}{(Note is null ? string.Empty : $": {Note}")})" : Note is null ? string.Empty : $" ({Note})");

    /// <summary>What <see cref="ToJson"/> wrote, or null where <paramref name="json"/> holds no generator.</summary>
    public static TrafficGeneratorUse? FromJson(JsonNode? json) =>
        json?["name"]?.GetValue<string>() is { } name
            ? new TrafficGeneratorUse(name, json["version"]?.GetValue<string>())
            {
                Asked = json["asked"]?.GetValue<string>() is { } asked ? GeneratorOption.Parse(asked) : null,
                Note = json["note"]?.GetValue<string>(),
            }
            : null;

    /// <summary>The <c>trafficGenerator</c> object of results.json and summary.json.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["version"] = Version,
        ["asked"] = Asked is { } asked ? GeneratorOption.Word(asked) : null,
        ["note"] = Note,
    };
}
