using NetServ.Evaluation.Mlffr;

namespace NetServ.Evaluation.Tests.Mlffr;

[TestFixture]
public sealed class MlffrSearchTests
{
    private const double TrialSeconds = 2;

    [TestCase(786_000)]
    [TestCase(188_000)]
    [TestCase(71_000)]
    [TestCase(12_345)]
    [TestCase(1_500)]
    public void Run_DeviceOfKnownCapacity_FindsItWithinTheResolution(double capacity)
    {
        var options = new MlffrSearchOptions { HighRate = 900_000, Resolution = 1_000, RelativeResolution = 0.02 };

        var result = new MlffrSearch(options).Run(rate => Device(rate, capacity));

        var resolution = Math.Max(options.Resolution, options.RelativeResolution * capacity);
        Assert.Multiple(() =>
        {
            Assert.That(result.Mlffr, Is.LessThanOrEqualTo(capacity), "never above what the device forwards without loss");
            Assert.That(result.Mlffr, Is.GreaterThanOrEqualTo(capacity - resolution - 1), "within the resolution below it");
            Assert.That(result.LowestFailure, Is.GreaterThan(capacity));
            Assert.That(result.Unresolved, Is.False);
            Assert.That(result.Steps, Has.Count.LessThanOrEqualTo(options.MaxTrials));
        });
    }

