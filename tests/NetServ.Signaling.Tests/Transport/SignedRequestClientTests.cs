using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;

namespace NetServ.Signaling.Tests.Transport;

/// <summary>The one place a user's request is named, signed, sent and read back.</summary>
[TestFixture]
public sealed class SignedRequestClientTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Sign_PutsTheUsersName_AndASignatureTheNodeVerifies()
    {
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        await using var client = Start();
        var signed = new SignedRequestClient(client, "alice", key, new FakeTimeProvider(Now));

        var request = signed.Sign(NslpRequests.Remove("NetServ.Apps.NetMonitor_1.0.0"));

        Assert.That(request.Headers[NslpHeaderNames.User], Is.EqualTo("alice"));
        Assert.That(NslpSignature.Verify(request, key.PublicKey, Now, out var error), Is.True, error);
    }

    [Test]
    public async Task SignTrigger_SignsTheInnerRequestAndTheTrigger()
    {
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        await using var client = Start();
        var signed = new SignedRequestClient(client, "alice", key, new FakeTimeProvider(Now));

        var trigger = signed.SignTrigger(NslpRequests.Probe(ProbeKind.Status));

        Assert.That(NslpCodec.TryParseWhole(trigger.Body.Span, out var inner, out var parseError), Is.True, parseError);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(trigger.Method, Is.EqualTo(NslpMethod.Trigger));
            Assert.That(NslpSignature.Verify(trigger, key.PublicKey, Now, out var outerError), Is.True, outerError);
            Assert.That(NslpSignature.Verify((NslpRequest)inner!, key.PublicKey, Now, out var innerError), Is.True, innerError);
            Assert.That(((NslpRequest)inner!).Headers[NslpHeaderNames.User], Is.EqualTo("alice"));
        }
    }

    [Test]
    public async Task SendForPathAsync_WithNoNetServNodeOnThePath_FailsWithoutAnAnswer()
    {
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        await using var client = Start();
        var signed = new SignedRequestClient(client, "alice", key, TimeProvider.System);

        var failure = Assert.ThrowsAsync<SignalingException>(() =>
            signed.SendForPathAsync(Ipv4Address.Parse("127.0.0.1"), NslpRequests.Probe(ProbeKind.Status), TimeSpan.FromSeconds(3), CancellationToken.None));

        Assert.That(failure!.Response, Is.Null);
    }

    private static SignalingClient Start() =>
        SignalingClient.Start(
            new SignalingClientOptions { Name = "signed-request-client-test", QueryTimeout = TimeSpan.FromMilliseconds(20), QueryRetries = 1 },
            NullLogger.Instance,
            TimeProvider.System);
}
