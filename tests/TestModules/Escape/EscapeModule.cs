using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NetServ.Sdk;
using NetServ.TestModules.Escape;

[assembly: NetServModule(typeof(EscapeModule))]

namespace NetServ.TestModules.Escape;

/// <summary>
/// At start, tries what a user's module must not do — and a few things it may — and reports each
/// attempt as "allowed" or "denied: reason" in its status. The port to try is in the properties.
/// </summary>
public sealed class EscapeModule : NetServModule, IModuleStatus
{
    private readonly JsonObject _results = [];

    public JsonObject GetStatus() => (JsonObject)_results.DeepClone();

    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        var allowedPort = Context.Properties.GetInt32("allowed_port", 0);
        var forbiddenPort = Context.Properties.GetInt32("forbidden_port", 0);
        Try("writeDataDirectory", () => File.WriteAllText(Path.Combine(Context.DataDirectory, "probe.txt"), "ok"));
        Try("readOtherFile", () => File.ReadAllText(Context.Properties.GetString("secret_file", "/etc/hostname")!));
        Try("writeTmp", () => File.WriteAllText($"/tmp/netserv-escape-{Environment.ProcessId}", "x"));
        Try("execShell", () =>
        {
            using var process = Process.Start(new ProcessStartInfo("/bin/sh", "-c true") { UseShellExecute = false })!;
            process.WaitForExit();
        });
        Try("bindAllowedTcpPort", () => Bind(allowedPort));
        Try("bindForbiddenTcpPort", () => Bind(forbiddenPort));
        Try("serverSocketsForbiddenPort", () => Context.BuildingBlocks.Require<IServerSockets>().ListenTcp(forbiddenPort).Dispose());
        _results["uid"] = Environment.GetEnvironmentVariable("HOME");
        return Task.CompletedTask;
    }

    private static void Bind(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Any, port));
    }

    private void Try(string name, Action action)
    {
        try
        {
            action();
            _results[name] = "allowed";
        }
        catch (Exception e)
        {
            _results[name] = $"denied: {e.GetType().Name}: {e.Message}";
        }
    }
}