    [Test]
    public void Run_DeviceFasterThanTheGenerator_ReturnsTheHighBoundAfterOneTrial()
    {
        var options = new MlffrSearchOptions { HighRate = 600_000 };

        var result = new MlffrSearch(options).Run(rate => Device(rate, capacity: 2_000_000));

        Assert.Multiple(() =>
        {
            Assert.That(result.Mlffr, Is.EqualTo(600_000));
            Assert.That(result.LimitedByGenerator, Is.True);
            Assert.That(result.Steps, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Run_DeviceSlowerThanTheLowBound_ReturnsZero()
    {
        var options = new MlffrSearchOptions { HighRate = 600_000, LowRate = 1_000 };

        var result = new MlffrSearch(options).Run(rate => Device(rate, capacity: 500));

        Assert.Multiple(() =>
        {
            Assert.That(result.Mlffr, Is.Zero);
            Assert.That(result.Steps[^1].Trial.Rate, Is.EqualTo(1_000), "the low bound itself was tried");
            Assert.That(result.Steps.All(s => !s.Passed), Is.True);
        });
    }

    [Test]
    public void Run_EveryTrialIsAtARateWithinTheBounds()
    {
        var options = new MlffrSearchOptions { HighRate = 700_000, LowRate = 1_000 };
        var rates = new List<double>();

        new MlffrSearch(options).Run(rate =>
        {
            rates.Add(rate);
            return Device(rate, capacity: 123_000);
        });

        Assert.That(rates, Is.All.InRange(1_000, 700_000));
    }

    [Test]
    public void Judge_FailedSendsCountAsOfferedAndLost()
    {
        // The kernel refused 10 of 200 000 sends: the receiver saw only those that were taken.
        var trial = new TrialResult { Rate = 100_000, Requested = 200_000, Offered = 200_000, FailedSends = 10, Received = 199_990, OfferedRate = 100_000 };

        Assert.That(MlffrSearch.Judge(trial, new MlffrSearchOptions { HighRate = 1e6 }), Is.EqualTo(TrialOutcome.Loss));
    }

    [Test]
    public void Judge_PacketsThatBypassedAFullQueue_CountAsLoss()
    {
        // Fail-open let every packet through, but 500 of them never reached the container.
        var trial = new TrialResult { Rate = 100_000, Requested = 200_000, Offered = 200_000, Received = 200_000, Bypassed = 500, OfferedRate = 100_000 };

        Assert.That(MlffrSearch.Judge(trial, new MlffrSearchOptions { HighRate = 1e6 }), Is.EqualTo(TrialOutcome.Bypass));
    }

    [Test]
    public void Judge_GeneratorBelowTheRequestedRate_DoesNotPass()
    {
        var trial = new TrialResult { Rate = 100_000, Requested = 200_000, Offered = 200_000, Received = 200_000, OfferedRate = 95_000 };

        Assert.That(MlffrSearch.Judge(trial, new MlffrSearchOptions { HighRate = 1e6, RateTolerance = 0.02 }), Is.EqualTo(TrialOutcome.GeneratorLimited));
    }

    [Test]
    public void Judge_GeneratorSaysItFellShort_DoesNotPassEvenWithinTheSearchsTolerance()
    {
        // Click's counters, not the count and rate the trial saw, said it fell behind.
        var trial = Trial(100_000, 50_000, 50_000) with { GeneratorLimited = true };

        Assert.That(MlffrSearch.Judge(trial, new MlffrSearchOptions { HighRate = 1e6, RateTolerance = 0.5 }), Is.EqualTo(TrialOutcome.GeneratorLimited));
    }

    [Test]
    public void Judge_GeneratorStoppedBeforeItsCount_DoesNotPass()
    {
        var trial = new TrialResult { Rate = 100_000, Requested = 200_000, Offered = 150_000, Received = 150_000, OfferedRate = 100_000 };

        Assert.That(MlffrSearch.Judge(trial, new MlffrSearchOptions { HighRate = 1e6 }), Is.EqualTo(TrialOutcome.GeneratorLimited));
    }

    [Test]
    public void Judge_MoreReceivedThanOffered_IsInconsistent()
    {
        var trial = new TrialResult { Rate = 1_000, Requested = 2_000, Offered = 2_000, Received = 2_001, OfferedRate = 1_000 };

        Assert.That(MlffrSearch.Judge(trial, new MlffrSearchOptions { HighRate = 1e6 }), Is.EqualTo(TrialOutcome.Inconsistent));
    }

    [Test]
    public void Run_DeviceThatLosesOnePacketAboveItsCapacity_IsFoundExactlyAsWithLargeLosses()
    {
        // Zero loss means zero: a single lost packet fails the trial.
        var options = new MlffrSearchOptions { HighRate = 500_000, Resolution = 1_000, RelativeResolution = 0 };

        var result = new MlffrSearch(options).Run(rate => Device(rate, capacity: 200_000) with { });
        var nearly = new MlffrSearch(options).Run(rate =>
        {
            var offered = (long)(rate * TrialSeconds);
            return Trial(rate, offered, rate <= 200_000 ? offered : offered - 1);
        });

        Assert.That(nearly.Mlffr, Is.EqualTo(result.Mlffr));
    }

    [Test]
    public void Run_StopsAfterMaxTrials_AndSaysSo()
    {
        var options = new MlffrSearchOptions { HighRate = 1_000_000, Resolution = 1, RelativeResolution = 0, MaxTrials = 4 };

        var result = new MlffrSearch(options).Run(rate => Device(rate, capacity: 333_333));

        Assert.Multiple(() =>
        {
            Assert.That(result.Steps, Has.Count.EqualTo(4));
            Assert.That(result.Unresolved, Is.True);
        });
    }

    [TestCase(40_000)]
    [TestCase(8_000)]
    public void Run_NoPassWithinMaxTrials_KeepsHalvingUntilARatePasses(double capacity)
    {
        // The quick search's settings: five trials from a generator's 700 kpps reach only 44 kpps.
        var options = new MlffrSearchOptions { HighRate = 700_000, Resolution = 25_000, RelativeResolution = 0.25, MaxTrials = 5 };

        var result = new MlffrSearch(options).Run(rate => Device(rate, capacity));

        Assert.Multiple(() =>
        {
            Assert.That(result.Mlffr, Is.GreaterThan(0).And.LessThanOrEqualTo(capacity), "a forwarding device gets a rate, not 0");
            Assert.That(result.Steps.Count(s => s.Passed), Is.GreaterThanOrEqualTo(1));
            Assert.That(result.Steps, Has.Count.LessThanOrEqualTo(options.MaxTrials + (int)Math.Ceiling(Math.Log2(options.HighRate / options.Resolution))), "bounded");
        });
    }

    [Test]
    public void Run_Cancelled_StopsBeforeTheNextTrial()
    {
        using var cancel = new CancellationTokenSource();
        var trials = 0;

        Assert.Throws<OperationCanceledException>(() => new MlffrSearch(new MlffrSearchOptions { HighRate = 1e6 }).Run(
            rate =>
            {
                trials++;
                cancel.Cancel();
                return Device(rate, capacity: 100_000);
            },
            cancel.Token));
        Assert.That(trials, Is.EqualTo(1));
    }

    [Test]
    public void Run_WithConfirmation_APassingDisturbanceDoesNotEndTheSearchLow()
    {
        // The device carries 200 kpps, but the first trial at 125 kpps meets a stall and loses packets.
        var options = new MlffrSearchOptions { HighRate = 1_000_000, Resolution = 1_000, RelativeResolution = 0.02, Confirmations = 1 };
        var disturbed = false;

        var result = new MlffrSearch(options).Run(rate =>
        {
            if (!disturbed && rate < 200_000)
            {
                disturbed = true;
                var offered = (long)(rate * TrialSeconds);
                return Trial(rate, offered, offered - 10);
            }

            return Device(rate, capacity: 200_000);
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Mlffr, Is.InRange(196_000, 200_000));
            Assert.That(result.Steps.Count(s => s.Attempt == 2 && s.Passed), Is.EqualTo(1), "the disturbed rate passed when tried again");
        });
    }

    [Test]
    public void Run_WithConfirmation_ARateTheDeviceCannotCarryFailsEveryTime()
    {
        var options = new MlffrSearchOptions { HighRate = 1_000_000, Resolution = 1_000, RelativeResolution = 0.02, Confirmations = 2 };

        var result = new MlffrSearch(options).Run(rate => Device(rate, capacity: 300_000));

        Assert.Multiple(() =>
        {
            Assert.That(result.Mlffr, Is.InRange(294_000, 300_000));
            Assert.That(result.Steps.Where(s => s.Trial.Rate > 300_000).GroupBy(s => s.Trial.Rate).Select(g => g.Count()), Is.All.EqualTo(3), "each failing rate tried three times");
        });
    }

    [Test]
    public void Run_GeneratorSlowsAboveItsCeiling_StopsAtTheCeilingAndSaysTheGeneratorLimitedIt()
    {
        // Click's way (issue 16): above about 270 kpps it offers every packet, none is lost, but it takes longer.
        const double ceiling = 270_000;
        TrialResult SlowingGenerator(double rate)
        {
            var offered = (long)(rate * TrialSeconds);
            return Trial(rate, offered, offered) with { OfferedRate = Math.Min(rate, ceiling) };
        }

        var result = new MlffrSearch(new MlffrSearchOptions { HighRate = 1_000_000, Resolution = 1_000, RelativeResolution = 0.02 }).Run(SlowingGenerator);

        Assert.Multiple(() =>
        {
            Assert.That(result.Steps[0].Outcome, Is.EqualTo(TrialOutcome.GeneratorLimited), "1 Mpps asked, 270 kpps offered: never a pass");
            Assert.That(result.Steps.Skip(1).Select(s => s.Trial.Rate), Is.All.LessThanOrEqualTo(ceiling), "searched from the ceiling down");
            Assert.That(result.Steps.Where(s => s.Passed).Select(s => s.Trial.Rate), Is.All.LessThanOrEqualTo(ceiling));
            Assert.That(result.GeneratorCeiling, Is.EqualTo(ceiling));
            Assert.That(result.LimitedByGenerator, Is.True, "the device kept up with all the generator could offer");
            Assert.That(result.Mlffr, Is.InRange(ceiling * 0.96, ceiling));
        });
    }

    [Test]
    public void Run_DeviceLosesBelowTheGeneratorCeiling_IsNotLimitedByGenerator()
    {
        TrialResult Trial2(double rate)
        {
            var trial = Device(rate, capacity: 200_000);
            return trial with { OfferedRate = Math.Min(rate, 270_000) };
        }

        var result = new MlffrSearch(new MlffrSearchOptions { HighRate = 1_000_000, Resolution = 1_000, RelativeResolution = 0.02 }).Run(Trial2);

        Assert.Multiple(() =>
        {
            Assert.That(result.LimitedByGenerator, Is.False);
            Assert.That(result.Mlffr, Is.InRange(196_000, 200_000));
        });
    }

    /// <summary>A device that forwards up to <paramref name="capacity"/> packets per second and drops the excess.</summary>
    private static TrialResult Device(double rate, double capacity)
    {
        var offered = (long)(rate * TrialSeconds);
        var received = rate <= capacity ? offered : (long)(capacity * TrialSeconds);
        return Trial(rate, offered, received);
    }

    private static TrialResult Trial(double rate, long offered, long received) => new()
    {
        Rate = rate,
        Requested = offered,
        Offered = offered,
        Received = received,
        OfferedRate = rate,
        Duration = TimeSpan.FromSeconds(TrialSeconds),
    };
}
