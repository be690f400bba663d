using NetServ.RSpec;

namespace NetServ.Testbed;

/// <summary>
/// Runs an rspec's <c>install</c> service on a node reached through its session, as an aggregate does before the node
/// boots: the archive at the service's URL is fetched by the orchestrator (<c>file:</c>, <c>http:</c> or <c>https:</c>),
/// copied to the node and unpacked at <c>install_path</c> with tar (gzip, bzip2 and xz recognised by tar itself).
/// </summary>
internal static class InstallServiceRunner
{
    private static readonly TimeSpan UnpackTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Fetches <paramref name="service"/>'s archive and unpacks it on <paramref name="session"/>'s node.</summary>
    /// <exception cref="InstallServiceException">The archive could not be fetched or unpacked; the message names the node and the URL.</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    public static async Task RunAsync(INodeSession session, InstallService service, HttpClient http, TimeSpan fetchTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(http);
        if (!service.InstallPath.StartsWith('/'))
        {
            throw new InstallServiceException($"{session.NodeName}: install_path '{service.InstallPath}' of {service.Url} is not an absolute path");
        }

        if (!Uri.TryCreate(service.Url, UriKind.Absolute, out var url) || url.Scheme is not ("file" or "http" or "https"))
        {
            throw new InstallServiceException($"{session.NodeName}: install service URL '{service.Url}' is not a file:, http: or https: URL");
        }

        var archive = $"/tmp/netserv-install-{Guid.NewGuid():N}";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(fetchTimeout);
            await using (var content = url.IsFile ? File.OpenRead(url.LocalPath) : await http.GetStreamAsync(url, timeout.Token).ConfigureAwait(false))
            {
                await session.UploadAsync(content, archive, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new InstallServiceException($"{session.NodeName}: cannot fetch {service.Url} for its install service: {(e is OperationCanceledException ? $"no answer within {fetchTimeout.TotalSeconds:0.#} s" : e.Message)}", e);
        }

        var result = await session.RunAsync(
            "sh", ["-c", "mkdir -p \"$1\" && tar -xf \"$2\" -C \"$1\"; status=$?; rm -f \"$2\"; exit $status", "install", service.InstallPath, archive],
            UnpackTimeout, string.Empty, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InstallServiceException($"{session.NodeName}: unpacking {service.Url} at {service.InstallPath} failed (tar exit {result.ExitCode}): {(result.StandardError + result.StandardOutput).Trim()}");
        }
    }
}

/// <summary>An <c>install</c> service that could not be run.</summary>
public sealed class InstallServiceException : Exception
{
    public InstallServiceException()
    {
    }

    public InstallServiceException(string message)
        : base(message)
    {
    }

    public InstallServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
