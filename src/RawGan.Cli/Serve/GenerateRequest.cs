using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace RawGan.Cli.Serve;

/// <summary>The JSON body of POST /generate.</summary>
internal sealed record GenerateRequest
{
    /// <summary>Which served model (see GET /models); may be left out when only one is served.</summary>
    public string? Model { get; init; }
    /// <summary>Seed of the latent codes, as `rawgan sample --seed` (default 0). Not with noise.</summary>
    public ulong? Seed { get; init; }
    /// <summary>Explicit latent codes: one list of nz finite numbers per image. Not with seed.</summary>
    public float[][]? Noise { get; init; }
    /// <summary>How many images (default 1, or the number of noise vectors).</summary>
    public int? Count { get; init; }
    /// <summary>Conditional models: the class of every image (default: cycle through the classes, as `rawgan sample`).</summary>
    public int? Label { get; init; }
    /// <summary>Clamp every latent value to ±truncation.</summary>
    public float? Truncation { get; init; }
    /// <summary>png (one image), grid (one PNG), zip (a PNG per image) or npy (float32 [N, C, H, W] in [-1, 1]); default png.</summary>
    public string? Format { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>What each field accepts, for the message when a value has the wrong type.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Accepts = new Dictionary<string, string>
    {
        ["model"] = "a model name from GET /models",
        ["seed"] = "an integer from 0 to 18446744073709551615",
        ["noise"] = "a list of lists of nz finite numbers, one list per image",
        ["count"] = "a positive integer",
        ["label"] = "an integer class from 0 to classes - 1",
        ["truncation"] = "a positive number",
        ["format"] = "png, grid, zip or npy",
    };

    /// <summary>Reads a body, turning malformed JSON, a wrong type or an unknown field into a <see cref="RequestProblem"/>.</summary>
    public static GenerateRequest Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize<GenerateRequest>(body, Options)
                   ?? throw new RequestProblem("body", "The body must be a JSON object, not null.", "a JSON object");
        }
        catch (JsonException e)
        {
            throw Explain(e);
        }
    }

    private static RequestProblem Explain(JsonException e)
    {
        // The serializer quotes an unknown member, and names by path ($.noise[0][3]) a value it could not convert.
        Match unknown = Regex.Match(e.Message, "The JSON property '([^']*)' could not be mapped");
        if (unknown.Success)
            return new RequestProblem(unknown.Groups[1].Value, $"Unknown field '{unknown.Groups[1].Value}'.", $"the fields {string.Join(", ", Accepts.Keys)}");
        if (!e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return new RequestProblem("body", $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", "a JSON object");
        string path = e.Path ?? "$";
        string field = Regex.Match(path, @"^\$\.([A-Za-z]+)").Groups[1].Value;
        if (!Accepts.TryGetValue(field, out string? allowed))
            return new RequestProblem("body", "The body must be a JSON object.", "a JSON object");
        return new RequestProblem(field, $"{path[2..]} has the wrong type or value; it must be {allowed}.", allowed);
    }
}
