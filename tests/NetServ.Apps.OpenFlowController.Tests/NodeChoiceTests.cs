namespace NetServ.Apps.OpenFlowController.Tests;

/// <summary>How the controller picks a flow's NetServ node among the live ones (rendezvous hashing).</summary>
public sealed class NodeChoiceTests
{
    private static readonly uint[] Hashes = [.. Enumerable.Range(0, 3000).Select(i => (uint)i * 2_654_435_761u)];

    [Test]
    public void Preferred_ThreeLiveNodes_SpreadsFlowsOverAllOfThem()
    {
        var counts = new int[3];
        foreach (var hash in Hashes)
        {
            counts[LearningController.Preferred(hash, [0, 1, 2])]++;
        }

        Assert.That(counts, Has.All.InRange(800, 1200), "about a third each");
    }

    [Test]
    public void Preferred_ANodeGoesDown_OnlyItsFlowsMove_AndTheyComeBackWhenItReturns()
    {
        foreach (var hash in Hashes)
        {
            var all = LearningController.Preferred(hash, [0, 1, 2]);
            var without1 = LearningController.Preferred(hash, [0, 2]);
            if (all != 1)
            {
                Assert.That(without1, Is.EqualTo(all), $"flow {hash:x8} was not on the node that went down, so it stays");
            }

            Assert.That(without1, Is.Not.EqualTo(1));
        }
    }

    [Test]
    public void Preferred_OneLiveNode_IsThatNode()
    {
        Assert.That(Hashes.Select(h => LearningController.Preferred(h, [2])), Has.All.EqualTo(2));
    }
}
