using Microsoft.Extensions.Logging;
using NetServ.Contracts.Control;
using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>
/// The container's end of the <c>filter-events</c> building block: takes the node's numbered filter sets
/// (<see cref="FiltersMessage"/>) and tells subscribed modules what changed.
/// </summary>
internal sealed partial class NodeFilters
{
    private readonly ILogger _logger;
    private readonly PacketFilterEventSource _source;
    private long _version;

    public NodeFilters(ILoggerFactory loggerFactory)
    {
        _logger = loggerFactory.CreateLogger<NodeFilters>();
        _source = new PacketFilterEventSource(_logger);
    }

    /// <summary>The building block modules subscribe to.</summary>
    public IPacketFilterEvents Events => _source;

    /// <summary>How many observers are subscribed.</summary>
    public int Subscribers => _source.Subscribers;

    /// <summary>Takes the node's set; false when it is older than the one taken last (and so ignored).</summary>
    public bool Apply(FiltersMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Version <= Interlocked.Read(ref _version))
        {
            return false;
        }

        var filters = new List<InstalledFilter>(message.Filters.Count);
        foreach (var spec in message.Filters)
        {
            try
            {
                filters.Add(new InstalledFilter(spec.User, spec.Module, spec.Filter.ToFilter()));
            }
            catch (ArgumentException e)
            {
                Log.InvalidFilter(_logger, spec.Module, e.Message);
            }
        }

        _source.Replace(filters);
        Interlocked.Exchange(ref _version, message.Version);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1502, LogLevel.Warning, "The node sent an invalid filter for {Module}: {Error}")]
        public static partial void InvalidFilter(ILogger logger, string module, string error);
    }
}
