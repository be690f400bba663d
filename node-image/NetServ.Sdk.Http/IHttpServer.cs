using Microsoft.AspNetCore.Http;

namespace NetServ.Sdk;

/// <summary>
/// The HTTP server building block (<see cref="BuildingBlockNames.HttpServer"/>): Kestrel, started
/// for a module on a port the node's policy gives its user. A module that lists the block in its
/// SETUP <c>dependencies</c> finds it with <c>Context.BuildingBlocks.Require&lt;IHttpServer&gt;()</c>.
/// </summary>
/// <remarks>
/// ASP.NET Core is loaded into a container only when a module first asks for this block, so
/// containers whose modules do not serve HTTP stay small.
/// </remarks>
public interface IHttpServer
{
    /// <summary>
    /// Starts Kestrel on <paramref name="port"/> (every IPv4 address of the node), handing each
    /// request to <paramref name="application"/>. The server stops when the returned object is
    /// disposed, and at the latest when <paramref name="owner"/> is being removed.
    /// </summary>
    /// <param name="owner">The context of the module the server is for; its allowed ports and removal apply.</param>
    /// <param name="port">The TCP port to listen on.</param>
    /// <param name="application">Handles one request.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ModulePolicyException">The port is not allowed for the module's user.</exception>
    Task<IAsyncDisposable> StartAsync(IModuleContext owner, int port, RequestDelegate application, CancellationToken cancellationToken);
}
