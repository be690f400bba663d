namespace NetServ.OpenFlow.Tests;

/// <summary>Test vectors are written as hex with spaces and line breaks between fields, as the spec's tables list them.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(string.Concat(hex.Where(Uri.IsHexDigit)));
}
