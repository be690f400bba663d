using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Node.Control;
using NetServ.Node.Tests.Modules;

namespace NetServ.Node.Tests.Control;

/// <summary>The reverse-routability check against a real HTTP server on loopback, which stands in for the server at the claimed address.</summary>
[TestFixture]
public sealed class ReverseRoutabilityCheckTests
{
    private const string PasswordPath = "/.well-known/netserv-password";
    private static readonly Ipv4Prefix Loopback = Ipv4Prefix.Parse("127.0.0.1/32");

    private TestHttpServer _server = null!;
    private ServiceProvider _services = null!;
    private NodeConfiguration _options = null!;

    private ReverseRoutabilityCheck Check => new(_services.GetRequiredService<IHttpClientFactory>(), Options.Create(_options), TimeProvider.System, NullLogger<ReverseRoutabilityCheck>.Instance);

    [SetUp]
    public void SetUp()
    {
        _server = new TestHttpServer();
        var services = new ServiceCollection();
        services.AddHttpClient(ReverseRoutabilityCheck.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        _services = services.BuildServiceProvider();
        _options = new NodeConfiguration { ReverseRoutability = { Enabled = true, Port = _server.Port, TimeoutMs = 500 } };
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Test]
    public async Task VerifyAsync_ServerHoldsThePassword_Passes()
    {
        _server.File(PasswordPath, "s3cret-0ne-time\n"u8.ToArray());

        var failure = await Check.VerifyAsync(Loopback, "carol", "s3cret-0ne-time", CancellationToken.None);

        Assert.That(failure, Is.Null);
        Assert.That(_server.Hits[PasswordPath], Is.EqualTo(1));
    }

    [Test]
    public async Task VerifyAsync_Proven_IsListedAmongTheProofsOnceWithItsLatestTime()
    {
        _server.File(PasswordPath, "s3cret-0ne-time\n"u8.ToArray());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var check = new ReverseRoutabilityCheck(_services.GetRequiredService<IHttpClientFactory>(), Options.Create(_options), time, NullLogger<ReverseRoutabilityCheck>.Instance);

        await check.VerifyAsync(Loopback, "carol", "s3cret-0ne-time", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        await check.VerifyAsync(Loopback, "carol", "s3cret-0ne-time", CancellationToken.None);

        Assert.That(check.Proofs(), Is.EqualTo(new[]
        {
            new OwnershipProof { Time = time.GetUtcNow(), User = "carol", Prefix = Loopback, Url = check.UrlOf(Loopback.Address) },
        }));
        Assert.That(check.Proofs("dave"), Is.Empty, "one user's proofs are not another's");
    }

    [Test]
    public async Task VerifyAsync_NotProven_IsNotListedAmongTheProofs()
    {
        _server.File(PasswordPath, "another"u8.ToArray());
        var check = Check;

        await check.VerifyAsync(Loopback, "carol", "s3cret", CancellationToken.None);

        Assert.That(check.Proofs(), Is.Empty);
    }

    [Test]
    public async Task VerifyAsync_ServerHoldsAnotherPassword_SaysItDoesNotMatch()
    {
        _server.File(PasswordPath, "another"u8.ToArray());

        var failure = await Check.VerifyAsync(Loopback, "carol", "s3cret", CancellationToken.None);

        Assert.That(failure, Does.Contain("does not match").And.Contain($"http://127.0.0.1:{_server.Port}{PasswordPath}"));
    }

    [Test]
    public async Task VerifyAsync_PasswordIsAPrefixOfTheStoredOne_DoesNotMatch()
    {
        _server.File(PasswordPath, "s3cret-and-more"u8.ToArray());

        var failure = await Check.VerifyAsync(Loopback, "carol", "s3cret", CancellationToken.None);

        Assert.That(failure, Does.Contain("does not match"));
    }

    [Test]
    public async Task VerifyAsync_NoPasswordStored_SaysWhatTheServerAnswered()
    {
        _server.NotFound(PasswordPath);

        var failure = await Check.VerifyAsync(Loopback, "carol", "s3cret", CancellationToken.None);

        Assert.That(failure, Does.Contain("answered HTTP 404"));
    }

    [Test]
    public async Task VerifyAsync_ServerThatNeverAnswers_TimesOut()
    {
        _server.Stall(PasswordPath, announced: 32);

        var failure = await Check.VerifyAsync(Loopback, "carol", "s3cret", CancellationToken.None);

        Assert.That(failure, Does.Contain("did not answer within 500 ms"));
    }

    [Test]
    public async Task VerifyAsync_AnswerLongerThanAPassword_IsRefusedUnread()
    {
        _server.File(PasswordPath, new byte[4096], announceLength: false);

        var failure = await Check.VerifyAsync(Loopback, "carol", "s3cret", CancellationToken.None);

        Assert.That(failure, Does.Contain("longer than 1024 bytes"));
    }

    [Test]
    public async Task VerifyAsync_Prefix_IsRefusedWithoutAsking()
    {
        var failure = await Check.VerifyAsync(Ipv4Prefix.Parse("127.0.0.0/24"), "carol", "s3cret", CancellationToken.None);

        Assert.That(failure, Does.Contain("single addresses only"));
        Assert.That(_server.Hits, Is.Empty);
    }

    [Test]
    public async Task VerifyAsync_CheckDisabled_IsRefusedWithoutAsking()
    {
        _options.ReverseRoutability.Enabled = false;

        var failure = await Check.VerifyAsync(Loopback, "carol", "s3cret", CancellationToken.None);

        Assert.That(failure, Does.Contain("ReverseRoutability:Enabled is false"));
        Assert.That(_server.Hits, Is.Empty);
    }

    [Test]
    public void UrlTemplate_NamesPortAndPath()
    {
        Assert.That(Check.UrlTemplate, Is.EqualTo($"http://{{address}}:{_server.Port}{PasswordPath}"));
    }
}
