using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;

namespace NetServ.Apps.ActiveCdn.Tests;

/// <summary>An origin behind an <see cref="HttpMessageHandler"/>: counts requests and, when gated, sends bodies only as the test releases them.</summary>
internal sealed class FakeOrigin : HttpMessageHandler
{
    private readonly Dictionary<string, (byte[] Body, string ContentType)> _objects = [];
    private readonly List<Pipe> _gated = [];
    private int _requests;

    public bool Gated { get; init; }

    public int Requests => Volatile.Read(ref _requests);

    public void Add(string path, byte[] body, string contentType = "application/octet-stream") => _objects[path] = (body, contentType);

    /// <summary>Sends the first <paramref name="count"/> bytes of every gated body.</summary>
    public async Task ReleaseAsync(string path, int offset, int count)
    {
        Pipe[] pipes;
        lock (_gated)
        {
            pipes = [.. _gated];
        }

        foreach (var pipe in pipes)
        {
            await pipe.Writer.WriteAsync(_objects[path].Body.AsMemory(offset, count));
        }
    }

    public async Task CompleteAsync()
    {
        Pipe[] pipes;
        lock (_gated)
        {
            pipes = [.. _gated];
        }

        foreach (var pipe in pipes)
        {
            await pipe.Writer.CompleteAsync();
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_objects.TryGetValue(request.RequestUri!.PathAndQuery, out var found))
        {
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }

        HttpContent content;
        if (Gated)
        {
            var pipe = new Pipe();
            lock (_gated)
            {
                _gated.Add(pipe);
            }

            content = new StreamContent(pipe.Reader.AsStream());
        }
        else
        {
            content = new ByteArrayContent(found.Body);
        }

        content.Headers.ContentType = MediaTypeHeaderValue.Parse(found.ContentType);
        content.Headers.ContentLength = found.Body.Length;

        // Counted only once a gated body is registered: a test that waits for the request and then releases bytes must find its pipe.
        Interlocked.Increment(ref _requests);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
    }
}
