using System.Net;
using System.Net.Sockets;
using System.Text;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Linux;

[TestFixture]
[NonParallelizable]
public sealed class LocalNetworkTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public void SenderRouterReceiver_ForwardsUdpFromSenderToReceiver()
    {
        using var path = LocalNetwork.CreateSenderRouterReceiver();
        using var receiver = path.Receiver.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Parse("198.19.0.1"), 40000));
        receiver.ReceiveTimeout = 5000;
        using var sender = path.Sender.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        sender.SendTo(Encoding.ASCII.GetBytes("through the router"), new IPEndPoint(IPAddress.Parse("198.19.0.1"), 40000));

        var buffer = new byte[100];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = receiver.ReceiveFrom(buffer, ref from);
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(buffer, 0, length), Is.EqualTo("through the router"));
            Assert.That(((IPEndPoint)from).Address, Is.EqualTo(IPAddress.Parse("198.18.0.1")));
        });
    }

    [Test]
    public void Dispose_RemovesEveryNamespaceOfTheNetwork()
    {
        var path = LocalNetwork.CreateSenderRouterReceiver();
        var names = path.Network.Hosts.Select(h => h.Namespace.Name).ToArray();
        Assert.That(NetworkNamespace.List(), Is.SupersetOf(names));

        path.Dispose();

        Assert.That(NetworkNamespace.List(), Has.None.AnyOf(names));
    }

    [Test]
    public void Dispose_KillsProcessesStillRunningInside()
    {
        var network = LocalNetwork.Create();
        var host = network.AddHost("sleeper");
        using var sleeper = host.Namespace.Start(new System.Diagnostics.ProcessStartInfo("sleep") { ArgumentList = { "300" } });
        Assert.That(sleeper.HasExited, Is.False);

        network.Dispose();

        Assert.That(sleeper.WaitForExit(5000), Is.True, "the process inside the namespace should have been killed");
    }

    [Test]
    public void Connect_AddressOutsideBenchmarkingRange_IsRefused()
    {
        using var network = LocalNetwork.Create();
        var a = network.AddHost("a");
        var b = network.AddHost("b");

        var error = Assert.Throws<ArgumentException>(() => network.Connect(a, "eth0", "10.0.0.1/24", b, "eth0", "10.0.0.2/24"));

        Assert.That(error!.Message, Does.Contain("198.18.0.0/15"));
    }

    [Test]
    public void Create_NameWithoutPrefix_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => NetworkNamespace.Create("testbed-without-prefix"));
    }
}

[TestFixture]
[NonParallelizable]
public sealed class LocalNetworkRoutingTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public void CreateLine_RoutesBothWaysAcrossEveryHop()
    {
        using var line = LocalNetwork.CreateLine("provider", "a", "plain", "b", "user");
        var provider = line["provider"];
        var user = line["user"];
        using var atUser = user.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        atUser.Bind(new IPEndPoint(IPAddress.Any, 40000));
        atUser.ReceiveTimeout = 5000;
        using var atProvider = provider.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        atProvider.Bind(new IPEndPoint(IPAddress.Any, 40001));
        atProvider.ReceiveTimeout = 5000;

        atProvider.SendTo(Encoding.ASCII.GetBytes("down"), new IPEndPoint(user.Address.ToIPAddress(), 40000));
        var buffer = new byte[16];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = atUser.ReceiveFrom(buffer, ref from);
        atUser.SendTo(Encoding.ASCII.GetBytes("up"), from);
        var back = atProvider.Receive(buffer.AsSpan(length));

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(buffer, 0, length), Is.EqualTo("down"));
            Assert.That(((IPEndPoint)from).Address, Is.EqualTo(IPAddress.Parse("198.18.1.1")));
            Assert.That(user.Address.ToString(), Is.EqualTo("198.18.4.2"));
            Assert.That(Encoding.ASCII.GetString(buffer, length, back), Is.EqualTo("up"));
            Assert.That(line["plain"].Namespace.GetSysctl("net.ipv4.ip_forward"), Is.EqualTo("1"));
            Assert.That(provider.Namespace.GetSysctl("net.ipv4.ip_forward"), Is.EqualTo("0"), "an end host does not forward");
        });
    }
}
