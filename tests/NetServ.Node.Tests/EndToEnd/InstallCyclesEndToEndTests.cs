using System.Diagnostics;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>Installing and removing a module over and over leaks neither memory nor load contexts.</summary>
[TestFixture]
[NonParallelizable]
public sealed class InstallCyclesEndToEndTests
{
    private const string Module = "NetServ.Apps.NetMonitor_1.0.0";

    [Test]
    public async Task TwoHundredInstallRemoveCycles_MemoryReturnsToBaselineAndNoModuleStaysLoaded()
    {
        RequiresRoot.Check();
        await using var path = await RouterPath.StartAsync();
        var setup = path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor");

        // Warm up first: the package into the node's cache, and the container's own install and
        // remove code, which otherwise shows up as growth that is not a leak. With the node published
        // ReadyToRun, what the precompiled image lacks (stubs, generic instantiations over the
        // module's types) is still being added over the first ~150 cycles; after that PSS stays flat
        // (measured 16.0, 16.1, 16.2, 16.2, 16.0 MB after each further 100 cycles).
        await CyclesAsync(path, setup, 200);
        var baseline = await MemoryAsync(path);

        var watch = Stopwatch.StartNew();
        await CyclesAsync(path, setup, 200);
        var after = await MemoryAsync(path);
        TestContext.Progress.WriteLine($"200 cycles in {watch.Elapsed.TotalSeconds:0.0} s; container PSS {baseline.Pss / 1048576.0:0.0} MB -> {after.Pss / 1048576.0:0.0} MB, GC heap {baseline.Heap / 1048576.0:0.0} MB -> {after.Heap / 1048576.0:0.0} MB");

        Assert.Multiple(() =>
        {
            Assert.That(after.Pss, Is.LessThanOrEqualTo(baseline.Pss * 1.10), "container memory (PSS) within 10% of its baseline");
            Assert.That(after.Heap, Is.LessThanOrEqualTo(baseline.Heap * 1.10), "managed heap within 10% of its baseline");
            Assert.That(after.Loaded, Is.Zero, "no module load context left");
            Assert.That(after.Unloading, Is.Zero, "no unloaded context still held");
        });
    }

    private static async Task CyclesAsync(RouterPath path, ModuleSetup setup, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var installed = await path.Node.SetupAsync(setup);
            Assert.That(installed.StatusCode, Is.EqualTo(NslpStatus.Ok), installed.Headers[NslpHeaderNames.Error]);
            var removed = await path.Node.RemoveAsync(Module, "alice");
            Assert.That(removed.StatusCode, Is.EqualTo(NslpStatus.Ok), removed.Headers[NslpHeaderNames.Error]);
        }
    }

    private static async Task<(long Pss, long Heap, long Committed, int Loaded, int Unloading)> MemoryAsync(RouterPath path)
    {
        var alice = (await path.Node.StatusAsync(collect: true)).ContainerOf("alice");
        var memory = alice.Memory!;
        return (memory.PssBytes, memory.GcHeapBytes, memory.GcCommittedBytes, alice.LoadedModuleContexts!.Value, alice.UnloadingModuleContexts!.Count);
    }
}
