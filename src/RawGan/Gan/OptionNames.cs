using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace RawGan.Gan;

/// <summary>
/// The names of a config's enumerated options, as JSON files and command-line flags spell them: each member's
/// <see cref="JsonStringEnumMemberNameAttribute"/> (mlp, dcgan, …). The set is closed: any other text, a number or
/// another casing included, is an error that lists the accepted names.
/// </summary>
public static class OptionNames
{
    /// <summary>The name of <paramref name="value"/>, e.g. "cdcgan" for <see cref="ModelKind.Cdcgan"/>.</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        Table<T>.Names.TryGetValue(value, out string? name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a {typeof(T).Name}.");

    /// <summary>The accepted names in declaration order, as a sentence: "bce or mse".</summary>
    public static string Accepted<T>() where T : struct, Enum => Table<T>.Accepted;

    /// <summary>The value named <paramref name="text"/>, or false.</summary>
    public static bool TryParse<T>(string text, out T value) where T : struct, Enum => Table<T>.Values.TryGetValue(text, out value);

    /// <summary>The value named <paramref name="text"/>; otherwise an error naming <paramref name="option"/>
    /// ("--loss must be bce or mse, not 'huber'.").</summary>
    public static T Parse<T>(string option, string text) where T : struct, Enum =>
        TryParse(text, out T value) ? value : throw new ArgumentException($"{option} must be {Accepted<T>()}, not '{text}'.");

    private static class Table<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Names = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToFrozenDictionary(f => (T)f.GetValue(null)!, f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                ?? throw new InvalidOperationException($"{typeof(T).Name}.{f.Name} has no [JsonStringEnumMemberName]."));
        public static readonly FrozenDictionary<string, T> Values = Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        public static readonly string Accepted = Sentence(Enum.GetValues<T>().Select(v => Names[v]).ToArray());

        private static string Sentence(string[] names) =>
            names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
    }
}
