using System.Text.Json;
using System.Text.Json.Serialization;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Contracts.Control;

/// <summary>A <see cref="FilterProtocol"/> as <c>filter-proto</c> spells it: <c>"udp"</c>, <c>"tcp"</c>, <c>"any"</c>.</summary>
internal sealed class FilterProtocolJsonConverter : JsonConverter<FilterProtocol>
{
    public override FilterProtocol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return PacketFilter.TryParseProtocol(text, out var protocol)
            ? protocol
            : throw new JsonException($"filter protocol '{text}' is not udp, tcp or any");
    }

    public override void Write(Utf8JsonWriter writer, FilterProtocol value, JsonSerializerOptions options) =>
        writer.WriteStringValue(PacketFilter.ProtocolName(value));
}

/// <summary>An <see cref="Ipv4Prefix"/> as its text, <c>"198.19.0.0/24"</c>.</summary>
internal sealed class Ipv4PrefixJsonConverter : JsonConverter<Ipv4Prefix>
{
    public override Ipv4Prefix Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return Ipv4Prefix.TryParse(text, out var prefix)
            ? prefix
            : throw new JsonException($"filter destination '{text}' is not an IPv4 prefix");
    }

    public override void Write(Utf8JsonWriter writer, Ipv4Prefix value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
