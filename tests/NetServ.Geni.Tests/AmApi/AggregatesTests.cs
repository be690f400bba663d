using NetServ.Geni.AmApi;

namespace NetServ.Geni.Tests.AmApi;

public sealed class AggregatesTests
{
    [TestCase("cloudlab-utah", "https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0", "urn:publicid:IDN+utah.cloudlab.us+authority+cm")]
    [TestCase("utah", "https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0", "urn:publicid:IDN+utah.cloudlab.us+authority+cm")]
    [TestCase("Wisconsin", "https://www.wisc.cloudlab.us:12369/protogeni/xmlrpc/am/3.0", "urn:publicid:IDN+wisc.cloudlab.us+authority+cm")]
    [TestCase("clemson", "https://www.clemson.cloudlab.us:12369/protogeni/xmlrpc/am/3.0", "urn:publicid:IDN+clemson.cloudlab.us+authority+cm")]
    [TestCase("emulab", "https://www.emulab.net:12369/protogeni/xmlrpc/am/3.0", "urn:publicid:IDN+emulab.net+authority+cm")]
    [TestCase("apt", "https://www.apt.emulab.net:12369/protogeni/xmlrpc/am/3.0", "urn:publicid:IDN+apt.emulab.net+authority+cm")]
    public void Resolve_Name_GivesUrlAndUrn(string name, string url, string urn)
    {
        var aggregate = Aggregates.Resolve(name);

        Assert.That((aggregate.Url, aggregate.Urn), Is.EqualTo((new Uri(url), urn)));
    }

    [Test]
    public void Resolve_Local_GivesLoopbackOnTheDefaultPort()
    {
        Assert.That(Aggregates.Resolve("local").Url, Is.EqualTo(new Uri("https://127.0.0.1:12369/")));
    }

    [Test]
    public void Resolve_LocalWithPort_GivesLoopbackOnThatPort()
    {
        var aggregate = Aggregates.Resolve("local:8443");

        Assert.That((aggregate.Name, aggregate.Url), Is.EqualTo(("local", new Uri("https://127.0.0.1:8443/"))));
    }

    [Test]
    public void Resolve_UrlOfAKnownAggregate_GivesItsName()
    {
        Assert.That(Aggregates.Resolve("https://www.emulab.net:12369/protogeni/xmlrpc/am/3.0").Name, Is.EqualTo("emulab"));
    }

    [Test]
    public void Resolve_OtherHttpsUrl_IsNamedByItsHost()
    {
        var aggregate = Aggregates.Resolve("https://instageni.example.edu:12369/protogeni/xmlrpc/am/3.0");

        Assert.That((aggregate.Name, aggregate.Urn), Is.EqualTo(("instageni.example.edu", (string?)null)));
    }

    [TestCase("http://www.emulab.net/am", "'http://www.emulab.net/am' is not an https:// URL: aggregates speak the AM API over HTTPS only")]
    [TestCase("local:0", "'local:0': local:PORT takes a port number from 1 to 65535")]
    [TestCase("mars", "'mars' is neither a known aggregate (cloudlab-utah, cloudlab-wisconsin, cloudlab-clemson, emulab, apt, local, or local:PORT) nor an https:// URL")]
    public void TryResolve_Unknown_SaysWhatIsAccepted(string text, string message)
    {
        Assert.That(Aggregates.TryResolve(text, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(message));
    }
}
