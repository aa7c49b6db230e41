using RawGan.Autograd;
using RawGan.Backends;
using RawGan.Gan.Models;
using RawGan.Ops;
using RawGan.Optim;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>What one training step measured: the losses and the discriminator's mean outputs on real and fake.</summary>
public readonly record struct StepMetrics(double DLoss, double GLoss, double DReal, double DFake)
{
    /// <summary>The number of values a step's metrics tensor holds, in this record's order.</summary>
    public const int Count = 4;

    public bool IsFinite => double.IsFinite(DLoss) && double.IsFinite(GLoss) && double.IsFinite(DReal) && double.IsFinite(DFake);

    /// <summary>Reads row <paramref name="row"/> of values laid out as <see cref="GanTrainer.EnqueueStep(Tensors.Tensor, Tensors.Tensor?)"/> writes them.</summary>
    public static StepMetrics FromValues(ReadOnlySpan<double> values, int row = 0) =>
        new(values[row * Count], values[row * Count + 1], values[row * Count + 2], values[row * Count + 3]);
}

/// <summary>A loss came out NaN or infinite: the weights updated with it are no longer usable.</summary>
public sealed class DivergenceException : Exception
{
    public DivergenceException() { }
    public DivergenceException(string message) : base(message) { }
    public DivergenceException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The GAN game, one step at a time: a discriminator update on a real and a generated batch, then a generator
/// update through the discriminator (<see cref="GanConfig.Loss"/>; with <see cref="GanConfig.DSteps"/> N, on every
/// N-th step only). Every random draw comes from generators whose state is two integers, so a checkpoint resumes
/// the run exactly.
/// </summary>
public sealed class GanTrainer
{
    private readonly bool _averageDLoss;
    private readonly GameLoss _loss;

    public GanTrainer(GanConfig config, int channels, int size, int classes, IBackend backend)
    {
        Config = config;
        Channels = channels;
        Size = size;
        Classes = classes;
        Backend = backend;
        NoiseRng = new Generator(config.Seed + 1);
        DropoutRng = new Generator(config.Seed + 2);
        (G, D) = config.Recipe.Create(config, channels, size, classes, DropoutRng);
        G.To(backend);
        D.To(backend);
        OptG = new Adam(G.Parameters(), config.GeneratorLr(), config.Beta1, config.Beta2);
        OptD = new Adam(D.Parameters(), config.DiscriminatorLr(), config.Beta1, config.Beta2);
        _averageDLoss = config.Recipe.AveragesDiscriminatorLoss;
        _loss = new GameLoss(config.Loss, config.LabelSmoothing);
        if (config.DiffAugment != "") Augment = new DiffAugment(config.DiffAugment, config.DiffAugmentProbability, new Generator(config.Seed + 5));
        if (config.Ema > 0)
            Average = new GeneratorAverage((GanGenerator)config.Recipe.CreateGenerator(config, channels, size, classes).To(backend), G, config.Ema);
    }

    public GanConfig Config { get; }
    public int Channels { get; }
    public int Size { get; }
    public int Classes { get; }
    public IBackend Backend { get; }
    public GanGenerator G { get; }
    public GanDiscriminator D { get; }
    public Adam OptG { get; }
    public Adam OptD { get; }
    public Generator NoiseRng { get; }
    public Generator DropoutRng { get; }

    /// <summary>The augmentation of D's inputs when <see cref="GanConfig.DiffAugment"/> names policies, else null.</summary>
    public DiffAugment? Augment { get; }

    /// <summary>The moving average of G when <see cref="GanConfig.Ema"/> is on, else null.</summary>
    public GeneratorAverage? Average { get; }

    /// <summary>The generator that samples and is saved: the average when there is one.</summary>
    public GanGenerator SamplingGenerator => Average?.Model ?? G;
    public bool IsConditional => G.IsConditional;

    /// <summary>Steps completed so far.</summary>
    public long Step { get; set; }

    /// <summary>One step on a real batch [N, C, H, W] (labels [N] int32 for conditional models), drawing the
    /// latent codes and generated labels from <see cref="NoiseRng"/>; reads its metrics back at once.</summary>
    public StepMetrics TrainStep(Tensor real, Tensor? labels) => Read(EnqueueStep(real, labels));

    /// <summary>One step with given latent codes (and generated labels), read back at once.</summary>
    public StepMetrics TrainStep(Tensor real, Tensor? labels, Tensor z, Tensor? genLabels) => Read(EnqueueStep(real, labels, z, genLabels));

