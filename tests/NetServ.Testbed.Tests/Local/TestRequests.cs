using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Nodes;

namespace NetServ.Testbed.Tests.Local;

/// <summary>The project's request documents (rspecs/) and variations of them for the local testbed tests.</summary>
internal static class TestRequests
{
    public static RequestRSpec Evaluation => Load("evaluation.rspec.xml");

    public static RequestRSpec SignalingPath => Load("signaling-path.rspec.xml");

    public static RequestRSpec Load(string file) => RSpecFile.Read(Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", file));

    /// <summary>A document of the RSpec tests' corpus of real-world shapes (tests/NetServ.RSpec.Tests/Corpus).</summary>
    public static RequestRSpec Corpus(string file) => RSpecFile.Read(Path.Combine(BuildOutputs.RepositoryRoot, "tests", "NetServ.RSpec.Tests", "Corpus", file));

    /// <summary>The request with <paramref name="node"/>'s execute services replaced.</summary>
    public static RequestRSpec WithExecutes(RequestRSpec request, string node, params ExecuteService[] executes) =>
        request with { Nodes = ValueList.From(request.Nodes.Select(n => n.ClientId == node ? n with { Executes = ValueList.From(executes) } : n)) };

    /// <summary>The request with <paramref name="node"/>'s install services replaced.</summary>
    public static RequestRSpec WithInstalls(RequestRSpec request, string node, params InstallService[] installs) =>
        request with { Nodes = ValueList.From(request.Nodes.Select(n => n.ClientId == node ? n with { Installs = ValueList.From(installs) } : n)) };

    /// <summary>The request with the address of interface <paramref name="interfaceClientId"/> replaced.</summary>
    public static RequestRSpec WithAddress(RequestRSpec request, string interfaceClientId, string address, int prefixLength) =>
        request with
        {
            Nodes = ValueList.From(request.Nodes.Select(n => n with
            {
                Interfaces = ValueList.From(n.Interfaces.Select(i => i.ClientId == interfaceClientId
                    ? i with { Ips = [new InterfaceIp(Ipv4Address.Parse(address), prefixLength)] }
                    : i)),
            })),
        };
}
