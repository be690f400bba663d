using System.Buffers.Binary;
using System.Net;
using System.Text.Json.Nodes;

namespace NetServ.Apps.ActiveCdn.Provider;

/// <summary>
/// The provider's database of deployed ActiveCDN nodes (paper Figure 7, steps 2 and 7): for each
/// region of users, the nodes on the path toward it that installed the module, nearest to the
/// users last; and which regions have a deployment under way.
/// </summary>
internal sealed class RegionDirectory(TimeProvider time)
{
    private readonly Dictionary<string, Region> _regions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The region of <paramref name="client"/>: its address masked to <paramref name="prefixLength"/> bits.</summary>
    public static string RegionOf(IPAddress client, int prefixLength)
    {
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        var bytes = client.GetAddressBytes();
        if (bytes.Length != 4)
        {
            return client.ToString();
        }

        var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
        var network = BinaryPrimitives.ReadUInt32BigEndian(bytes) & mask;
        return $"{new IPAddress(BinaryPrimitives.ReverseEndianness(network))}/{prefixLength}";
    }

    /// <summary>The node to redirect the region's users to: the one nearest them. Null when there is none yet.</summary>
    public string? NearestNode(string region)
    {
        lock (_lock)
        {
            return _regions.TryGetValue(region, out var entry) && entry.Nodes.Count > 0 ? entry.Nodes[^1] : null;
        }
    }

    /// <summary>Whether <paramref name="address"/> is one of the ActiveCDN nodes: they fetch here, and are served, not redirected.</summary>
    public bool IsNode(IPAddress address)
    {
        var text = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        lock (_lock)
        {
            return _regions.Values.Any(r => r.Nodes.Contains(text));
        }
    }

    /// <summary>Claims the region for a new deployment; false when one is under way, or failed recently.</summary>
    public bool TryBeginDeployment(string region, TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var entry = _regions.TryGetValue(region, out var found) ? found : _regions[region] = new Region();
            var now = time.GetUtcNow();
            if (entry.Deploying || entry.Nodes.Count > 0 || (entry.LastFailure is { } failed && now - failed < retryAfter))
            {
                return false;
            }

            entry.Deploying = true;
            return true;
        }
    }

    /// <summary>Records the outcome of a deployment: the nodes (in path order from the provider) that have the module.</summary>
    public void EndDeployment(string region, IReadOnlyList<string> nodes)
    {
        lock (_lock)
        {
            var entry = _regions[region];
            entry.Deploying = false;
            entry.Nodes = [.. nodes];
            entry.Deployments++;
            entry.LastFailure = nodes.Count == 0 ? time.GetUtcNow() : null;
        }
    }

    public JsonObject ToJson()
    {
        lock (_lock)
        {
            var regions = new JsonObject();
            foreach (var (name, entry) in _regions.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                regions[name] = new JsonObject
                {
                    ["nodes"] = new JsonArray(entry.Nodes.Select(n => (JsonNode?)n).ToArray()),
                    ["deploying"] = entry.Deploying,
                    ["deployments"] = entry.Deployments,
                };
            }

            return regions;
        }
    }

    private sealed class Region
    {
        public List<string> Nodes { get; set; } = [];

        public bool Deploying { get; set; }

        public int Deployments { get; set; }

        public DateTimeOffset? LastFailure { get; set; }
    }
}
