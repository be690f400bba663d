using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Modules;

/// <summary>
/// Downloads module packages into the cache, with a size limit and a deadline, and checks the
/// SHA-256 digest that came with the request before anything is used. The cache is keyed by
/// digest, so a package is downloaded once however many users install it.
/// </summary>
internal sealed partial class ModuleFetcher(IHttpClientFactory httpClientFactory, IOptions<NodeConfiguration> options, ILogger<ModuleFetcher> logger)
{
    public const string HttpClientName = "module-fetcher";

    public string CacheDirectory => options.Value.ModuleCache.Directory ?? Path.Combine(options.Value.StateDirectory, "cache");

    /// <summary>Returns the path of the verified package, downloading it when the cache lacks it.</summary>
    public async Task<string> FetchAsync(Uri url, byte[] digest, CancellationToken cancellationToken)
    {
        var hex = Convert.ToHexStringLower(digest);
        Directory.CreateDirectory(CacheDirectory);
        var cached = Path.Combine(CacheDirectory, hex + ".nupkg");
        if (File.Exists(cached))
        {
            if (await HashFileAsync(cached, cancellationToken).ConfigureAwait(false) == hex)
            {
                Log.CacheHit(logger, url, hex);
                return cached;
            }

            // A damaged cache entry is not trusted; fetch again.
            File.Delete(cached);
        }

        var settings = options.Value.ModuleCache;
        var partial = Path.Combine(CacheDirectory, $".{hex}.{Guid.NewGuid():N}.part");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(settings.DownloadTimeoutSeconds));
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ModuleFetchException(NslpStatus.BadGateway, $"downloading {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength is { } announced && announced > settings.MaxPackageBytes)
            {
                throw new ModuleFetchException(NslpStatus.UnprocessableModule, $"{url} is {announced} bytes, more than the node's limit of {settings.MaxPackageBytes}");
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    var buffer = new byte[81920];
                    long total = 0;
                    while (true)
                    {
                        var read = await stream.ReadAsync(buffer, deadline.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        total += read;
                        if (total > settings.MaxPackageBytes)
                        {
                            throw new ModuleFetchException(NslpStatus.UnprocessableModule, $"{url} is larger than the node's limit of {settings.MaxPackageBytes} bytes");
                        }

                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), deadline.Token).ConfigureAwait(false);
                    }
                }
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != hex)
            {
                throw new ModuleFetchException(NslpStatus.UnprocessableModule, $"the package at {url} has SHA-256 {actual}, not the module-digest {hex} of the request");
            }

            File.Move(partial, cached, overwrite: true);
            Log.Downloaded(logger, url, hex);
            return cached;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModuleFetchException(NslpStatus.GatewayTimeout, $"downloading {url} did not finish within {settings.DownloadTimeoutSeconds} s");
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException socket ? socket.Message : e.Message;
            throw new ModuleFetchException(NslpStatus.BadGateway, $"downloading {url} failed: {reason}", e);
        }
        catch (HttpIOException e)
        {
            // The server broke off while sending the body (connection closed or reset before its end).
            throw new ModuleFetchException(NslpStatus.BadGateway, $"downloading {url} failed: {e.Message}", e);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2201, LogLevel.Information, "Downloaded {Url} (sha256 {Digest})")]
        public static partial void Downloaded(ILogger logger, Uri url, string digest);

        [LoggerMessage(2202, LogLevel.Debug, "{Url} is in the cache (sha256 {Digest})")]
        public static partial void CacheHit(ILogger logger, Uri url, string digest);
    }
}
