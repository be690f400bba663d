using NetServ.Sip;

namespace NetServ.Apps.OverloadControl.Tests;

/// <summary>
/// The fuzz target of the module's parsing: whatever the bytes, nothing throws, feedback that
/// parses formats and parses again to the same policy, and every request the module would throttle
/// can be answered with a 503.
/// </summary>
internal static class OverloadControlFuzz
{
    private static readonly byte[] Buffer = new byte[70_000];

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        if (OverloadFeedback.TryParse(input, out var feedback))
        {
            if (!feedback.TryFormat(Buffer, out var written) || !OverloadFeedback.TryParse(Buffer.AsSpan(0, written), out var again)
                || again.Kind != feedback.Kind || again.Sequence != feedback.Sequence)
            {
                throw new InvalidOperationException("parsed feedback does not format and parse again");
            }
        }

        if (SipRequestClassifier.Classify(input) == SipRequestKind.Initial
            && !SipResponseWriter.TryWriteResponse(Buffer, input, 503, "Service Unavailable"u8, "fz"u8, "Retry-After: 5\r\n"u8, out _))
        {
            throw new InvalidOperationException("a throttled request whose 503 cannot be written");
        }
    }
}
