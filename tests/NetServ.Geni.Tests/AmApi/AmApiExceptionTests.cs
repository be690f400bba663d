using NetServ.Geni.AmApi;

namespace NetServ.Geni.Tests.AmApi;

public sealed class AmApiExceptionTests
{
    private static readonly Aggregate Utah = Aggregates.Resolve("cloudlab-utah");

    private static IEnumerable<GeniCode> ErrorCodes => GeniCodes.All.Where(c => c != GeniCode.SUCCESS);

    [Test]
    public void GeniCodes_All_CoversTheStandardTable()
    {
        Assert.That(GeniCodes.All.Select(c => (int)c), Is.EquivalentTo(Enumerable.Range(0, 26).Append(-32001)));
    }

    [TestCaseSource(nameof(ErrorCodes))]
    public void FromCode_EveryCode_SaysCallAggregateCodeMeaningAndWhatToDo(GeniCode code)
    {
        var e = AmApiException.FromCode("Allocate", Utah, code, null, null, null);

        Assert.That(e.Message, Does.StartWith($"Allocate at cloudlab-utah (https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0) failed: {code} ({(int)code}): "));
        Assert.That(e.Message, Does.Contain(GeniCodes.Meaning(code)));
        Assert.That(e.Message, Does.Contain($"{Environment.NewLine}What to do: {GeniCodes.Advice(code)}."));
        Assert.That((e.Failure, e.Code), Is.EqualTo((AmApiFailure.Refused, (GeniCode?)code)));
    }

    [Test]
    public void FromCode_Forbidden_ReadsAsAWholeMessage()
    {
        var e = AmApiException.FromCode("Provision", Utah, GeniCode.FORBIDDEN, "protogeni", 3, "Not a member of project netserv");

        Assert.That(e.Message, Is.EqualTo(string.Join(Environment.NewLine,
            "Provision at cloudlab-utah (https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0) failed: FORBIDDEN (3) (protogeni code 3): your credentials do not allow this operation on this slice.",
            "The aggregate said: Not a member of project netserv",
            "What to do: check that the slice credential is for this slice and that you are a member of its project; fetch a fresh slice credential.")));
    }

    [Test]
    public void FromCode_CredentialCodes_EachSaysSomethingDifferent()
    {
        var advice = new[] { GeniCode.CREDENTIAL_INVALID, GeniCode.CREDENTIAL_EXPIRED, GeniCode.CREDENTIAL_MISMATCH, GeniCode.CREDENTIAL_SIGNER_UNTRUSTED }
            .Select(GeniCodes.Advice);

        Assert.That(advice, Is.Unique);
    }

    [Test]
    public void FromCode_UndefinedCode_SaysTheAggregateSentAnUndefinedCode()
    {
        var e = AmApiException.FromCode("Status", Utah, (GeniCode)42, null, null, null);

        Assert.That(e.Message, Does.Contain("failed: code 42 (42): the aggregate answered with code 42, which the AM API does not define."));
    }

    [Test]
    public void FromCode_OutputWithPythonTraceback_KeepsOnlyTheErrorLine()
    {
        const string output = "Traceback (most recent call last):\n  File \"/usr/testbed/lib/geni_am.py\", line 812, in Allocate\n    raise ValueError(msg)\nValueError: no such image UBUNTU99\n";

        var e = AmApiException.FromCode("Allocate", Utah, GeniCode.ERROR, null, null, output);

        Assert.That(e.Message, Does.Contain("The aggregate said: ValueError: no such image UBUNTU99"));
        Assert.That(e.Message, Does.Not.Contain("Traceback").And.Not.Contain("line 812"));
    }

    [Test]
    public void FromCode_LongOutput_IsCut()
    {
        var e = AmApiException.FromCode("Allocate", Utah, GeniCode.ERROR, null, null, new string('x', 5000));

        Assert.That(e.Message.Length, Is.LessThan(1000));
        Assert.That(e.Message, Does.Contain("x…"));
    }
}
