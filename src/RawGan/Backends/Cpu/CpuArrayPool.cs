using System.Runtime.InteropServices;
using RawGan.Tensors;

namespace RawGan.Backends.Cpu;

/// <summary>
/// The CPU's caching allocator: arrays of a step's intermediates, released when its <see cref="TensorScope"/>
/// closes, wait here by exact type and length for the same request in the next step (a training loop asks for the
/// same sizes every step, so after the first step nearly every request is a hit). Without it each step leaves
/// megabytes of large-object-heap arrays to the garbage collector, whose gen-2 collections, and the array-pool
/// trimming that runs after each of them, took a quarter of a 2-core machine in the MNIST CGAN's training loop.
/// Small arrays are left to the GC (gen-0 collections of them are cheap); the cache is capped. Arrays are not
/// cleared (<see cref="IBackend.Allocate"/> promises nothing about contents), not even new ones.
/// </summary>
internal static class CpuArrayPool
{
    /// <summary>Arrays below this size are not cached (the large-object heap starts at 85,000 bytes).</summary>
    public const long MinBytes = 64 * 1024;

    /// <summary>The most the cache holds; arrays released beyond it go to the GC.</summary>
    private const long CapacityBytes = 2L << 30;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<(DType, long), Stack<Array>> Free = [];
    private static long _cachedBytes;

    /// <summary>When set, every array handed out is first filled with NaN (all bits set; -1 for int32), so that code
    /// which reads an element it never wrote gets a NaN instead of a plausible zero. The test suite sets it.</summary>
    public static bool Poison { get; set; }

    /// <summary>An array of <paramref name="length"/> elements of <paramref name="dtype"/>, contents unspecified.</summary>
    public static Array Rent(DType dtype, long length)
    {
        long bytes = length * dtype.SizeInBytes();
        Array? array = null;
        if (bytes >= MinBytes)
        {
            lock (Gate)
            {
                if (Free.TryGetValue((dtype, length), out Stack<Array>? stack) && stack.TryPop(out array)) _cachedBytes -= bytes;
            }
        }
        array ??= dtype switch
        {
            DType.Float32 => GC.AllocateUninitializedArray<float>(checked((int)length)),
            DType.Float64 => GC.AllocateUninitializedArray<double>(checked((int)length)),
            DType.Int32 => GC.AllocateUninitializedArray<int>(checked((int)length)),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        if (Poison) Bytes(array).Fill(0xFF);
        return array;
    }

    private static Span<byte> Bytes(Array array) => array switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
        _ => throw new ArgumentOutOfRangeException(nameof(array)),
    };

    public static void Return(DType dtype, Array array)
    {
        long bytes = array.LongLength * dtype.SizeInBytes();
        if (bytes < MinBytes) return;
        lock (Gate)
        {
            if (_cachedBytes + bytes > CapacityBytes) return;
            if (!Free.TryGetValue((dtype, array.LongLength), out Stack<Array>? stack)) Free[(dtype, array.LongLength)] = stack = new Stack<Array>();
            stack.Push(array);
            _cachedBytes += bytes;
        }
    }
}
