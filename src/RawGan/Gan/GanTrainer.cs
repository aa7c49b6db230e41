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
/// update through the discriminator (<see cref="GanConfig.Loss"/>: the non-saturating loss of Goodfellow et al.,
/// least squares, a Wasserstein critic with its gradient penalty, or hinge; with <see cref="GanConfig.DSteps"/> N, on
/// every N-th step only), D's update optionally regularised by lazy R1, and with an auxiliary classifier
/// (<see cref="GanConfig.AuxClassifier"/>) both losses gain its weighted cross-entropy. Every random draw comes from
/// generators whose state is two integers, so a checkpoint resumes the run exactly.
/// </summary>
public sealed class GanTrainer
{
    private readonly bool _averageDLoss;
    private readonly GameLoss _loss;
    private readonly OneHot? _classTargets; // with an auxiliary classifier: labels as the one-hot rows its cross-entropy reads

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
        if (UsesChannelsLast(config, backend))
        {
            G.ToMemoryFormat(MemoryFormat.ChannelsLast);
            D.ToMemoryFormat(MemoryFormat.ChannelsLast);
        }
        OptG = new Adam(G.Parameters(), config.GeneratorLr(), config.Beta1, config.Beta2);
        OptD = new Adam(D.Parameters(), config.DiscriminatorLr(), config.Beta1, config.Beta2);
        _averageDLoss = config.Recipe.AveragesDiscriminatorLoss;
        _loss = new GameLoss(config.Loss, config.LabelSmoothing);
        if (D.HasClassifier) _classTargets = (OneHot)new OneHot(classes).To(backend);
        if (config.DiffAugment != "") Augment = new DiffAugment(config.DiffAugment, config.DiffAugmentProbability, new Generator(config.Seed + 5));
        if (config.Ema > 0)
        {
            GanGenerator average = (GanGenerator)config.Recipe.CreateGenerator(config, channels, size, classes).To(backend);
            if (UsesChannelsLast(config, backend)) average.ToMemoryFormat(MemoryFormat.ChannelsLast);
            Average = new GeneratorAverage(average, G, config.Ema);
        }
        if (config.CudaGraphs)
        {
            if (backend is not IStepGraphs graphs)
                throw new ArgumentException($"--cuda-graphs needs a CUDA device; this run is on {backend.Device}.");
            if (StepGraphRunner.WhyNot(config, IsConditional) is { } why)
                throw new ArgumentException($"--cuda-graphs: {why}, which a replayed CUDA graph would repeat unchanged; run without --cuda-graphs.");
            _graphRunner = new StepGraphRunner(this, graphs);
        }
    }

    private readonly StepGraphRunner? _graphRunner;

    /// <summary>Whether the networks run channels-last: asked for (<see cref="GanConfig.ChannelsLast"/>) on a backend
    /// whose convolutions take it; elsewhere (the CPU) they would only convert around each one, so they stay NCHW.</summary>
    public static bool UsesChannelsLast(GanConfig config, IBackend backend) => config.ChannelsLast && backend.ChannelsLastNative;

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
    public Tensor EnqueueStep(Tensor real, Tensor? labels) => _graphRunner?.TryStep(real) ?? EagerStep(real, labels);

    /// <summary>After a checkpoint is loaded into this trainer: a captured step graph (<see cref="GanConfig.CudaGraphs"/>)
    /// counts from the state it was captured in, so it is dropped and captured again.</summary>
    internal void DiscardStepGraph() => _graphRunner?.Discard();

    /// <summary>The step as the host queues it, op by op (what <see cref="StepGraphRunner"/> captures).</summary>
    internal Tensor EagerStep(Tensor real, Tensor? labels)
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

        // Discriminator: real toward 1, generated (detached, so G gets no gradient) toward 0; its classifier learns
        // from the real labels only, so it is a classifier of real digits that G's images are then held to.
        Tensor fake = G.Generate(z, genLabels);
        (Tensor dLossReal, Tensor dReal) = DiscriminatorHalf(real, labels, real: true);
        (Tensor dLossFake, Tensor dFake) = DiscriminatorHalf(fake.Detach(), genLabels, real: false);
        Tensor dLoss = dLossReal + dLossFake;
        if (Config.Loss == GanLoss.WganGp) dLoss += GradientPenalty(real, fake.Detach(), labels);
        if (Config.R1Gamma > 0 && Step % R1Every == 0) R1Penalty(real, labels);
        OptD.Step();
        OptD.ZeroGrad();

        // Generator (on every DSteps-th step): make D call the same fakes real. D's weights need no gradient here.
        bool updateG = (Step + 1) % Config.DSteps == 0;
        SetRequiresGrad(D, false);
        Tensor gLoss;
        try
        {
            using var recording = updateG ? null : GradMode.NoGrad();
            (Tensor score, Tensor? classes) = Judge(fake, genLabels, classify: true);
            gLoss = _loss.Generator(score);
            if (classes is not null) gLoss += ClassLoss(classes, genLabels!);
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
        Tensor[] values = [dLoss, gLoss, dReal, dFake];
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
        (Tensor score, Tensor? classes) = Judge(images, labels, classify: real);
        Tensor loss = _loss.Discriminator(score, real);
        if (classes is not null) loss += ClassLoss(classes, labels!);
        if (_averageDLoss && Config.Loss != GanLoss.WganGp) loss *= 0.5; // the critic's loss is E[D(G(z))] − E[D(x)] as defined
        loss.Backward();
        foreach (Tensor p in D.Parameters())
            if (p.Grad is not null) half.Keep(p.Grad);
        using var noGrad = GradMode.NoGrad();
        return (half.Keep(loss.Detach()), half.Keep(score.Mean()));
    }

    /// <summary>Images from latent codes in eval mode, by <see cref="SamplingGenerator"/> (see <see cref="Sampling.Generate"/>).</summary>
    public float[] Sample(Tensor z, Tensor? labels, bool batchStatistics = false) => Sampling.Generate(SamplingGenerator, z, labels, batchStatistics);

    /// <summary>D's output on (augmented) images as the loss reads it (a probability for bce and mse, else the raw
    /// score), with its class logits when <paramref name="classify"/> and D has a classifier (else null).</summary>
    private (Tensor Score, Tensor? ClassLogits) Judge(Tensor images, Tensor? labels, bool classify)
    {
        Tensor seen = Augment?.Apply(images) ?? images;
        (Tensor logits, Tensor? classes) = classify && D.HasClassifier ? D.LogitsAndClasses(seen, labels) : (D.Logits(seen, labels), null);
        return (Config.Loss.ScoresProbabilities() ? F.Sigmoid(logits) : logits, classes);
    }

    /// <summary>The auxiliary classifier's weighted cross-entropy against the labels the images have or were asked for.</summary>
    private Tensor ClassLoss(Tensor classLogits, Tensor labels) => F.CrossEntropy(classLogits, _classTargets!.Forward(labels)) * Config.AuxClassifier;

    /// <summary>Labels 0..classes-1 drawn uniformly from the noise generator, as torch.randint.</summary>
    public Tensor RandomLabels(int n)
    {
        var l = new int[n];
        for (int i = 0; i < n; i++) l[i] = NoiseRng.NextInt(Classes);
        return Tensor.FromSpan<int>(l, new Shape(n), DType.Int32, Backend);
    }

    private int R1Every => Config.R1Every ?? 16;

    /// <summary>
    /// WGAN-GP's λ·E[(‖∇D(x̂)‖ − 1)²] on x̂ = αx + (1 − α)G(z), α uniform per image from <see cref="NoiseRng"/> (so
    /// resume stays exact), conditional models scoring x̂ with the real labels; its gradient is added into D's
    /// weights' gradients. Returns the penalty.
    /// </summary>
    private Tensor GradientPenalty(Tensor real, Tensor fake, Tensor? labels)
    {
        using var scope = new TensorScope();
        int n = real.Shape[0];
        Tensor alpha = Tensor.Rand(new Shape(n, 1, 1, 1), NoiseRng, real.DType, Backend);
        Tensor mixed;
        using (GradMode.NoGrad()) mixed = fake + alpha * (real - fake);
        mixed.RequiresGrad = true;
        Tensor grad = F.Grad(D.Logits(mixed, labels).Sum(), [mixed], createGraph: true)[0]!;
        Tensor norms = F.Sqrt(F.SumTo(F.Pow(grad.Reshape(n, -1), 2), new Shape(n, 1)));
        Tensor penalty = F.Mean(F.Pow(norms - 1, 2)) * (Config.GpLambda ?? 10);
        return PenaltyBackward(scope, penalty);
    }

    /// <summary>R1: γ/2·E‖∇D(x)‖² on the real batch, on D's logit, times the interval when lazy (StyleGAN2).</summary>
    private void R1Penalty(Tensor real, Tensor? labels)
    {
        using var scope = new TensorScope();
        Tensor x = real.Detach();
        x.RequiresGrad = true;
        Tensor grad = F.Grad(D.Logits(x, labels).Sum(), [x], createGraph: true)[0]!;
        PenaltyBackward(scope, (grad * grad).Sum() * (Config.R1Gamma / 2 * R1Every / real.Shape[0]));
    }

    /// <summary>Adds the penalty's gradient into D's weights' gradients, which outlive <paramref name="scope"/>.</summary>
    private Tensor PenaltyBackward(TensorScope scope, Tensor penalty)
    {
        penalty.Backward();
        foreach (Tensor p in D.Parameters())
            if (p.Grad is not null) scope.Keep(p.Grad);
        return scope.Keep(penalty.Detach());
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
