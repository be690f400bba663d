using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetServ.Traffic;

/// <summary>
/// A paced run's <see cref="GeneratorResult"/> as JSON: what <c>netserv traffic paced --json</c> prints on a node, and what
/// the lab's runner reads back from it over SSH.
/// </summary>
public static class GeneratorResultJson
{
    /// <summary><paramref name="result"/> on one line.</summary>
    public static string Write(GeneratorResult result) => JsonSerializer.Serialize(result, GeneratorResultJsonContext.Default.GeneratorResult);

    /// <summary>The result <see cref="Write"/> wrote.</summary>
    /// <exception cref="FormatException"><paramref name="json"/> is no such result.</exception>
    public static GeneratorResult Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, GeneratorResultJsonContext.Default.GeneratorResult)
                ?? throw new FormatException("the generator printed null instead of its result");
        }
        catch (JsonException e)
        {
            throw new FormatException($"the generator's output is not its JSON result: {e.Message}", e);
        }
    }
}

/// <summary>The source-generated serializer of <see cref="GeneratorResultJson"/>.</summary>
[JsonSerializable(typeof(GeneratorResult))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true)]
internal sealed partial class GeneratorResultJsonContext : JsonSerializerContext;
