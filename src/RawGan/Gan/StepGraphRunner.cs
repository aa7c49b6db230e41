using RawGan.Backends;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>
/// Runs <see cref="GanTrainer"/>'s step as a captured CUDA graph (<c>--cuda-graphs</c>): the first full-size batch
/// runs eagerly (the warm-up: see <see cref="IStepGraphs.Capture"/> for what it settles), the second is captured
/// and launched, and every later one is a replay: the batch is copied into the graph's fixed input buffer, the
/// graph is launched, and the host's state is advanced as the eager step would have advanced it (generators, Adam's
/// and BatchNorm's counts, the step number), so checkpoints, samples and a resume see exactly what eager training
/// gives. The metrics are copied out of the graph's output after each launch, never read inside the step. A batch of
/// another size (the last partial batch with --keep-last) runs eagerly and discards the graph, whose Adam and
/// random-offset inputs count replays from the capture; the next full batches warm up and capture again.
/// </summary>
internal sealed class StepGraphRunner : IDisposable
{
    private readonly GanTrainer _trainer;
    private readonly IStepGraphs _graphs;
    private readonly Tensor _input, _metrics;
    private readonly BatchNorm[] _norms;
    private ICapturedStep? _graph;
    private bool _warm;
    private ulong[] _draws = [];
    private long[] _normBatches = [], _dSteps = [], _gSteps = [];

    public StepGraphRunner(GanTrainer trainer, IStepGraphs graphs)
    {
        _trainer = trainer;
        _graphs = graphs;
        _input = Tensor.Empty(new Shape(trainer.Config.BatchSize, trainer.Channels, trainer.Size, trainer.Size), DType.Float32, trainer.Backend);
        _metrics = Tensor.Empty(new Shape(StepMetrics.Count), DType.Float32, trainer.Backend);
        _norms = trainer.G.Modules().Concat(trainer.D.Modules()).OfType<BatchNorm>().Where(b => b.TrackRunningStats).ToArray();
    }

    /// <summary>The generators a step draws from on the device.</summary>
    private Generator[] Generators => [_trainer.NoiseRng, _trainer.DropoutRng];

    /// <summary>
    /// Why <paramref name="config"/>'s step cannot be one graph, or null when it can: each reason is host work that
    /// differs from step to step, which a replay would repeat unchanged.
    /// </summary>
    public static string? WhyNot(GanConfig config, bool conditional) =>
        conditional ? "a conditional model draws the generated images' labels on the host each step"
        : config.Ema > 0 ? "--ema's decay ramps with the step count, computed on the host"
        : config.DiffAugment != "" ? "--diff-augment draws its per-image choices on the host"
        : config.DSteps != 1 ? "with --d-steps above 1 the step alternates between D-only and D-and-G updates"
        : config.R1Gamma > 0 ? "lazy R1 runs on every N-th step only"
        : config.LrDecayEpochs > 0 ? "--lr-decay-epochs changes the learning rates every step, on the host"
        : null;

    /// <summary>Queues the step on <paramref name="real"/> as a graph and returns its metrics, or returns null when
    /// this step must run eagerly (a warm-up, or a batch of another size).</summary>
    public Tensor? TryStep(Tensor real)
    {
        if (real.Shape != _input.Shape)
        {
            Discard();
            return null;
        }
        if (_graph is null && !_warm)
        {
            _warm = true;
            return null;
        }
        _trainer.Backend.Copy(real, _input);
        if (_graph is null) Capture();
        else
        {
            _graph.Launch();
            Replayed();
        }
        if (_graph!.Launches == 0) _graph.Launch();
        Tensor metrics = Tensor.Empty(_metrics.Shape, _metrics.DType, _metrics.Backend);
        _trainer.Backend.Copy(_metrics, metrics);
        return metrics;
    }

    /// <summary>Forgets the graph (after a checkpoint is loaded into the trainer, or a batch of another size): the
    /// next full-size batches warm up and capture again.</summary>
    public void Discard()
    {
        _graph?.Dispose();
        _graph = null;
        _warm = false;
    }

    public void Dispose() => Discard();

    /// <summary>Records the step; the host's state has then advanced by one step (as after an eager one), and what
    /// each counter moved is what every replay moves it.</summary>
    private void Capture()
    {
        ulong[] draws = Array.ConvertAll(Generators, g => g.Offset);
        long[] norms = Array.ConvertAll(_norms, b => b.BatchesCounted);
        long[] d = _trainer.OptD.StepCounts, g = _trainer.OptG.StepCounts;
        try
        {
            _graph = _graphs.Capture(() =>
            {
                using var scope = new TensorScope();
                _trainer.Backend.Copy(_trainer.EagerStep(_input, null), _metrics);
            }, Generators);
        }
        catch (StepNotCapturableException e)
        {
            throw new StepNotCapturableException($"--cuda-graphs: the training step cannot be captured as a CUDA graph: {e.Message}; run without --cuda-graphs.", e);
        }
        _draws = Generators.Select((x, i) => x.Offset - draws[i]).ToArray();
        _normBatches = _norms.Select((b, i) => b.BatchesCounted - norms[i]).ToArray();
        _dSteps = _trainer.OptD.StepCounts.Select((s, i) => s - d[i]).ToArray();
        _gSteps = _trainer.OptG.StepCounts.Select((s, i) => s - g[i]).ToArray();
    }

    /// <summary>What the replay just launched did to the host's state, done to it: the same draws, updates and counts
    /// as the captured step. (BatchNorm's count is rewritten on the device after the graph, which wrote the captured
    /// step's value.)</summary>
    private void Replayed()
    {
        for (int i = 0; i < _draws.Length; i++) Generators[i].Advance((long)_draws[i]);
        for (int i = 0; i < _norms.Length; i++) _norms[i].CountBatches(_normBatches[i]);
        _trainer.OptD.AddStepCounts(_dSteps);
        _trainer.OptG.AddStepCounts(_gSteps);
        _trainer.Step++;
    }
}
