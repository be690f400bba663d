using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NetServ.Contracts.Control;

namespace NetServ.Contracts.Status;

/// <summary>Source-generated JSON for the node's status: camelCase names, times as round-trip ("O") text.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(RoundTripTimeConverter), typeof(Ipv4PrefixJsonConverter)])]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(ContainerReport))]
[JsonSerializable(typeof(ModuleStatus))]
public sealed partial class StatusJsonContext : JsonSerializerContext;

/// <summary>
/// Writes times as <c>DateTimeOffset.ToString("O")</c> (always seven fraction digits), the form status
/// had before it was typed, where the serializer's default drops trailing zeros.
/// </summary>
internal sealed class RoundTripTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
    }
}
