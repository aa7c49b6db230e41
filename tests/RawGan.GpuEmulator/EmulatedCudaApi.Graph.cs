using RawGan.Backends.Cuda;

namespace RawGan.GpuEmulator;

/// <summary>
/// Stream capture and graph replay as the driver does them: between cuStreamBeginCapture and cuStreamEndCapture,
/// work queued on the stream (kernels, library calls, copies, memsets) is recorded, not run; cuGraphLaunch queues
/// the recorded work again, in order, each item as it was recorded (kernel arguments and copy addresses fixed at
/// capture; a page-locked source read when the copy runs, as a graph's memcpy node reads it). The rules of
/// CU_STREAM_CAPTURE_MODE_GLOBAL the backend could break are enforced: a stream or event synchronisation, a copy
/// to or from pageable host memory, cuMemAlloc and cuMemFree during a capture fail with
/// CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED and invalidate it, so cuStreamEndCapture then fails with
/// CUDA_ERROR_STREAM_CAPTURE_INVALIDATED and gives no graph. <see cref="CaptureRefusals"/> keeps what was refused.
/// </summary>
internal sealed unsafe partial class EmulatedCudaApi
{
    private List<Work>? _capture;                  // the work recorded since cuStreamBeginCapture, or null
    private bool _captureInvalidated;
    private readonly Dictionary<nint, Work[]> _graphs = [], _graphExecs = [];
    private nint _nextGraph = 1;

    /// <summary>cuGraphLaunch calls so far.</summary>
    public long GraphLaunches { get; private set; }

    /// <summary>The calls refused because a capture was under way, each with its reason.</summary>
    public List<string> CaptureRefusals { get; } = [];

    /// <summary>Records <paramref name="work"/> into the capture under way (true), or leaves it to the stream.</summary>
    private bool Record(Work work)
    {
        if (_capture is null) return false;
        _capture.Add(work);
        return true;
    }

    /// <summary>True (and the capture invalidated) when a capture is under way: <paramref name="call"/> is one the
    /// driver refuses then.</summary>
    private bool RefusedWhileCapturing(string call)
    {
        lock (_gate)
        {
            if (_capture is null) return false;
            _captureInvalidated = true;
            CaptureRefusals.Add($"{call} while the stream is capturing");
            return true;
        }
    }

    public CUresult cuStreamBeginCapture(nint stream, int mode)
    {
        lock (_gate)
        {
            if (_capture is not null) throw Refused("cuStreamBeginCapture", "the stream is capturing already");
            if (mode != Interop.Driver.CaptureModeGlobal) throw Refused("cuStreamBeginCapture", $"capture mode {mode} is not emulated");
            _capture = [];
            _captureInvalidated = false;
        }
        return CUresult.Success;
    }

    public CUresult cuStreamEndCapture(nint stream, out nint graph)
    {
        lock (_gate)
        {
            graph = 0;
            if (_capture is null) throw Refused("cuStreamEndCapture", "the stream is not capturing");
            Work[] recorded = [.. _capture];
            _capture = null;
            if (_captureInvalidated) return CUresult.ErrorStreamCaptureInvalidated;
            graph = _nextGraph++;
            _graphs[graph] = recorded;
            return CUresult.Success;
        }
    }

    public CUresult cuStreamIsCapturing(nint stream, out int captureStatus)
    {
        lock (_gate)
            captureStatus = _capture is null ? Interop.Driver.CaptureStatusNone
                : _captureInvalidated ? Interop.Driver.CaptureStatusInvalidated : Interop.Driver.CaptureStatusActive;
        return CUresult.Success;
    }

    public CUresult cuGraphInstantiateWithFlags(out nint graphExec, nint graph, ulong flags)
    {
        lock (_gate)
        {
            if (!_graphs.TryGetValue(graph, out Work[]? work)) throw Refused("cuGraphInstantiateWithFlags", $"graph {graph} does not exist");
            if (flags != 0) throw Refused("cuGraphInstantiateWithFlags", $"flags {flags} are not emulated");
            graphExec = _nextGraph++;
            _graphExecs[graphExec] = work; // independent of the graph from here on, as an instantiated graph is
        }
        return CUresult.Success;
    }

    public CUresult cuGraphLaunch(nint graphExec, nint stream)
    {
        Work[] work;
        lock (_gate)
        {
            if (_capture is not null) throw Refused("cuGraphLaunch", "launching a graph into a capture is not emulated");
            if (!_graphExecs.TryGetValue(graphExec, out work!)) throw Refused("cuGraphLaunch", $"graph exec {graphExec} does not exist");
            GraphLaunches++;
        }
        foreach (Work w in work) Enqueue($"{w.Call} (graph {graphExec})", w.Run, w.HostStart, w.HostBytes);
        return CUresult.Success;
    }

    public CUresult cuGraphExecDestroy(nint graphExec)
    {
        lock (_gate)
            if (!_graphExecs.Remove(graphExec)) throw Refused("cuGraphExecDestroy", $"graph exec {graphExec} does not exist");
        return CUresult.Success;
    }

    public CUresult cuGraphDestroy(nint graph)
    {
        lock (_gate)
            if (!_graphs.Remove(graph)) throw Refused("cuGraphDestroy", $"graph {graph} does not exist");
        return CUresult.Success;
    }
}
