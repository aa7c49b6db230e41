using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace RawGan.Gan;

/// <summary>
/// Marks a <see cref="GanConfig"/> key added after runs were first saved: it is written only when it differs from
/// its default, so a run that does not use it writes its config.json and checkpoint metadata byte for byte as the
/// builds before the key did (tests/RawGan.Tests/Gan/LegacyCheckpointTests.cs). Reading is unchanged: a missing key
/// takes its default.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WrittenWhenSetAttribute : Attribute
{
    private static readonly GanConfig Defaults = new();

    /// <summary>The <see cref="DefaultJsonTypeInfoResolver"/> modifier that applies the attribute.</summary>
    public static void Apply(JsonTypeInfo info)
    {
        if (info.Type != typeof(GanConfig)) return;
        foreach (JsonPropertyInfo property in info.Properties)
        {
            if (property.AttributeProvider is not PropertyInfo member || member.GetCustomAttribute<WrittenWhenSetAttribute>() is null) continue;
            object? defaultValue = member.GetValue(Defaults);
            property.ShouldSerialize = (_, value) => !Equals(value, defaultValue);
        }
    }
}
