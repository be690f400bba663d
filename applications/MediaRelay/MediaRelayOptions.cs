using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Apps.MediaRelay;

/// <summary>The module's configuration, read from the SETUP request's properties.</summary>
internal sealed class MediaRelayOptions
{
    /// <summary>UDP port of the control channel through which the SIP server allocates sessions (<c>control-port</c>).</summary>
    public int ControlPort { get; init; } = 7070;

    /// <summary>First port of the media range (<c>port-min</c>); RTP ports are its even ports.</summary>
    public int PortMin { get; init; } = 30000;

    /// <summary>Last port of the media range (<c>port-max</c>).</summary>
    public int PortMax { get; init; } = 30099;

    /// <summary>A session with no relayed packet for this long is closed (<c>session-timeout</c>, seconds).</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Who may send control requests (<c>controller</c>, a prefix; default anyone).</summary>
    public Ipv4Prefix Controller { get; init; } = Ipv4Prefix.All;

    /// <summary>Reads the options; throws <see cref="FormatException"/> for a value that is malformed or out of range, so SETUP fails with the reason.</summary>
    public static MediaRelayOptions FromProperties(ModuleProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var defaults = new MediaRelayOptions();
        var controller = properties.GetString("controller");
        var options = new MediaRelayOptions
        {
            ControlPort = properties.GetInt32("control-port", defaults.ControlPort),
            PortMin = properties.GetInt32("port-min", defaults.PortMin),
            PortMax = properties.GetInt32("port-max", defaults.PortMax),
            SessionTimeout = TimeSpan.FromSeconds(properties.GetInt32("session-timeout", (int)defaults.SessionTimeout.TotalSeconds)),
            Controller = controller is null ? defaults.Controller
                : Ipv4Prefix.TryParse(controller, out var prefix) ? prefix
                : throw new FormatException($"property 'controller' must be an IPv4 prefix, not '{controller}'"),
        };

        if (options.ControlPort is < 1 or > 65535 || options.PortMin is < 1 or > 65535 || options.PortMax is < 1 or > 65535)
        {
            throw new FormatException("ports must lie in 1-65535");
        }

        if (options.PortMin > options.PortMax)
        {
            throw new FormatException($"port-min {options.PortMin} is above port-max {options.PortMax}");
        }

        if (options.ControlPort >= options.PortMin && options.ControlPort <= options.PortMax)
        {
            throw new FormatException($"control-port {options.ControlPort} lies in the media range {options.PortMin}-{options.PortMax}");
        }

        if (options.SessionTimeout <= TimeSpan.Zero)
        {
            throw new FormatException("session-timeout must be positive");
        }

        return options;
    }
}
