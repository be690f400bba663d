using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Traffic;

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
