using System.Reflection;
using System.Text.Json;

namespace RawGan.Gan;

/// <summary>
/// What is wrong with a JSON config, in the user's terms: an unknown key with the nearest valid one and the list of
/// valid keys, or a value of the wrong kind with the key, the kind expected and the line (counted from 1), instead
/// of the serializer's .NET type names and 0-based positions.
/// </summary>
internal static class ConfigJson
{
    private static readonly Dictionary<string, Type> Keys = typeof(GanConfig)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .ToDictionary(p => GanConfig.Json.PropertyNamingPolicy!.ConvertName(p.Name), p => p.PropertyType);

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when the top-level
    /// object has a key that is not a config property.</summary>
    public static void CheckKeys(string json, string source)
    {
        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"Config {source} is not valid: it must hold one JSON object ({{ \"model\": \"dcgan\", … }}).");
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (Keys.ContainsKey(property.Name)) continue;
            string nearest = Keys.Keys.MinBy(k => Distance(k.ToLowerInvariant(), property.Name.ToLowerInvariant()))!;
            string suggestion = Distance(nearest.ToLowerInvariant(), property.Name.ToLowerInvariant()) <= 3 ? $" (did you mean '{nearest}'?)" : "";
            throw new InvalidDataException($"Config {source}: unknown key '{property.Name}'{suggestion}. Valid keys: {string.Join(", ", Keys.Keys)}.");
        }
    }

    /// <summary>The serializer's error restated: which key, what kind of value it takes, and on which line.</summary>
    public static string Describe(JsonException e, string source)
    {
        string line = e.LineNumber is long n ? $", line {n + 1}" : "";
        string key = e.Path?.StartsWith("$.", StringComparison.Ordinal) == true ? e.Path[2..] : "";
        if (e is UnknownOptionNameException)
            return $"Config {source}{line}: {key} {e.Message}";
        if (Keys.TryGetValue(key, out Type? type))
            return $"Config {source}{line}: '{key}' takes {Kind(type)}.";
        return $"Config {source}{line} is not valid JSON.";
    }

    private static string Kind(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        string kind = t == typeof(double) ? "a number" : t == typeof(bool) ? "true or false" : t == typeof(string) ? "a string"
            : t == typeof(ulong) ? "a non-negative whole number" : t.IsPrimitive ? "a whole number" : t.IsEnum ? "one of its names as a string"
            : "a value of another kind";
        return t != type ? kind + " or null" : kind;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
