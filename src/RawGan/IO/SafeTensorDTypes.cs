namespace RawGan.IO;

/// <summary>The safetensors element types and their sizes in bytes, and the .NET types that map to them.</summary>
internal static class SafeTensorDTypes
{
    private static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    /// <summary>Bytes per element, or null for a name the format does not define.</summary>
    public static int? SizeOf(string dtype) => Sizes.TryGetValue(dtype, out int size) ? size : null;

    /// <summary>The dtype of <typeparamref name="T"/>: F32, F64, I32, I64 or U8.</summary>
    public static string Of<T>() where T : unmanaged => default(T) switch
    {
        float => "F32",
        double => "F64",
        int => "I32",
        long => "I64",
        byte => "U8",
        _ => throw new NotSupportedException($"No safetensors dtype for {typeof(T).Name}; use float, double, int, long or byte."),
    };
}
