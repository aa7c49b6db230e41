using System.Diagnostics;
using System.Runtime.InteropServices;
using RawGan.Backends.Cuda;

namespace RawGan.GpuEmulator;

/// <summary>
/// The stream, asynchronous as on a GPU: kernels, library calls, copies and event records are queued in order and
/// run only when the host waits for them (a stream or event synchronisation, a copy into pageable memory, a free).
/// So host code that reuses a staging buffer, or reads a result, before waiting for the device gets the wrong bytes
/// here as it would there, instead of passing because everything had already run. What the driver reads at the
/// call is captured at the call: kernel arguments, GEMM and convolution scalars, a pageable source (the driver
/// stages it before returning). Page-locked memory (<see cref="cuMemHostAlloc"/>) is read and written when the
/// copy runs. An error in queued work is reported by the call that waited for it, as CUDA reports asynchronous
/// errors.
/// </summary>
internal sealed unsafe partial class EmulatedCudaApi
{
    private sealed record Work(string Call, Action Run, nint HostStart = 0, long HostBytes = 0);

    private readonly Queue<Work> _queue = new();
    private long _queued, _ran; // work items queued and run so far: an event's record is complete when _ran reaches it
    private readonly Dictionary<nint, (long Seq, long Timestamp)> _events = [];
    private nint _nextEvent = 1;
    private readonly Dictionary<nint, long> _pinned = []; // page-locked host allocations: start -> bytes

    /// <summary>Work queued on the stream that has not run yet.</summary>
    public int PendingWork { get { lock (_gate) return _queue.Count; } }

    private void Enqueue(string call, Action run, nint hostStart = 0, long hostBytes = 0)
    {
        lock (_gate)
        {
            if (Record(new Work(call, run, hostStart, hostBytes))) return;
            _queued++;
            if (SkipWork) _ran++; // done at once, having done nothing
            else _queue.Enqueue(new Work(call, run, hostStart, hostBytes));
        }
    }

    /// <summary>Runs queued work in order until <paramref name="seq"/> items have run (all of it by default).</summary>
    private void RunUntil(string waiter, long seq = long.MaxValue)
    {
        lock (_gate)
        {
            while (_ran < seq && _queue.TryDequeue(out Work? work))
            {
                try
                {
                    work.Run();
                }
                catch (Exception e)
                {
                    _ran += _queue.Count + 1; // a failed context runs nothing more
                    _queue.Clear();
                    throw new InvalidOperationException($"{work.Call} failed on the device, reported by {waiter}: {e.Message}", e);
                }
                _ran++;
            }
        }
    }

    private bool IsPinned(void* pointer, nuint bytes)
    {
        lock (_gate)
            return _pinned.Any(a => (nint)pointer >= a.Key && (nint)pointer + (nint)bytes <= a.Key + (nint)a.Value);
    }

    // ---- page-locked memory ------------------------------------------------------------------------------------
    public CUresult cuMemHostAlloc(out nint hostPointer, nuint bytes, uint flags)
    {
        hostPointer = (nint)NativeMemory.Alloc(bytes);
        lock (_gate) _pinned[hostPointer] = (long)bytes;
        return CUresult.Success;
    }

    public CUresult cuMemFreeHost(nint hostPointer)
    {
        lock (_gate)
        {
            if (!_pinned.Remove(hostPointer, out long bytes)) throw Refused("cuMemFreeHost", $"0x{hostPointer:x} is not a page-locked allocation");
            if (_queue.FirstOrDefault(w => w.HostBytes > 0 && w.HostStart < hostPointer + (nint)bytes && hostPointer < w.HostStart + (nint)w.HostBytes) is { } user)
                throw Refused("cuMemFreeHost", $"0x{hostPointer:x} is freed while {user.Call}, queued and not yet run, still uses it");
        }
        NativeMemory.Free((void*)hostPointer);
        return CUresult.Success;
    }

