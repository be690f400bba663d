using System.Collections.Concurrent;
using System.Net;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>A registered user agent: where its REGISTER came from, and the relay nearest it once SETUP has installed one.</summary>
internal sealed record Registration(string AddressOfRecord, IPEndPoint Source, IPAddress? Relay);

/// <summary>The registered user agents by address of record, and the relay node the server learned for each.</summary>
internal sealed class RelayDirectory
{
    private readonly ConcurrentDictionary<string, Registration> _registrations = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a REGISTER; <see langword="true"/> when the agent is new or moved, so the path toward it must be signaled.</summary>
    public bool Register(string addressOfRecord, IPEndPoint source)
    {
        var moved = true;
        _registrations.AddOrUpdate(
            addressOfRecord,
            aor => new Registration(aor, source, null),
            (_, old) =>
            {
                moved = !old.Source.Address.Equals(source.Address);
                return old with { Source = source, Relay = moved ? null : old.Relay };
            });
        return moved;
    }

    /// <summary>Records the relay SETUP installed nearest the agent.</summary>
    public void SetRelay(string addressOfRecord, IPAddress relay) =>
        _registrations.AddOrUpdate(addressOfRecord, aor => throw new InvalidOperationException($"{aor} is not registered"), (_, old) => old with { Relay = relay });

    public Registration? Find(string addressOfRecord) => _registrations.GetValueOrDefault(addressOfRecord);

    /// <summary>
    /// The registration whose address of record has the user <paramref name="user"/> (an INVITE's
    /// Request-URI user), whatever host it names: the ITSP serves one domain under several names.
    /// User parts compare case-sensitively (RFC 3261 section 19.1.4).
    /// </summary>
    public Registration? FindByUser(string user) =>
        _registrations.Values.FirstOrDefault(r => string.Equals(SipUri.UserOf(r.AddressOfRecord), user, StringComparison.Ordinal));
}
