using System.Text.Json.Nodes;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

/// <summary>The response stack as JSON: what <c>netserv setup|remove|probe|request --json</c> prints and the lab's runner reads back.</summary>
[TestFixture]
public sealed class PathResponseJsonTests
{
    [Test]
    public void TryFromJson_AsTheCommandLinePrintsIt_ReadsEveryNodeInPathOrder()
    {
        // Printed by `netserv setup ... --json` through a router and an edge node, the edge refusing.
        var printed = """
            {
              "method": "SETUP",
              "target": "NetServ.Apps.NetMonitor_1.0.0",
              "status": 403,
              "nodes": [
                { "node": "router", "address": "198.18.0.2", "status": 200, "error": null, "data": { "expires": "2026-12-06T10:00:00Z" } },
                { "node": "edge", "address": "198.18.1.2", "status": 403, "error": "user 'demo' may not claim 10.0.0.0/8", "data": null }
              ],
              "destination": "198.18.2.2",
              "elapsedMilliseconds": 41.5
            }
            """;

        var read = PathResponse.TryFromJson(JsonNode.Parse(printed)!.AsObject(), out var stack, out var error);

        Assert.That(read, Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That((stack!.Method, stack.Target, stack.Status), Is.EqualTo((NslpMethod.Setup, "NetServ.Apps.NetMonitor_1.0.0", 403)));
            Assert.That(stack.Nodes.Select(n => (n.Node, n.Address, n.Status, n.Succeeded)), Is.EqualTo(new[] { ("router", "198.18.0.2", 200, true), ("edge", "198.18.1.2", 403, false) }));
            Assert.That(stack.Nodes[1].Error, Does.Contain("10.0.0.0/8"));
            Assert.That(stack.Nodes[0].Data!["expires"]!.GetValue<string>(), Is.EqualTo("2026-12-06T10:00:00Z"));
        });
    }

    [Test]
    public void TryFromJson_WhatToJsonWrote_IsTheSameStack()
    {
        var original = new PathResponse
        {
            Method = NslpMethod.Probe,
            Target = "status",
            Nodes = [new NodeResult { Node = "router", Address = "198.18.0.2", Status = 200, Data = new JsonObject { ["live"] = 1 } }],
        };

        PathResponse.TryFromJson(original.ToJson(), out var read, out _);

        Assert.That(read!.ToJson().ToJsonString(), Is.EqualTo(original.ToJson().ToJsonString()));
    }

    [TestCase("""{ "method": "GET", "nodes": [] }""", "unknown method")]
    [TestCase("""{ "method": "SETUP", "nodes": [ { "address": "198.18.0.2", "status": 200 } ] }""", "no node")]
    [TestCase("""{ "method": "SETUP", "nodes": [ { "node": "r", "address": "198.18.0.2", "status": "OK" } ] }""", "malformed")]
    public void TryFromJson_MalformedStack_SaysWhyWithoutThrowing(string json, string expected)
    {
        var read = PathResponse.TryFromJson(JsonNode.Parse(json)!.AsObject(), out var stack, out var error);

        Assert.That((read, stack), Is.EqualTo((false, (PathResponse?)null)));
        Assert.That(error, Does.Contain(expected));
    }
}
