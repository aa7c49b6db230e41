using RawGan.Backends;
using RawGan.Backends.Cpu;
using RawGan.Backends.Cuda;
using RawGan.Gan;
using RawGan.GpuEmulator;
using RawGan.Ops;
using RawGan.Tensors;
using RawGan.Tests.Gan;

namespace RawGan.Tests.Cuda;

/// <summary>
/// --cuda-graphs on the emulated GPU, whose driver records a capturing stream's work and replays it on
/// cuGraphLaunch (refusing what the real driver refuses during a capture): replayed steps give bit for bit the
/// state of eager ones, a resumed graph run continues exactly, and a step that cannot be a graph is refused with
/// its reason.
/// </summary>
[Collection(nameof(EmulatedGpu))]
public class CudaGraphTests
{
    private static GanConfig Config(bool graphs, bool dropLast = true) =>
        new() { Model = ModelKind.Dcgan, Nz = 8, Ngf = 4, Ndf = 4, BatchSize = 4, Seed = 11, CudaGraphs = graphs, DropLast = dropLast, LogEvery = 2 };

    [Fact]
    public void Replayed_steps_give_the_eager_steps_state_bit_for_bit()
    {
        var eager = new GanTrainer(Config(graphs: false), 1, 16, 1, EmulatedGpu.Backend);
        var graph = new GanTrainer(Config(graphs: true), 1, 16, 1, EmulatedGpu.Backend);
        long graphLaunches = EmulatedGpu.Api.GraphLaunches, kernelsInReplay = 0;
        for (int step = 0; step < 4; step++)
        {
            float[] images = Tensor.Rand(new Shape(4, 1, 16, 16), new Generator(100 + (ulong)step), low: -1, high: 1).ToFloatArray();
            StepMetrics a = Step(eager, images);
            long kernels = EmulatedGpu.Api.Launches;
            StepMetrics b = Step(graph, images); // the eager trainer's steps run between the graph's replays, on its memory pool
            if (step == 3) kernelsInReplay = EmulatedGpu.Api.Launches - kernels;
            Assert.Equal(a, b);
        }
        // Warm-up eager, then the capture's launch and two replays.
        Assert.Equal(graphLaunches + 3, EmulatedGpu.Api.GraphLaunches);
        Assert.True(kernelsInReplay < 10, $"a replayed step queued {kernelsInReplay} kernels of its own");
        AssertSameState(eager, graph);
    }

    [Fact]
    public void A_graph_run_resumed_mid_run_continues_exactly_and_a_partial_batch_runs_eagerly()
    {
        // Batches of 4, 4, 4 and (kept) 2: warm-up, capture, replay, and the 2 eagerly, after which the graph is captured
        // again; the first run stops after the replay, the resumed one starts with the partial batch.
        var data = new TinyDataset(14, 1, 16, 1);
        string whole = Directory.CreateTempSubdirectory("rawgan-graphs-").FullName, halves = Directory.CreateTempSubdirectory("rawgan-graphs-").FullName;
        try
        {
            GanConfig config = Config(graphs: true, dropLast: false) with { Epochs = 2 };
            using var eager = TrainingRun.Create(config with { CudaGraphs = false }, data, EmulatedGpu.Backend, Path.Combine(whole, "eager"));
            Assert.Equal(RunOutcome.Completed, eager.Run(TestContext.Current.CancellationToken));
            using (var first = TrainingRun.Create(config, data, EmulatedGpu.Backend, halves))
                Assert.Equal(RunOutcome.Interrupted, first.Run(TestContext.Current.CancellationToken, stopAtStep: 3));
            using var resumed = TrainingRun.Resume(halves, data, EmulatedGpu.Backend);
            Assert.Equal(RunOutcome.Completed, resumed.Run(TestContext.Current.CancellationToken));

            Assert.Equal(8, resumed.Trainer.Step);
            AssertSameState(eager.Trainer, resumed.Trainer);
            Assert.Equal(File.ReadAllLines(eager.MetricsPath).Select(DropSpeed), File.ReadAllLines(resumed.MetricsPath).Select(DropSpeed));
        }
        finally
        {
            Directory.Delete(whole, recursive: true);
            Directory.Delete(halves, recursive: true);
        }
    }

