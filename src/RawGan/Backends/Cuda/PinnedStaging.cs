using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

/// <summary>
/// Host-to-device uploads that do not wait for the device. A copy from ordinary (pageable) memory must be finished
/// before the call returns, since the driver reads the caller's array; on one stream it runs only after every
/// kernel queued before it, so each batch upload would drain the GPU's queue and the host could not queue the next
/// step while the GPU runs this one. Here the bytes go into one of two page-locked buffers and the copy is queued
/// from there: the host waits only when a buffer's previous copy, two uploads ago, has not run yet.
/// </summary>
internal sealed unsafe class PinnedStaging(CudaDeviceResources backend)
{
    /// <summary>Uploads larger than this go the synchronous way (pinned memory is scarce system memory).</summary>
    public const long MaxBytes = 64L << 20;

    private sealed class Slot
    {
        public nint Host;
        public long Capacity;
        public nint Done; // recorded after the copy from Host
        public bool Pending;
    }

    private readonly Slot[] _slots = [new(), new()];
    private readonly Lock _gate = new();
    private int _next;

    public void Upload(ReadOnlySpan<byte> source, ulong destination)
    {
        ICudaApi api = backend.Api;
        lock (_gate)
        {
            Slot slot = _slots[_next];
            _next = (_next + 1) % _slots.Length;
            if (slot.Pending) Check(api.cuEventSynchronize(slot.Done)); // before the buffer is overwritten or freed
            slot.Pending = false;
            if (slot.Capacity < source.Length)
            {
                if (slot.Host != 0) Check(api.cuMemFreeHost(slot.Host));
                slot.Host = 0;
                long capacity = Math.Max(source.Length, 1L << 20);
                Check(api.cuMemHostAlloc(out slot.Host, (nuint)capacity, 0), $"cuMemHostAlloc({capacity} bytes)");
                slot.Capacity = capacity;
            }
            if (slot.Done == 0) Check(api.cuEventCreate(out slot.Done, Interop.Driver.EventDisableTiming));
            source.CopyTo(new Span<byte>((void*)slot.Host, source.Length));
            Check(api.cuMemcpyHtoDAsync(destination, (void*)slot.Host, (nuint)source.Length, backend.Stream));
            Check(api.cuEventRecord(slot.Done, backend.Stream));
            slot.Pending = true;
        }
    }
}
