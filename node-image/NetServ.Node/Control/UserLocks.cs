using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;

namespace NetServ.Node.Control;

/// <summary>
/// One lock per configured user: what changes a user's modules (SETUP, REMOVE, expiry, a failed
/// module, a container that came back) happens one at a time, while other users go on.
/// </summary>
internal sealed class UserLocks : IDisposable
{
    private readonly Dictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public UserLocks(IOptions<NodeConfiguration> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var user in options.Value.Users)
        {
            _locks[user.Name] = new SemaphoreSlim(1, 1);
        }
    }

    /// <summary>Whether <paramref name="user"/> is a configured user (and so has a lock).</summary>
    public bool Has(string user) => _locks.ContainsKey(user);

    /// <summary>Waits for the user's lock; disposing the result releases it.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="user"/> is not a configured user.</exception>
    public async Task<Held> EnterAsync(string user, CancellationToken cancellationToken)
    {
        var userLock = _locks[user];
        await userLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held(userLock);
    }

    public void Dispose()
    {
        foreach (var userLock in _locks.Values)
        {
            userLock.Dispose();
        }
    }

    /// <summary>A user's lock, held until disposed.</summary>
    internal readonly struct Held(SemaphoreSlim userLock) : IDisposable
    {
        public void Dispose() => userLock.Release();
    }
}