    [Fact]
    public void A_step_that_reads_back_to_the_host_is_refused_with_the_reason_and_the_device_goes_on()
    {
        IStepGraphs graphs = EmulatedGpu.Backend;
        Tensor x = Tensor.Full(new Shape(8), 2, DType.Float32, EmulatedGpu.Backend);
        using (new TensorScope()) // the warm-up: its block is cached for the capture
            Assert.Equal(Enumerable.Repeat(6f, 8), (x * 3.0).ToFloatArray());
        var e = Assert.Throws<StepNotCapturableException>(() => graphs.Capture(() =>
        {
            using var scope = new TensorScope();
            (x * 3.0).ToFloatArray();
        }, []));
        Assert.Contains("reads 32 bytes back to the host", e.Message);
        Assert.Equal(Enumerable.Repeat(8f, 8), (x * 4.0).ToFloatArray()); // the capture ended: eager work runs again
    }

    [Fact]
    public void The_emulated_driver_refuses_a_synchronisation_during_a_capture_and_gives_no_graph()
    {
        var api = new EmulatedCudaApi();
        Assert.Equal(CUresult.Success, api.cuStreamBeginCapture(1, Interop.Driver.CaptureModeGlobal));
        Assert.Equal(CUresult.Success, api.cuMemsetD32Async(0x1000, 0, 4, 1)); // recorded, not run
        Assert.Equal(0, api.PendingWork);
        Assert.Equal(CUresult.ErrorStreamCaptureUnsupported, api.cuStreamSynchronize(1));
        Assert.Equal(CUresult.Success, api.cuStreamIsCapturing(1, out int status));
        Assert.Equal(Interop.Driver.CaptureStatusInvalidated, status);
        Assert.Equal(CUresult.ErrorStreamCaptureInvalidated, api.cuStreamEndCapture(1, out nint graph));
        Assert.Equal(0, graph);
        Assert.Contains("cuStreamSynchronize while the stream is capturing", api.CaptureRefusals);
    }

    [Fact]
    public void Cuda_graphs_are_refused_on_the_cpu_and_for_steps_that_draw_on_the_host()
    {
        var cpu = Assert.Throws<ArgumentException>(() => new GanTrainer(Config(graphs: true), 1, 16, 1, CpuBackend.Default));
        Assert.StartsWith("--cuda-graphs needs a CUDA device", cpu.Message);
        var conditional = Assert.Throws<ArgumentException>(() =>
            new GanTrainer(Config(graphs: true) with { Model = ModelKind.Cdcgan }, 1, 16, 3, EmulatedGpu.Backend));
        Assert.Contains("draws the generated images' labels on the host", conditional.Message);
        var ema = Assert.Throws<ArgumentException>(() => new GanTrainer(Config(graphs: true) with { Ema = 0.999 }, 1, 16, 1, EmulatedGpu.Backend));
        Assert.Contains("--ema", ema.Message);
        var decay = Assert.Throws<ArgumentException>(() => new GanTrainer(Config(graphs: true) with { LrDecayEpochs = 1 }, 1, 16, 1, EmulatedGpu.Backend));
        Assert.Contains("--lr-decay-epochs", decay.Message);
    }

    /// <summary>One step in a scope, as TrainingRun takes it: the batch's block returns to the cache at once, so the
    /// capture finds what the warm-up left there (an unscoped batch would wait for the garbage collector).</summary>
    private static StepMetrics Step(GanTrainer t, float[] images)
    {
        using var scope = new TensorScope();
        return t.TrainStep(Tensor.FromSpan<float>(images, new Shape(4, t.Channels, t.Size, t.Size), DType.Float32, t.Backend), null);
    }

    /// <summary>Weights, buffers (BatchNorm's counts too), both optimisers' moments and step counts, the generators
    /// and the step number.</summary>
    private static void AssertSameState(GanTrainer expected, GanTrainer actual)
    {
        static IEnumerable<(string, Tensor)> State(GanTrainer t) =>
            t.G.StateDict("g.").Concat(t.D.StateDict("d.")).Concat(t.OptG.StateDict()).Concat(t.OptD.StateDict());
        foreach (((string name, Tensor e), (_, Tensor a)) in State(expected).Zip(State(actual)))
            Assert.True(e.ToDoubleArray().SequenceEqual(a.ToDoubleArray()), $"{name} differs");
        Assert.Equal(expected.NoiseRng.Offset, actual.NoiseRng.Offset);
        Assert.Equal(expected.Step, actual.Step);
    }

    private static string DropSpeed(string csvLine) => string.Join(',', csvLine.Split(',')[..^1]);
}
