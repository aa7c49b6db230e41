using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Nn;

/// <summary>
/// Batch normalisation over channels (axis 1), as torch.nn.BatchNorm1d/2d: weight (γ) 1 and bias (β) 0, buffers
/// running_mean 0, running_var 1 and num_batches_tracked. Note that the second positional argument is eps, which is
/// why the MNIST CGAN recipe's BatchNorm1d(256, 0.8) has eps = 0.8 (not momentum).
/// </summary>
public abstract class BatchNorm : Module
{
    private readonly int _inputRank;
    private long? _batchesTracked; // a host copy, so counting batches never reads the device in the training step

    protected BatchNorm(int numFeatures, double eps, double momentum, bool affine, bool trackRunningStats, int inputRank)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), $"{GetType().Name}({numFeatures}): size must be positive.");
        _inputRank = inputRank;
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        var shape = new Shape(numFeatures);
        if (affine)
        {
            RegisterParameter("weight", Tensor.Ones(shape));
            RegisterParameter("bias", Tensor.Zeros(shape));
        }
        if (trackRunningStats)
        {
            RegisterBuffer("running_mean", Tensor.Zeros(shape));
            RegisterBuffer("running_var", Tensor.Ones(shape));
            RegisterBuffer("num_batches_tracked", Tensor.Zeros(Shape.Scalar, DType.Int32));
        }
        Affine = affine;
        TrackRunningStats = trackRunningStats;
    }

    public int NumFeatures { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public bool Affine { get; }
    public bool TrackRunningStats { get; }
    public Tensor? Weight => Affine ? Get("weight") : null;
    public Tensor? Bias => Affine ? Get("bias") : null;
    public Tensor? RunningMean => TrackRunningStats ? Get("running_mean") : null;
    public Tensor? RunningVar => TrackRunningStats ? Get("running_var") : null;

    /// <summary>How many training batches updated the running statistics (kept as int32; PyTorch uses int64).</summary>
    public Tensor? NumBatchesTracked => TrackRunningStats ? Get("num_batches_tracked") : null;

    /// <summary>In eval mode, normalise with the batch's own statistics (without updating the running ones), as a
    /// model in train mode would: how the published MNIST CGAN sampled.</summary>
    public bool BatchStatisticsInEval { get; set; }

    protected override void OnStateLoaded() => _batchesTracked = null;

    /// <summary>The training batches counted so far (num_batches_tracked, from the host's copy once it has one).</summary>
    internal long BatchesCounted => _batchesTracked ?? (long)NumBatchesTracked!.Item();

    /// <summary>Counts <paramref name="batches"/> more, as that many training forwards would: for forwards a replayed
    /// CUDA graph ran, whose own write of the count is the captured step's value.</summary>
    internal void CountBatches(long batches)
    {
        if (batches == 0) return;
        _batchesTracked = BatchesCounted + batches;
        NumBatchesTracked!.Backend.Fill(NumBatchesTracked, _batchesTracked.Value);
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != _inputRank && !(this is BatchNorm1d && input.Rank == 3))
            throw new ArgumentException($"{GetType().Name}: expected a rank-{_inputRank} input, got shape {input.Shape}.");
        if (input.Shape[1] != NumFeatures)
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): input {input.Shape} has {input.Shape[1]} channels.");
        if (!Training && TrackRunningStats && !BatchStatisticsInEval)
            return F.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, training: false, Momentum, Eps);
        // Batch statistics; the running ones are updated only in training mode.
        bool track = Training && TrackRunningStats;
        Tensor y = F.BatchNorm(input, track ? RunningMean : null, track ? RunningVar : null, Weight, Bias, training: true, Momentum, Eps);
        if (track)
        {
            Tensor n = NumBatchesTracked!;
            _batchesTracked = (_batchesTracked ?? (long)n.Item()) + 1;
            n.Backend.Fill(n, _batchesTracked.Value);
        }
        return y;
    }
}

/// <summary>BatchNorm over [N, C] (or [N, C, L]) inputs.</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, inputRank: 2);

/// <summary>BatchNorm over [N, C, H, W] inputs.</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, inputRank: 4);
