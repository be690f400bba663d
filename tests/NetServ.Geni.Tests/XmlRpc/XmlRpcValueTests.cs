using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.XmlRpc;

public sealed class XmlRpcValueTests
{
    [Test]
    public void AsStruct_OfString_SaysWhatItGot()
    {
        var e = Assert.Throws<XmlRpcTypeException>(() => new XmlRpcString("hello").AsStruct())!;

        Assert.That(e.Message, Is.EqualTo("expected struct, got string \"hello\""));
    }

    [Test]
    public void GetInt_MissingMember_NamesTheMembersThere()
    {
        var value = new XmlRpcStruct { { "geni_api", 3 } };

        var e = Assert.Throws<XmlRpcTypeException>(() => value.GetInt("code"))!;

        Assert.That(e.Message, Is.EqualTo("the struct has no member \"code\" (it has: geni_api)"));
    }

    [Test]
    public void GetInt_MemberOfOtherType_NamesTheMember()
    {
        var value = new XmlRpcStruct { { "geni_api", "3" } };

        var e = Assert.Throws<XmlRpcTypeException>(() => value.GetInt("geni_api"))!;

        Assert.That(e.Message, Is.EqualTo("member \"geni_api\": expected int, got string \"3\""));
    }

    [Test]
    public void Add_DuplicateName_Throws()
    {
        var value = new XmlRpcStruct { { "a", 1 } };

        Assert.Throws<ArgumentException>(() => value.Add("a", 2));
    }

    [Test]
    public void Equals_StructsWithMembersInOtherOrder_AreEqual()
    {
        Assert.That(new XmlRpcStruct { { "a", 1 }, { "b", "x" } }, Is.EqualTo(new XmlRpcStruct { { "b", "x" }, { "a", 1 } }));
        Assert.That(new XmlRpcStruct { { "a", 1 } }, Is.Not.EqualTo(new XmlRpcStruct { { "a", 2 } }));
    }

    [Test]
    public void AsDouble_OfInt_Widens()
    {
        Assert.That(new XmlRpcInt(3).AsDouble(), Is.EqualTo(3.0));
    }
}
