namespace NetServ.RSpec.Tests;

[TestFixture]
public sealed class ValueListTests
{
    [Test]
    public void Equals_SameItemsInTheSameOrder_IsTrue()
    {
        ValueList<string> a = ["x", "y"];
        ValueList<string> b = ["x", "y"];

        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
    }

    [Test]
    public void Equals_OtherOrderOrLength_IsFalse()
    {
        ValueList<string> a = ["x", "y"];

        Assert.That(a.Equals(["y", "x"]), Is.False);
        Assert.That(a.Equals(["x"]), Is.False);
        Assert.That(a.Equals(null), Is.False);
    }

    [Test]
    public void Create_CopiesItsItems()
    {
        var items = new[] { "x" };
        var list = ValueList.Create<string>(items);

        items[0] = "changed";

        Assert.That(list[0], Is.EqualTo("x"));
    }

    [Test]
    public void Records_HoldingLists_CompareByValue()
    {
        var link = new RSpecLink("l", ["a", "b"], null, []);

        Assert.That(link, Is.EqualTo(new RSpecLink("l", ["a", "b"], null, [])));
        Assert.That(link, Is.Not.EqualTo(new RSpecLink("l", ["a"], null, [])));
    }
}
