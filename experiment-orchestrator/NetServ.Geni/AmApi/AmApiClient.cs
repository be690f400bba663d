using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.AmApi;

/// <summary>
/// Calls an aggregate manager's AM API v3 over an <see cref="XmlRpcClient"/> (which carries the
/// user's certificate). Every failure is an <see cref="AmApiException"/> whose message says which
/// call, which aggregate, what went wrong and what to do: a GENI code other than SUCCESS, an XML-RPC
/// fault, no answer (TLS refused, unreachable, timeout), or an answer of the wrong shape.
/// </summary>
public sealed partial class AmApiClient
{
    private readonly XmlRpcClient rpc;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    /// <param name="rpc">The XML-RPC client for the aggregate's URL.</param>
    /// <param name="aggregate">How messages name the aggregate; by default its URL's host.</param>
    /// <param name="time">For the calls' durations in the log.</param>
    /// <param name="logger">Where calls and their outcomes are logged.</param>
    public AmApiClient(XmlRpcClient rpc, Aggregate? aggregate = null, TimeProvider? time = null, ILogger<AmApiClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        this.rpc = rpc;
        Aggregate = aggregate ?? new Aggregate(rpc.Endpoint.Host, rpc.Endpoint, null, $"the aggregate at {rpc.Endpoint}");
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger<AmApiClient>.Instance;
    }

    public Aggregate Aggregate { get; }

    /// <summary>What the aggregate speaks: API versions, rspec formats, allocation rules.</summary>
    public Task<AmVersion> GetVersionAsync(CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.GetVersion(), AmApiResponses.ReadVersion, cancellationToken);

    /// <summary>The advertisement: what the aggregate has (only what is free now when <paramref name="availableOnly"/>).</summary>
    public Task<string> ListResourcesAsync(IReadOnlyList<AmCredential> credentials, bool availableOnly = false, bool compressed = true, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.ListResources(credentials, availableOnly, compressed), AmApiResponses.ReadAdvertisement, cancellationToken);

    /// <summary>The manifest of a slice (its URN) or of some of its slivers, with their states.</summary>
    public Task<AmManifestResult> DescribeAsync(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, bool compressed = true, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.Describe(urns, credentials, compressed), AmApiResponses.ReadManifestResult, cancellationToken);

    /// <summary>Reserves what <paramref name="requestRSpec"/> asks for in the slice, until <paramref name="endTime"/> when given.</summary>
    public Task<AmManifestResult> AllocateAsync(string sliceUrn, IReadOnlyList<AmCredential> credentials, string requestRSpec, DateTimeOffset? endTime = null, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.Allocate(sliceUrn, credentials, requestRSpec, endTime), AmApiResponses.ReadManifestResult, cancellationToken);

    /// <summary>Extends the slivers until <paramref name="expiration"/>; with <paramref name="bestEffort"/>, those that can be.</summary>
    public Task<IReadOnlyList<AmSliver>> RenewAsync(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, DateTimeOffset expiration, bool bestEffort = false, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.Renew(urns, credentials, expiration, bestEffort), AmApiResponses.ReadSliverList, cancellationToken);

    /// <summary>Instantiates allocated slivers, with login for <paramref name="users"/>' SSH keys.</summary>
    public Task<AmManifestResult> ProvisionAsync(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, IReadOnlyList<AmUser> users, bool bestEffort = false, DateTimeOffset? endTime = null, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.Provision(urns, credentials, users, bestEffort, endTime), AmApiResponses.ReadManifestResult, cancellationToken);

    /// <summary>The slivers' allocation and operational states.</summary>
    public Task<AmSliceStatus> StatusAsync(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.Status(urns, credentials), AmApiResponses.ReadStatus, cancellationToken);

    /// <summary>Starts, restarts or stops provisioned slivers.</summary>
    public Task<IReadOnlyList<AmSliver>> PerformOperationalActionAsync(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, OperationalAction action, bool bestEffort = false, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.PerformOperationalAction(urns, credentials, action, bestEffort), AmApiResponses.ReadSliverList, cancellationToken);