    // ---- copies between host and device -----------------------------------------------------------------------
    public CUresult cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream)
    {
        string call = $"cuMemcpyHtoDAsync({bytes} bytes to 0x{destination:x})";
        int length = checked((int)bytes);
        bool pinned = IsPinned(source, bytes);
        // From pageable memory the driver stages the bytes at the call: a graph could not replay that.
        if (!pinned && RefusedWhileCapturing(call + " from pageable memory")) return CUresult.ErrorStreamCaptureUnsupported;
        if (pinned)
            Enqueue(call, () => Memory.Write(destination, new ReadOnlySpan<byte>(source, length)), (nint)source, length);
        else
        {
            byte[] staged = new ReadOnlySpan<byte>(source, length).ToArray();
            Enqueue(call, () => Memory.Write<byte>(destination, staged));
        }
        lock (_gate) HostToDeviceCopies++;
        return CUresult.Success;
    }

    /// <summary>Into page-locked memory the copy is queued; into pageable memory it returns only once done (the
    /// driver's rule), so everything queued before it runs first.</summary>
    public CUresult cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream)
    {
        string call = $"cuMemcpyDtoHAsync({bytes} bytes from 0x{source:x})";
        int length = checked((int)bytes);
        if (!IsPinned(destination, bytes) && RefusedWhileCapturing(call + " into pageable memory")) return CUresult.ErrorStreamCaptureUnsupported;
        lock (_gate) DeviceToHostCopies++;
        Enqueue(call, () => Memory.Read(source, new Span<byte>(destination, length)), (nint)destination, length);
        if (!IsPinned(destination, bytes)) RunUntil(call);
        return CUresult.Success;
    }

    // ---- synchronisation and events ----------------------------------------------------------------------------
    public CUresult cuStreamSynchronize(nint stream)
    {
        if (RefusedWhileCapturing("cuStreamSynchronize")) return CUresult.ErrorStreamCaptureUnsupported;
        RunUntil("cuStreamSynchronize");
        return CUresult.Success;
    }

    public CUresult cuEventCreate(out nint @event, uint flags)
    {
        lock (_gate)
        {
            @event = _nextEvent++;
            _events[@event] = (0, 0);
        }
        return CUresult.Success;
    }

    public CUresult cuEventRecord(nint @event, nint stream)
    {
        lock (_gate)
        {
            if (!_events.ContainsKey(@event)) throw Refused("cuEventRecord", $"event {@event} does not exist");
            if (_capture is not null) throw Refused("cuEventRecord", "events recorded into a capture are not emulated");
            long seq = _queued + 1;
            _events[@event] = (seq, 0);
            Enqueue($"cuEventRecord({@event})", () => _events[@event] = (seq, Stopwatch.GetTimestamp()));
        }
        return CUresult.Success;
    }

    /// <summary>Runs the queue up to the event's latest record (work queued after it stays queued); an event never
    /// recorded is complete, as in CUDA.</summary>
    public CUresult cuEventSynchronize(nint @event)
    {
        if (RefusedWhileCapturing($"cuEventSynchronize({@event})")) return CUresult.ErrorStreamCaptureUnsupported;
        long seq;
        lock (_gate) seq = _events.TryGetValue(@event, out var e) ? e.Seq : throw Refused("cuEventSynchronize", $"event {@event} does not exist");
        RunUntil($"cuEventSynchronize({@event})", seq);
        return CUresult.Success;
    }

    public CUresult cuEventElapsedTime(out float milliseconds, nint start, nint end)
    {
        lock (_gate)
        {
            var (a, b) = (_events[start], _events[end]);
            if (a.Seq == 0 || b.Seq == 0) throw Refused("cuEventElapsedTime", "an event was never recorded (CUDA_ERROR_INVALID_HANDLE)");
            if (a.Timestamp == 0 || b.Timestamp == 0) throw Refused("cuEventElapsedTime", "an event's record has not run yet (CUDA_ERROR_NOT_READY)");
            milliseconds = (float)Stopwatch.GetElapsedTime(a.Timestamp, b.Timestamp).TotalMilliseconds;
        }
        return CUresult.Success;
    }

    public CUresult cuEventDestroy(nint @event)
    {
        lock (_gate) _events.Remove(@event);
        return CUresult.Success;
    }
}
