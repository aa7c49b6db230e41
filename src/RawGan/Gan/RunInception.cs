using RawGan.Autograd;
using RawGan.Data;
using RawGan.Eval;
using RawGan.Gan.Models;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>
/// FID during training (<see cref="GanConfig.Inception"/>): a fixed sample of latent codes (seed + 6, their own
/// stream, drawn once; conditional models ask for each class in turn) through G in eval mode and the FID
/// Inception-v3 on the run's device, with pytorch-fid's (legacy) preprocessing of G's images as 8-bit values
/// (unrounded: a saved PNG rounds them, which moves FID by far less than its sampling noise). The pool3 features are
/// reduced to their mean and covariance there and read once; FID is computed on the host in float64 against the
/// real images' statistics (<see cref="Reference"/>).
/// </summary>
public sealed class RunInception
{
    /// <summary>Samples per evaluation: the fewest FID's 2,048-d covariance allows, as each costs 5.7 GFLOP.</summary>
    public const int DefaultCount = InceptionV3.FeatureSize;

    /// <summary>Real images behind the reference statistics, at most (evenly spaced through the data set).</summary>
    public const int ReferenceCount = 10_000;

    private const int BatchSize = 50, Features = InceptionV3.FeatureSize;
    private readonly GanTrainer _trainer;
    private readonly InceptionV3 _net;
    private readonly FeatureStatistics _reference;
    private readonly Tensor[] _z;
    private readonly Tensor?[] _labels;

    /// <param name="trainer">The run's trainer: its G is measured on its device.</param>
    /// <param name="net">The FID Inception-v3, on the trainer's device.</param>
    /// <param name="real">The real images' pool3 statistics (<see cref="Reference"/>).</param>
    /// <param name="count">Samples per evaluation (at least 2,048).</param>
    public RunInception(GanTrainer trainer, InceptionV3 net, FeatureStatistics real, int count = DefaultCount)
    {
        FrechetDistance.RequireEnough(count, Features, "FID during training");
        _trainer = trainer;
        _net = net;
        _reference = real;
        var rng = new Generator(trainer.Config.Seed + 6);
        int batches = (count + BatchSize - 1) / BatchSize;
        _z = new Tensor[batches];
        _labels = new Tensor?[batches];
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize, n = Math.Min(BatchSize, count - start);
            _z[b] = Tensor.Randn(new Shape(n, trainer.Config.Nz), rng, DType.Float32, trainer.Backend);
            if (trainer.IsConditional)
                _labels[b] = Tensor.FromSpan<int>(Enumerable.Range(start, n).Select(i => i % trainer.Classes).ToArray(), new Shape(n), DType.Int32, trainer.Backend);
        }
        Count = count;
    }

    public int Count { get; }

    /// <summary>FID of the images of the fixed codes by the generator the run samples with and saves (the moving
    /// average when there is one), now.</summary>
    public double Fid()
    {
        using var scope = new TensorScope();
        var features = new Tensor[_z.Length];
        GanGenerator g = _trainer.SamplingGenerator;
        Sampling.InEvalMode(g, batchStatistics: false, () =>
        {
            for (int b = 0; b < _z.Length; b++)
            {
                using var batch = new TensorScope(); // a batch's activations go back to the pool before the next
                Tensor images = g.Generate(_z[b], _labels[b]);
                features[b] = batch.Keep(_net.Forward(InceptionInput.Prepare(F.Scale(F.AddScalar(images, 1), 127.5), InceptionResize.Legacy)));
            }
            return 0;
        });
        (Tensor mu, Tensor sigma) = DeviceStatistics.Compute(F.Concat(features, axis: 0));
        float[] read = F.Concat([mu, sigma], axis: 0).ToFloatArray();
        return FrechetDistance.Compute(_reference, DeviceStatistics.FromRead(read, Features, Count));
    }

    /// <summary>
    /// The pool3 statistics of at most <see cref="ReferenceCount"/> images of <paramref name="data"/>, evenly spaced
    /// through it, as pytorch-fid computes a data set's (8-bit images, legacy preprocessing), on
    /// <paramref name="net"/>'s device; <paramref name="progress"/> hears the images done.
    /// </summary>
    public static FeatureStatistics Reference(IDataset data, InceptionV3 net, Action<int>? progress = null)
    {
        int count = Math.Min(ReferenceCount, data.Count), values = data.Channels * data.Height * data.Width;
        FrechetDistance.RequireEnough(count, Features, $"FID during training: the data set ({data.Count:N0} images)");
        var backend = net.Parameters().First().Backend;
        using var scope = new TensorScope();
        using IDisposable noGrad = GradMode.NoGrad();
        var features = new List<Tensor>();
        var pixels = new float[BatchSize * values];
        for (int start = 0; start < count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, count - start);
            for (int i = 0; i < n; i++) data.Load((int)((long)(start + i) * data.Count / count), pixels.AsSpan(i * values, values), 0, out _);
            using var batch = new TensorScope();
            Tensor bytes = Tensor.FromSpan<float>(InceptionInput.ToBytes(pixels.AsSpan(0, n * values)), new Shape(n, data.Channels, data.Height, data.Width), DType.Float32, backend);
            features.Add(batch.Keep(net.Forward(InceptionInput.Prepare(bytes, InceptionResize.Legacy))));
            progress?.Invoke(start + n);
        }
        (Tensor mu, Tensor sigma) = DeviceStatistics.Compute(F.Concat([.. features], axis: 0));
        return DeviceStatistics.FromRead(F.Concat([mu, sigma], axis: 0).ToFloatArray(), Features, count);
    }
}