    /// <summary>One step whose metrics stay on the device: a tensor [<see cref="StepMetrics.Count"/>] (see
    /// <see cref="StepMetrics.FromValues"/>). Nothing here waits for the device, so a GPU runs steps back to back
    /// while the host queues the next; reading the metrics (a <see cref="MetricsWindow"/> does, once per N steps)
    /// is where a NaN loss is found.</summary>
    public Tensor EnqueueStep(Tensor real, Tensor? labels)
    {
        int n = real.Shape[0];
        Tensor z = Tensor.Randn(new Shape(n, Config.Nz), NoiseRng, real.DType, Backend);
        Tensor? genLabels = IsConditional ? RandomLabels(n) : null;
        return EnqueueStep(real, labels, z, genLabels);
    }

    /// <summary>One step with given latent codes (and generated labels): the path training and the PyTorch
    /// regression test share.</summary>
    public Tensor EnqueueStep(Tensor real, Tensor? labels, Tensor z, Tensor? genLabels)
    {
        if (IsConditional && (labels is null || genLabels is null))
            throw new ArgumentException($"--model {OptionNames.Name(Config.Model)} is conditional: the batch needs labels.");
        using var scope = new TensorScope();
        OptD.ZeroGrad();
        OptG.ZeroGrad();

        // Discriminator: real toward 1, generated (detached, so G gets no gradient) toward 0.
        Tensor fake = G.Generate(z, genLabels);
        (Tensor dLossReal, Tensor dReal) = DiscriminatorHalf(real, labels, real: true);
        (Tensor dLossFake, Tensor dFake) = DiscriminatorHalf(fake.Detach(), genLabels, real: false);
        OptD.Step();
        OptD.ZeroGrad();

        // Generator (on every DSteps-th step): make D call the same fakes real. D's weights need no gradient here.
        bool updateG = (Step + 1) % Config.DSteps == 0;
        SetRequiresGrad(D, false);
        Tensor gLoss;
        try
        {
            using var recording = updateG ? null : GradMode.NoGrad();
            gLoss = _loss.Generator(Score(fake, genLabels));
            if (updateG) gLoss.Backward();
        }
        finally
        {
            SetRequiresGrad(D, true);
        }
        if (updateG)
        {
            OptG.Step();
            OptG.ZeroGrad();
            Average?.Update(G, Step / Config.DSteps);
        }
        Step++;
        using var noGrad = GradMode.NoGrad();
        Tensor[] values = [dLossReal + dLossFake, gLoss, dReal, dFake];
        return scope.Keep(F.Concat(Array.ConvertAll(values, v => F.Reshape(v, 1)), axis: 0));
    }

    /// <summary>
    /// D's loss on one batch of <paramref name="real"/> or generated images, its gradient added into D's weights'
    /// gradients, and the loss and mean score kept; D's graph for the batch (its activations) is released before the next batch
    /// goes through, as PyTorch's example frees it by calling backward once per batch. The peak then holds one D
    /// graph, not two. The gradients are the same numbers as one backward of the summed loss (the two
    /// contributions to each weight are added either way).
    /// </summary>
    private (Tensor Loss, Tensor MeanScore) DiscriminatorHalf(Tensor images, Tensor? labels, bool real)
    {
        using var half = new TensorScope();
        Tensor score = Score(images, labels);
        Tensor loss = _loss.Discriminator(score, real);
        if (_averageDLoss) loss *= 0.5;
        loss.Backward();
        foreach (Tensor p in D.Parameters())
            if (p.Grad is not null) half.Keep(p.Grad);
        using var noGrad = GradMode.NoGrad();
        return (half.Keep(loss.Detach()), half.Keep(score.Mean()));
    }

    /// <summary>Images from latent codes in eval mode, by <see cref="SamplingGenerator"/> (see <see cref="Sampling.Generate"/>).</summary>
    public float[] Sample(Tensor z, Tensor? labels, bool batchStatistics = false) => Sampling.Generate(SamplingGenerator, z, labels, batchStatistics);

    private Tensor Score(Tensor images, Tensor? labels) => D.Score(Augment?.Apply(images) ?? images, labels);

    /// <summary>Labels 0..classes-1 drawn uniformly from the noise generator, as torch.randint.</summary>
    public Tensor RandomLabels(int n)
    {
        var l = new int[n];
        for (int i = 0; i < n; i++) l[i] = NoiseRng.NextInt(Classes);
        return Tensor.FromSpan<int>(l, new Shape(n), DType.Int32, Backend);
    }

    private StepMetrics Read(Tensor metrics)
    {
        StepMetrics m = StepMetrics.FromValues(metrics.ToDoubleArray());
        if (!m.IsFinite) throw Diverged(Step, m);
        return m;
    }

    internal static DivergenceException Diverged(long step, StepMetrics m) =>
        new($"A loss is not finite at step {step} (D {m.DLoss}, G {m.GLoss}): training diverged (try a lower --lr).");

    private static void SetRequiresGrad(Nn.Module m, bool value)
    {
        foreach (Tensor p in m.Parameters()) p.RequiresGrad = value;
    }
}
