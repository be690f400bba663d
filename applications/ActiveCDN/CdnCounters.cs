using System.Text.Json.Nodes;

namespace NetServ.Apps.ActiveCdn;

/// <summary>What ActiveCDN has done, for PROBE and <c>netserv admin status</c>.</summary>
internal sealed class CdnCounters
{
    private long _requests;
    private long _hits;
    private long _misses;
    private long _originFetches;
    private long _originFailures;
    private long _bytesServed;
    private long _bytesFromOrigin;
    private long _watermarked;
    private long _badRequests;
    private long _errors;

    public long OriginFetches => Interlocked.Read(ref _originFetches);

    public void Request() => Interlocked.Increment(ref _requests);

    public void Hit() => Interlocked.Increment(ref _hits);

    public void Miss() => Interlocked.Increment(ref _misses);

    public void OriginFetch() => Interlocked.Increment(ref _originFetches);

    public void OriginFailure() => Interlocked.Increment(ref _originFailures);

    public void Served(long bytes) => Interlocked.Add(ref _bytesServed, bytes);

    public void FromOrigin(long bytes) => Interlocked.Add(ref _bytesFromOrigin, bytes);

    public void Watermarked() => Interlocked.Increment(ref _watermarked);

    public void BadRequest() => Interlocked.Increment(ref _badRequests);

    public void Error() => Interlocked.Increment(ref _errors);

    public JsonObject ToJson() => new()
    {
        ["requests"] = Interlocked.Read(ref _requests),
        ["hits"] = Interlocked.Read(ref _hits),
        ["misses"] = Interlocked.Read(ref _misses),
        ["originFetches"] = Interlocked.Read(ref _originFetches),
        ["originFailures"] = Interlocked.Read(ref _originFailures),
        ["bytesServed"] = Interlocked.Read(ref _bytesServed),
        ["bytesFromOrigin"] = Interlocked.Read(ref _bytesFromOrigin),
        ["watermarked"] = Interlocked.Read(ref _watermarked),
        ["badRequests"] = Interlocked.Read(ref _badRequests),
        ["errors"] = Interlocked.Read(ref _errors),
    };
}
