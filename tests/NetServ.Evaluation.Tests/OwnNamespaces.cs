using NetServ.Testbed.Linux;

namespace NetServ.Evaluation.Tests;

/// <summary>
/// The namespaces this test process created and still has, of those that appeared since a moment. Another run
/// on the machine may create namespaces meanwhile: those are not this test's to count.
/// </summary>
internal static class OwnNamespaces
{
    public static IReadOnlyList<string> LeftSince(IEnumerable<string> before)
    {
        var recorded = LabRunRecord.Current.Resources.Where(r => r.Kind == RunResourceKind.Namespace).Select(r => r.Value).ToHashSet(StringComparer.Ordinal);
        return [.. NetworkNamespace.List().Except(before).Where(recorded.Contains)];
    }
}
