namespace RawGan.Backends.Cpu;

/// <summary>
/// A growable float buffer at a fixed, 64-byte aligned address, for packed GEMM panels. It lives on the pinned
/// object heap, so a pointer taken once stays valid without <c>fixed</c>, and it is reclaimed by the GC when the
/// thread that owns it (through a [ThreadStatic] field) dies. It only grows: in steady state nothing is allocated.
/// </summary>
internal sealed unsafe class PackBuffer
{
    private float[] _array = [];
    private float* _aligned;
    private long _capacity;

    public float* Get(long floats)
    {
        if (floats > _capacity)
        {
            // 16 spare floats (64 bytes) let the start be rounded up to a cache line.
            _array = GC.AllocateUninitializedArray<float>(checked((int)(floats + 16)), pinned: true);
            fixed (float* p = _array)
                _aligned = (float*)(((nint)p + 63) & ~(nint)63);
            _capacity = floats;
        }
        return _aligned;
    }
}
