using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>Which generator a run asks for.</summary>
public enum TrafficGeneratorChoice
{
    /// <summary>The project's own paced generator (exact pacing, counts refused sends as lost): for MLFFR searches.</summary>
    Paced,

    /// <summary>Click, and fail when the node has none.</summary>
    Click,

    /// <summary>Click where the node has it, the paced generator otherwise.</summary>
    ClickIfInstalled,
}

/// <summary>Picks and creates the traffic generator for a sending node.</summary>
public static partial class TrafficGenerators
{
    /// <summary>The values of the command lines' <c>--generator</c> option.</summary>
    public static IReadOnlyList<string> ChoiceNames { get; } = ["paced", "click", "auto"];

    /// <summary>
    /// <paramref name="name"/> as the command lines' <c>--generator</c> takes it: <c>paced</c>, <c>click</c>, or
    /// <c>auto</c> (Click where the sending node has it, the paced generator otherwise).
    /// </summary>
    /// <exception cref="ArgumentException">Not one of the three.</exception>
    public static TrafficGeneratorChoice ParseChoice(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "paced" => TrafficGeneratorChoice.Paced,
        "click" => TrafficGeneratorChoice.Click,
        "auto" => TrafficGeneratorChoice.ClickIfInstalled,
        _ => throw new ArgumentException($"--generator: '{name}' is not one of {string.Join(", ", ChoiceNames)}"),
    };

    /// <summary>The driver name <paramref name="choice"/> gives on a node whose Click is <paramref name="installation"/>.</summary>
    /// <exception cref="ClickNotInstalledException"><see cref="TrafficGeneratorChoice.Click"/> on a node without the Click modular router.</exception>
    public static string Resolve(TrafficGeneratorChoice choice, ClickInstallation installation)
    {
        ArgumentNullException.ThrowIfNull(installation);
        return choice switch
        {
            TrafficGeneratorChoice.Paced => PacedTrafficGenerator.DriverName,
            _ when installation.IsInstalled => ClickTrafficGenerator.DriverName,
            TrafficGeneratorChoice.Click => throw new ClickNotInstalledException(installation),
            _ => PacedTrafficGenerator.DriverName,
        };
    }

    /// <summary>
    /// The generator for <paramref name="choice"/> on <paramref name="sender"/>, a namespace on this machine.
    /// With <see cref="TrafficGeneratorChoice.ClickIfInstalled"/>, a node without the Click modular router
    /// gets the paced generator (and a warning saying why).
    /// </summary>
    /// <exception cref="ClickNotInstalledException"><see cref="TrafficGeneratorChoice.Click"/> on a node without the Click modular router.</exception>
    public static ITrafficGenerator Create(
        TrafficGeneratorChoice choice,
        NetworkNamespace sender,
        ClickGeneratorOptions? click = null,
        GeneratorRequest? pacedTemplate = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        loggers ??= NullLoggerFactory.Instance;
        if (choice == TrafficGeneratorChoice.Paced)
        {
            return new PacedTrafficGenerator(sender, pacedTemplate);
        }

        var generator = new ClickTrafficGenerator(new NamespaceShell(sender), click, loggers.CreateLogger<ClickTrafficGenerator>());
        if (generator.Installation.IsInstalled)
        {
            return generator;
        }

        if (choice == TrafficGeneratorChoice.Click)
        {
            throw new ClickNotInstalledException(generator.Installation);
        }

        Log.FallingBack(loggers.CreateLogger(typeof(TrafficGenerators).FullName!), generator.Installation.NotInstalledMessage);
        return new PacedTrafficGenerator(sender, pacedTemplate);
    }

    private static partial class Log
    {
        [LoggerMessage(2903, LogLevel.Warning, "{Reason}: sending with the paced generator")]
        public static partial void FallingBack(ILogger logger, string reason);
    }
}
