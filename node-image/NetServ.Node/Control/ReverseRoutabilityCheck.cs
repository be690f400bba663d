using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Networking;

namespace NetServ.Node.Control;

/// <summary>
/// The reverse-routability check of paper section 5.2: to prove that they own an address, users
/// store a one-time password on the server at that address and send it in their SETUP; before
/// installing, the node connects to the address, fetches the password and compares. Only single
/// addresses (/32) can be proven this way: one server cannot speak for a prefix.
/// </summary>
internal sealed partial class ReverseRoutabilityCheck(IHttpClientFactory httpClientFactory, IOptions<NodeConfiguration> options, TimeProvider time, ILogger<ReverseRoutabilityCheck> logger)
{
    public const string HttpClientName = "reverse-routability";

    /// <summary>The longest answer the node reads from the server.</summary>
    private const int MaxAnswerBytes = 1024;

    /// <summary>The proofs status shows, newest first: one per user and address.</summary>
    private const int ProofsKept = 64;

    private readonly LinkedList<OwnershipProof> _proofs = new();

    /// <summary>Whether the node accepts proofs of ownership at all.</summary>
    public bool Enabled => options.Value.ReverseRoutability.Enabled;

    /// <summary>Where the node looks for a password, with <c>{address}</c> for the claimed address (for PROBE policies).</summary>
    public string UrlTemplate => UrlText("{address}");

    /// <summary>The URL the node fetches the password from for <paramref name="address"/>.</summary>
    public Uri UrlOf(Ipv4Address address) => new(UrlText(address.ToString()));

    private string UrlText(string host)
    {
        var settings = options.Value.ReverseRoutability;
        return string.Create(CultureInfo.InvariantCulture, $"http://{host}:{settings.Port}{settings.Path}");
    }

    /// <summary>
    /// Checks that the server at <paramref name="destination"/> holds <paramref name="password"/>;
    /// returns null when it does, otherwise why not, in words for the user.
    /// </summary>
    public async Task<string?> VerifyAsync(Ipv4Prefix destination, string user, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!Enabled)
        {
            return "this node does not accept the reverse-routability check (ReverseRoutability:Enabled is false)";
        }

        if (destination.Length != 32)
        {
            return $"the reverse-routability check proves single addresses only; {destination} is a prefix";
        }

        var url = UrlOf(destination.Address);
        var settings = options.Value.ReverseRoutability;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.TimeoutMs);
        string answer;
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Failed(destination, user, $"{url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            answer = await ReadLimitedAsync(response.Content, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(destination, user, $"{url} did not answer within {settings.TimeoutMs} ms");
        }
        catch (HttpRequestException e)
        {
            return Failed(destination, user, $"{url} could not be fetched: {(e.InnerException is SocketException s ? s.Message : e.Message)}");
        }
        catch (HttpIOException e)
        {
            return Failed(destination, user, $"{url} could not be fetched: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            return Failed(destination, user, e.Message);
        }

        var expected = Encoding.UTF8.GetBytes(password.Trim());
        var actual = Encoding.UTF8.GetBytes(answer.Trim());
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return Failed(destination, user, $"the password at {url} does not match the one in the request");
        }

        Remember(new OwnershipProof { Time = time.GetUtcNow(), User = user, Prefix = destination, Url = url });
        Log.Proven(logger, user, destination, url);
        return null;
    }

    /// <summary>The addresses proven so far, the latest proof of each first: all, or <paramref name="onlyUser"/>'s.</summary>
    public IReadOnlyList<OwnershipProof> Proofs(string? onlyUser = null)
    {
        lock (_proofs)
        {
            return [.. _proofs.Where(p => onlyUser is null || p.User == onlyUser)];
        }
    }

    private void Remember(OwnershipProof proof)
    {
        lock (_proofs)
        {
            for (var node = _proofs.First; node is not null; node = node.Next)
            {
                if (node.Value.User == proof.User && node.Value.Prefix.Equals(proof.Prefix))
                {
                    _proofs.Remove(node);
                    break;
                }
            }

            _proofs.AddFirst(proof);
            while (_proofs.Count > ProofsKept)
            {
                _proofs.RemoveLast();
            }
        }
    }

    private static async Task<string> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is > MaxAnswerBytes)
        {
            throw new InvalidDataException($"the server's answer is longer than {MaxAnswerBytes} bytes: not a password");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxAnswerBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return total > MaxAnswerBytes
                ? throw new InvalidDataException($"the server's answer is longer than {MaxAnswerBytes} bytes: not a password")
                : Encoding.UTF8.GetString(buffer, 0, total);
        }
    }

    private string Failed(Ipv4Prefix destination, string user, string reason)
    {
        Log.NotProven(logger, user, destination, reason);
        return $"reverse-routability check for {destination} failed: {reason}";
    }

    private static partial class Log
    {
        [LoggerMessage(2801, LogLevel.Information, "User {User} proved ownership of {Destination} through {Url}")]
        public static partial void Proven(ILogger logger, string user, Ipv4Prefix destination, Uri url);

        [LoggerMessage(2802, LogLevel.Warning, "User {User} did not prove ownership of {Destination}: {Reason}")]
        public static partial void NotProven(ILogger logger, string user, Ipv4Prefix destination, string reason);
    }
}
