using RawGan.Backends;
using RawGan.Data;
using RawGan.Eval;
using RawGan.Gan.Models;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>
/// The bundled digit judge during training: a fixed sample of latent codes (and, for conditional models, the labels
/// 0…9 in turn) through the generator the run samples with and saves (<see cref="GanTrainer.SamplingGenerator"/>: the
/// moving average when there is one) in eval mode and the judge, on the run's device, scored against the real digits'
/// statistics (<see cref="DigitScores"/>). The codes come from their own random stream (seed + 5), drawn once, so an
/// evaluation never touches the generators training draws from and every evaluation sees the same codes. The
/// features are reduced to their mean and covariance where they were computed; one read brings those and the
/// logits to the host, where the Fréchet distance and the class scores are computed in float64.
/// </summary>
public sealed class RunJudge
{
    /// <summary>Samples per evaluation: enough for the judge's 128-d covariance several times over, few enough to
    /// cost about a tenth of an epoch of the bundled digits.</summary>
    public const int DefaultCount = 1000;

    /// <summary>Steps between evaluations when the config does not say (<see cref="GanConfig.EvalEvery"/>).</summary>
    public const int DefaultEvery = 500;

    private const int BatchSize = 250, Side = DigitJudge.ImageSize, Features = DigitJudge.FeatureSize;
    private readonly GanTrainer _trainer;
    private readonly DigitJudge _judge;
    private readonly FeatureStatistics _reference;
    private readonly Tensor[] _z;
    private readonly Tensor?[] _labels;
    private readonly int[]? _requestedLabels;
    private readonly Tensor? _resize, _resizeOffset;

    /// <param name="trainer">The run's trainer: its G is judged on its device.</param>
    /// <param name="realDigits">The judge's feature statistics of real digits, what the samples are compared with.</param>
    /// <param name="count">Samples per evaluation (at least the judge's 128 features).</param>
    public RunJudge(GanTrainer trainer, FeatureStatistics realDigits, int count = DefaultCount)
    {
        if (trainer.Channels != 1) throw new ArgumentException($"The digit judge reads grayscale digits; this run makes {trainer.Channels}-channel images.");
        FrechetDistance.RequireEnough(count, Features, "the digit judge during training");
        _trainer = trainer;
        _reference = realDigits;
        IBackend backend = trainer.Backend;
        _judge = DigitJudge.LoadEmbedded(backend);
        var rng = new Generator(trainer.Config.Seed + 5);
        if (trainer.IsConditional) _requestedLabels = Enumerable.Range(0, count).Select(i => i % trainer.Classes).ToArray();
        int batches = (count + BatchSize - 1) / BatchSize;
        _z = new Tensor[batches];
        _labels = new Tensor?[batches];
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize, n = Math.Min(BatchSize, count - start);
            _z[b] = Tensor.Randn(new Shape(n, trainer.Config.Nz), rng, DType.Float32, backend);
            if (_requestedLabels is not null)
                _labels[b] = Tensor.FromSpan<int>(_requestedLabels.AsSpan(start, n), new Shape(n), DType.Int32, backend);
        }
        if (trainer.Size != Side) (_resize, _resizeOffset) = ResizeMap(trainer.Size, trainer.Config.Resize, backend);
        Count = count;
    }

    public int Count { get; }

    /// <summary>The judge's scores of G's images of the fixed codes, now.</summary>
    public DigitScores Score()
    {
        using var scope = new TensorScope();
        var features = new Tensor[_z.Length];
        var logits = new Tensor[_z.Length];
        GanGenerator g = _trainer.SamplingGenerator;
        Sampling.InEvalMode(g, batchStatistics: false, () =>
        {
            for (int b = 0; b < _z.Length; b++)
            {
                using var batch = new TensorScope(); // a batch's activations go back to the pool before the next
                Tensor h = _judge.Features(JudgeInput(g.Generate(_z[b], _labels[b])));
                logits[b] = batch.Keep(_judge.Classify(h));
                features[b] = batch.Keep(h);
            }
            return 0;
        });
        (Tensor mu, Tensor sigma) = DeviceStatistics.Compute(F.Concat(features, axis: 0));
        float[] read = F.Concat([mu, sigma, F.Reshape(F.Concat(logits, axis: 0), Count * DigitJudge.ClassCount)], axis: 0).ToFloatArray();
        var probabilities = new double[Count, DigitJudge.ClassCount];
        int offset = Features + Features * Features;
        for (int i = 0; i < Count; i++)
            JudgedImages.Softmax(read.AsSpan(offset + i * DigitJudge.ClassCount, DigitJudge.ClassCount), probabilities, i);
        return DigitScores.Compute(DeviceStatistics.FromRead(read, Features, Count), probabilities, _reference, _requestedLabels);
    }

    /// <summary>G's images [n, 1, S, S] at the judge's 28×28: as they are, or resized (or cut out, or padded) by one
    /// matrix product.</summary>
    private Tensor JudgeInput(Tensor images)
    {
        if (_resize is null) return images;
        int n = images.Shape[0], size = _trainer.Size;
        Tensor flat = F.Matmul(F.Reshape(images, n, size * size), _resize);
        if (_resizeOffset is not null) flat += _resizeOffset;
        return F.Reshape(flat, n, 1, Side, Side);
    }

    /// <summary>
    /// <see cref="DigitScores.ToJudgeInput"/> as the affine map it is, x ↦ xM + b: the offset b [1, 28·28] is the
    /// judge's input made from an image of zeros (the -1 border of a small image padded out to 28; null
    /// where it is zero, as for resampling and cutting out), and row p of M [S·S, 28·28] that of a single lit pixel p,
    /// less b. A flattened image times M plus b is then that image brought to 28×28 exactly as on the host, here in
    /// one GEMM on the device.
    /// </summary>
    private static (Tensor Matrix, Tensor? Offset) ResizeMap(int size, ResizeMode madeBy, IBackend backend)
    {
        var matrix = new float[size * size * Side * Side];
        var unit = new float[size * size];
        float[] offset = DigitScores.ToJudgeInput(unit, 1, 1, size, size, madeBy);
        for (int p = 0; p < size * size; p++)
        {
            unit[p] = 1;
            float[] row = DigitScores.ToJudgeInput(unit, 1, 1, size, size, madeBy);
            for (int q = 0; q < row.Length; q++) matrix[p * Side * Side + q] = row[q] - offset[q];
            unit[p] = 0;
        }
        return (Tensor.FromSpan<float>(matrix, new Shape(size * size, Side * Side), DType.Float32, backend),
                offset.Any(v => v != 0) ? Tensor.FromSpan<float>(offset, new Shape(1, Side * Side), DType.Float32, backend) : null);
    }
}
