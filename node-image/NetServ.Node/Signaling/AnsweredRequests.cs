using System.Security.Cryptography;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Signaling;

/// <summary>A request as this node received it: its exact bytes (by digest) and the flow it is about.</summary>
internal readonly record struct RequestKey(string Digest, GistMessageRoutingInformation Flow)
{
    public static RequestKey Of(ReadOnlySpan<byte> request, GistMessageRoutingInformation flow) =>
        new(Convert.ToHexStringLower(SHA256.HashData(request)), flow);
}

/// <summary>
/// The answers this node has given, or is still working out, per request. A sender whose answer was lost
/// sends the same bytes again; the node then answers from the first result, and neither acts a second
/// time nor refuses the repeat as a replayed nonce. A request that differs in any byte is not a repeat
/// (it meets the authenticator, which refuses a reused nonce). Answers are kept as long as the
/// authenticator remembers nonces, and at most <c>capacity</c> of them (the oldest go first).
/// </summary>
internal sealed class AnsweredRequests(TimeProvider time, TimeSpan keep, int capacity)
{
    private readonly Dictionary<RequestKey, (Task<PathResponse> Answer, DateTimeOffset Seen)> _answers = [];
    private readonly Queue<(RequestKey Key, DateTimeOffset Seen)> _order = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _answers.Count;
            }
        }
    }

    /// <summary>
    /// The answer to <paramref name="key"/>: the earlier one when the request was seen before
    /// (<paramref name="repeated"/>; it may still be running), otherwise <paramref name="work"/>'s, started now.
    /// </summary>
    public Task<PathResponse> GetOrStart(RequestKey key, Func<Task<PathResponse>> work, out bool repeated)
    {
        ArgumentNullException.ThrowIfNull(work);
        TaskCompletionSource<PathResponse> answer;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            while (_order.TryPeek(out var oldest) && now - oldest.Seen > keep)
            {
                Forget(_order.Dequeue());
            }

            if (_answers.TryGetValue(key, out var earlier))
            {
                repeated = true;
                return earlier.Answer;
            }

            while (_answers.Count >= capacity && _order.TryDequeue(out var oldest))
            {
                Forget(oldest);
            }

            answer = new TaskCompletionSource<PathResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answers[key] = (answer.Task, now);
            _order.Enqueue((key, now));
        }

        repeated = false;
        _ = CompleteAsync(key, answer, work);
        return answer.Task;
    }

    private async Task CompleteAsync(RequestKey key, TaskCompletionSource<PathResponse> answer, Func<Task<PathResponse>> work)
    {
        try
        {
            answer.TrySetResult(await work().ConfigureAwait(false));
        }
        catch (Exception e)
        {
            // Nothing was answered: a repeat should be worked on afresh, not handed this failure.
            lock (_lock)
            {
                if (_answers.TryGetValue(key, out var current) && current.Answer == answer.Task)
                {
                    _answers.Remove(key);
                }
            }

            if (e is OperationCanceledException)
            {
                answer.TrySetCanceled();
            }
            else
            {
                answer.TrySetException(e);
            }
        }
    }

    /// <summary>Drops an answer by its place in the order of arrival (unless the request came again since and holds a newer place).</summary>
    private void Forget((RequestKey Key, DateTimeOffset Seen) entry)
    {
        if (_answers.TryGetValue(entry.Key, out var current) && current.Seen == entry.Seen)
        {
            _answers.Remove(entry.Key);
        }
    }
}
