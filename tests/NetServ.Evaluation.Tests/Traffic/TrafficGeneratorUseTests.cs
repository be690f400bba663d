using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Traffic;
using NetServ.Testbed.Linux;
using NetServ.Traffic;

namespace NetServ.Evaluation.Tests.Traffic;

/// <summary>Which generator a benchmark sends with, and how its results record it.</summary>
public sealed class TrafficGeneratorUseTests
{
    private static readonly ClickInstallation Installed = new() { Node = "ns-ab12-sender", Executable = "click", Version = "2.1" };

    private static readonly ClickInstallation Missing =
        ClickInstallation.FromVersionOutput("ns-ab12-sender", "/nonexistent/click", new CommandResult("/nonexistent/click --version", 127, string.Empty, "No such file or directory"));

    [Test]
    public void Resolve_ClickOnASenderWithoutClick_ThrowsNamingTheNode()
    {
        var e = Assert.Throws<ClickNotInstalledException>(() => TrafficGeneratorUse.Resolve(TrafficGeneratorChoice.Click, Missing));

        Assert.That(e!.Message, Does.StartWith("Click modular router not installed on node ns-ab12-sender"));
    }

    [Test]
    public void Resolve_AutoOnASenderWithoutClick_IsPacedAndSaysWhy()
    {
        var use = TrafficGeneratorUse.Resolve(TrafficGeneratorChoice.ClickIfInstalled, Missing);

        Assert.Multiple(() =>
        {
            Assert.That(use.Name, Is.EqualTo("paced"));
            Assert.That(use.Version, Is.Null);
            Assert.That(use.Describe(), Does.StartWith("paced (--generator auto: Click modular router not installed on node ns-ab12-sender"));
        });
    }

    [TestCase(TrafficGeneratorChoice.Click, "click 2.1 (--generator click)")]
    [TestCase(TrafficGeneratorChoice.ClickIfInstalled, "click 2.1 (--generator auto)")]
    [TestCase(TrafficGeneratorChoice.Paced, "paced (--generator paced)")]
    public void Resolve_OnASenderWithClick_GivesWhatWasAskedWithClicksVersion(TrafficGeneratorChoice asked, string described) =>
        Assert.That(TrafficGeneratorUse.Resolve(asked, Installed).Describe(), Is.EqualTo(described));

    [Test]
    public void PacedBecause_ClickAsked_IsAnErrorSayingWhy()
    {
        var e = Assert.Throws<ArgumentException>(() => TrafficGeneratorUse.PacedBecause(TrafficGeneratorChoice.Click, "Click sends one flow"));

        Assert.That(e!.Message, Does.StartWith("--generator click: Click sends one flow; use --generator paced"));
    }

    [Test]
    public void PacedBecause_AutoAsked_IsPacedWithTheReason()
    {
        var use = TrafficGeneratorUse.PacedBecause(TrafficGeneratorChoice.ClickIfInstalled, "Click sends one flow");

        Assert.Multiple(() =>
        {
            Assert.That(use.IsClick, Is.False);
            Assert.That(use.Describe(), Is.EqualTo("paced (--generator auto: Click sends one flow)"));
        });
    }

    [Test]
    public void FromJson_WhatToJsonWrote_IsTheSameGenerator()
    {
        var use = TrafficGeneratorUse.Click("2.1", TrafficGeneratorChoice.ClickIfInstalled);

        Assert.Multiple(() =>
        {
            Assert.That(TrafficGeneratorUse.FromJson(use.ToJson()), Is.EqualTo(use));
            Assert.That(TrafficGeneratorUse.FromJson(TrafficGeneratorUse.None("memory only").ToJson())!.Describe(), Is.EqualTo("none (memory only)"));
            Assert.That(TrafficGeneratorUse.FromJson(null), Is.Null);
        });
    }

    [Test]
    public void SuiteValidate_ClickWithLatencyLeftOut_AcceptsTheOptions()
    {
        var quick = EvaluationSuiteOptions.Quick();
        var options = quick with
        {
            Benchmarks = ["node-runtime"],
            NodeRuntime = quick.NodeRuntime with { Generator = TrafficGeneratorChoice.Click },
            Latency = quick.Latency with { Generator = TrafficGeneratorChoice.Click },
        };

        Assert.DoesNotThrow(options.Validate, "latency cannot use Click, but it does not run");
    }

    [Test]
    public void ContainersValidate_ClickWithOneContainer_AcceptsTheOptions()
    {
        var options = new NetServ.Evaluation.Containers.ContainersOptions { Counts = [1] };
        options = options with { Measurement = options.Measurement with { Generator = TrafficGeneratorChoice.Click } };

        Assert.DoesNotThrow(options.Validate, "one container: one flow, which Click sends");
    }
}
