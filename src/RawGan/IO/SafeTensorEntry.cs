using System.Runtime.InteropServices;

namespace RawGan.IO;

/// <summary>
/// One named tensor as safetensors stores it: an element type name (<c>"F32"</c>, <c>"F64"</c>, <c>"I32"</c>,
/// <c>"I64"</c>, … as the format spells them), a shape (empty for a scalar) and the raw little-endian bytes,
/// row-major. Independent of <see cref="Tensors.Tensor"/>, so files can be read and written without a device.
/// </summary>
public sealed record SafeTensorEntry(string Name, string DType, int[] Shape, byte[] Data)
{
    /// <summary>Number of elements: the product of the shape (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, d) => product * d);

    /// <summary>An entry holding a copy of <paramref name="values"/>: float → F32, double → F64, int → I32, long → I64, byte → U8.</summary>
    public static SafeTensorEntry FromValues<T>(string name, int[] shape, ReadOnlySpan<T> values) where T : unmanaged
    {
        long expected = shape.Aggregate(1L, (product, d) => product * d);
        if (values.Length != expected)
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({expected} elements) but {values.Length} values.", nameof(values));
        // The format is little-endian, as is every platform .NET runs on.
        return new SafeTensorEntry(name, SafeTensorDTypes.Of<T>(), shape, MemoryMarshal.AsBytes(values).ToArray());
    }

    /// <summary>The elements as <typeparamref name="T"/>, which must match <see cref="DType"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        string wanted = SafeTensorDTypes.Of<T>();
        if (wanted != DType)
            throw new InvalidOperationException($"Tensor '{Name}' holds {DType}, not {wanted} ({typeof(T).Name}).");
        return MemoryMarshal.Cast<byte, T>(Data).ToArray();
    }
}
