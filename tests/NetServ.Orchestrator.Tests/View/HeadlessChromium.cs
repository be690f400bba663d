using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace NetServ.Orchestrator.Tests.View;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools Protocol (a WebSocket): navigate, evaluate script in the
/// page, take a screenshot. Started with a profile folder of its own; disposing kills exactly the process it started and
/// removes the folder.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Path = "/usr/bin/chromium";
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _id;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("ns-chromium-").FullName;
        var start = new ProcessStartInfo(Path) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1280,900", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile}", "about:blank" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync(cancellationToken);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        // chromium writes the port it chose to DevToolsActivePort in its profile.
        var portFile = System.IO.Path.Combine(_profile, "DevToolsActivePort");
        var watch = Stopwatch.StartNew();
        while (!File.Exists(portFile) || (await File.ReadAllLinesAsync(portFile, cancellationToken)).Length < 2)
        {
            if (_process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"chromium gave no DevTools port (exited: {_process.HasExited})");
            }

            await Task.Delay(100, cancellationToken);
        }

        var port = int.Parse((await File.ReadAllLinesAsync(portFile, cancellationToken))[0], System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), cancellationToken))!.AsArray();
        var page = targets.First(t => t!["type"]!.GetValue<string>() == "page")!;
        await _socket.ConnectAsync(new Uri(page["webSocketDebuggerUrl"]!.GetValue<string>()), cancellationToken);
    }

    public Task NavigateAsync(Uri url, CancellationToken cancellationToken) =>
        CallAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }, cancellationToken);

    /// <summary>The value of <paramref name="expression"/> in the page, as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var result = await CallAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken);
        return result["result"]?["value"]?.DeepClone();
    }

    public async Task ScreenshotAsync(string file, CancellationToken cancellationToken)
    {
        var result = await CallAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, cancellationToken);
        await File.WriteAllBytesAsync(file, Convert.FromBase64String(result["data"]!.GetValue<string>()), cancellationToken);
    }

    private async Task<JsonObject> CallAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var id = ++_id;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, cancellationToken);
                text.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var answer = JsonNode.Parse(text.ToArray())!.AsObject();
            if (answer["id"]?.GetValue<int>() != id)
            {
                continue;
            }

            return answer["error"] is { } error
                ? throw new InvalidOperationException($"{method}: {error.ToJsonString()}")
                : answer["result"]!.AsObject();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_profile, recursive: true);
    }
}