    /// <summary>Releases the slivers.</summary>
    public Task<IReadOnlyList<AmSliver>> DeleteAsync(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, bool bestEffort = false, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.Delete(urns, credentials, bestEffort), AmApiResponses.ReadSliverList, cancellationToken);

    /// <summary>Stops the slice in an emergency (an operator's call); the slivers stay for inspection.</summary>
    public Task<bool> ShutdownAsync(string sliceUrn, IReadOnlyList<AmCredential> credentials, CancellationToken cancellationToken = default)
        => CallAsync(AmApiRequests.Shutdown(sliceUrn, credentials), AmApiResponses.ReadShutdown, cancellationToken);

    private async Task<T> CallAsync<T>(XmlRpcMethodCall call, Func<AmReturn, T> read, CancellationToken cancellationToken)
    {
        var method = call.MethodName;
        var started = time.GetTimestamp();
        Log.Calling(logger, method, Aggregate.Name);
        XmlRpcValue answer;
        try
        {
            answer = await rpc.CallAsync(method, call.Parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (XmlRpcFaultException e)
        {
            Log.Fault(logger, method, Aggregate.Name, e.Code, e.FaultString);
            throw AmApiException.FromFault(method, Aggregate, e);
        }
        catch (XmlRpcTransportException e)
        {
            Log.NoAnswer(logger, method, Aggregate.Name, e.Message);
            throw AmApiException.FromTransport(method, Aggregate, e);
        }
        catch (XmlRpcFormatException e)
        {
            Log.Malformed(logger, method, Aggregate.Name, e.Message);
            throw AmApiException.FromMalformed(method, Aggregate, e);
        }

        var elapsed = time.GetElapsedTime(started);
        try
        {
            var result = AmApiResponses.ReadReturn(answer);
            if (result.Code != GeniCode.SUCCESS)
            {
                Log.Refused(logger, method, Aggregate.Name, GeniCodes.Label(result.Code), AmApiException.Clean(result.Output));
                throw AmApiException.FromCode(method, Aggregate, result.Code, result.AmType, result.AmCode, result.Output);
            }

            var value = read(result);
            Log.Answered(logger, method, Aggregate.Name, elapsed.TotalMilliseconds);
            return value;
        }
        catch (XmlRpcTypeException e)
        {
            Log.Malformed(logger, method, Aggregate.Name, e.Message);
            throw AmApiException.FromMalformed(method, Aggregate, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3511, Level = LogLevel.Debug, Message = "{Method} at {Aggregate}")]
        public static partial void Calling(ILogger logger, string method, string aggregate);

        [LoggerMessage(EventId = 3512, Level = LogLevel.Information, Message = "{Method} at {Aggregate} succeeded in {Milliseconds:0} ms")]
        public static partial void Answered(ILogger logger, string method, string aggregate, double milliseconds);

        [LoggerMessage(EventId = 3513, Level = LogLevel.Warning, Message = "{Method} at {Aggregate} refused: {Code}: {Output}")]
        public static partial void Refused(ILogger logger, string method, string aggregate, string code, string output);

        [LoggerMessage(EventId = 3514, Level = LogLevel.Warning, Message = "{Method} at {Aggregate} answered XML-RPC fault {Code}: {FaultString}")]
        public static partial void Fault(ILogger logger, string method, string aggregate, int code, string faultString);

        [LoggerMessage(EventId = 3515, Level = LogLevel.Warning, Message = "{Method} at {Aggregate} got no answer: {Reason}")]
        public static partial void NoAnswer(ILogger logger, string method, string aggregate, string reason);

        [LoggerMessage(EventId = 3516, Level = LogLevel.Warning, Message = "{Method} at {Aggregate} answered malformed: {Reason}")]
        public static partial void Malformed(ILogger logger, string method, string aggregate, string reason);
    }
}
