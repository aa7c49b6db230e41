using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawGan.Gan;

/// <summary>Reads and writes every enumerated option as its <see cref="OptionNames"/> name; an unknown name is a
/// <see cref="JsonException"/> naming the key and the accepted names.</summary>
internal sealed class OptionNameConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string text = reader.TokenType == JsonTokenType.String ? reader.GetString()! : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            return OptionNames.TryParse(text, out T value) ? value : throw new UnknownOptionNameException($"must be {OptionNames.Accepted<T>()}, not '{text}'.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(OptionNames.Name(value));
    }
}

/// <summary>A JSON value that is not one of its option's names. The message lacks the key: the serializer knows it
/// (<see cref="JsonException.Path"/>) and <see cref="GanConfig.FromJson"/> puts it in front ("loss must be bce or mse, …").</summary>
internal sealed class UnknownOptionNameException(string message) : JsonException(message);
