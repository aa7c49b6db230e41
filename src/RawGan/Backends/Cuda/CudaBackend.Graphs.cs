using RawGan.Tensors;
using static RawGan.Backends.Cuda.CudaCheck;

namespace RawGan.Backends.Cuda;

public sealed partial class CudaBackend : IStepGraphs
{
    /// <summary>
    /// Captures <paramref name="step"/> as a CUDA graph (see <see cref="IStepGraphs.Capture"/>). Call it after the
    /// same step has run eagerly once (a warm-up): that step loaded the kernel modules, chose and cached the cuDNN
    /// algorithms, created what is made lazily (BatchNorm's host count, Adam's moments), and left every block the step
    /// needs in the allocator's cache, so the capture records only stream work and makes no cuMemAlloc, which a
    /// capturing stream refuses. cuBLAS (12.2 and later) allocates its workspace stream-ordered during a capture, and
    /// cuDNN's workspaces come from our allocator, so both libraries' calls are recorded like kernels on the stream.
    /// </summary>
    public ICapturedStep Capture(Action step, IReadOnlyList<Generator> generators)
    {
        MakeCurrent();
        if (Resources.Capture is not null) throw new InvalidOperationException($"{Name}: a step is being captured already.");
        // Resolved now, so that the capture does no module work: these two are used only by captured steps.
        Kernels.Get(RandomKernels.At.File, RandomKernels.At.Entry);
        Kernels.Get(AdamKernels.StepAt.File, AdamKernels.StepAt.Entry);
        // The input block is the graph's own allocation, not the cache's: taking a cached block now would take one the
        // warm-up left for the step, which the capture would then have to allocate (and a capturing stream refuses).
        Check(Api.cuMemAlloc(out ulong block, 8 * GraphInputs.Capacity));
        var inputs = new GraphInputs(block, generators);
        var pool = new CachingAllocator.GraphPool();
        nint graph = 0, exec = 0;
        Resources.Capture = inputs;
        Allocator.BeginGraphPool(pool);
        try
        {
            Check(Api.cuStreamBeginCapture(Stream, Interop.Driver.CaptureModeGlobal));
            try
            {
                step();
            }
            catch (Exception e)
            {
                Api.cuStreamEndCapture(Stream, out graph); // ends the capture; its status is the failure just caught
                if (graph != 0) Api.cuGraphDestroy(graph);
                graph = 0;
                throw e as StepNotCapturableException ?? new StepNotCapturableException($"the step failed while being captured: {e.Message}", e);
            }
            CUresult ended = Api.cuStreamEndCapture(Stream, out graph);
            if (ended != CUresult.Success)
                throw new StepNotCapturableException($"the driver ended the capture with {Interop.Driver.ErrorName(ended)}: the step did something a capturing stream refuses (a synchronisation, a copy to or from pageable memory, a device allocation)");
            inputs.Finish();
            Check(Api.cuGraphInstantiateWithFlags(out exec, graph, 0));
            return new CudaGraph(this, exec, pool, inputs);
        }
        catch
        {
            Allocator.EndGraphPool();
            Allocator.ReleaseGraphPool(pool);
            Check(Api.cuMemFree(block));
            throw;
        }
        finally
        {
            Resources.Capture = null;
            Allocator.EndGraphPool();
            if (graph != 0) Api.cuGraphDestroy(graph); // the instantiated graph does not need it
        }
    }

    /// <summary>Refuses, with the reason, what cannot be part of a captured step: <paramref name="what"/> needs the host.</summary>
    private void RefuseWhileCapturing(string what)
    {
        if (Resources.Capture is not null)
            throw new StepNotCapturableException($"the step {what}, which a CUDA graph cannot replay (read results after the launch instead)");
    }
}
