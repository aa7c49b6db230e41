using RawGan.Autograd;
using RawGan.Backends;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan.Models;

/// <summary>A generator: latent codes z [N, nz] (and, when conditional, int32 labels [N]) to images [N, C, H, W] in [-1, 1].</summary>
public abstract class GanGenerator : Module
{
    private Sequential? _folded;

    public abstract int LatentSize { get; }
    public abstract bool IsConditional { get; }

    public abstract Tensor Generate(Tensor z, Tensor? labels);

    /// <summary>
    /// Folds the generator's layer stack for inference (<see cref="Fusion.Fold"/>: BatchNorm into the preceding
    /// layer, the activation over its output), from the current weights. Then eval-mode forwards without gradients
    /// run the folded stack; training, gradients and batch statistics still run the modules themselves. Weights
    /// changed or moved (<see cref="Module.To(Backends.IBackend)"/>) later by anything but
    /// <see cref="Module.LoadStateDict"/> (which drops the folded stack) are not seen: call it again. Loaded
    /// generators (<c>Sampling.LoadGenerator</c>) are prepared. <paramref name="quantization"/> holds the transposed
    /// convolutions' weights as int8 or bf16 (CPU only).
    /// </summary>
    public void PrepareInference(Quantization quantization = Quantization.None)
    {
        if (quantization != Quantization.None && !Trunk.Layers.Any(m => m is ConvTranspose2d))
            throw new ArgumentException($"--quantize {OptionNames.Name(quantization)}: this generator has no transposed convolutions to quantise (dcgan and cdcgan generators do).");
        _folded = Fusion.Fold(Trunk, quantization);
    }

    /// <summary>The layer stack that <see cref="PrepareInference"/> folds, run through <see cref="RunTrunk"/>.</summary>
    protected abstract Sequential Trunk { get; }

    /// <summary>The trunk's forward: folded when prepared and in eval mode without gradients or batch statistics.</summary>
    protected Tensor RunTrunk(Tensor x) =>
        _folded is not null && !Training && !GradMode.Enabled && !Trunk.Layers.Any(m => m is BatchNorm { BatchStatisticsInEval: true })
            ? _folded.Forward(x)
            : Trunk.Forward(x);

    protected override void OnStateLoaded() => _folded = null;

    public override Tensor Forward(Tensor input) => Generate(input, null);

    protected void CheckLabels(Tensor z, Tensor? labels)
    {
        if (IsConditional && labels is null) throw new ArgumentException($"{GetType().Name} is conditional: pass a label per latent code.");
        if (z.Rank != 2 || z.Shape[1] != LatentSize)
            throw new ArgumentException($"{GetType().Name}: latent codes must have shape [N, {LatentSize}], got {z.Shape}.");
        if (labels is not null && (labels.Rank != 1 || labels.Shape[0] != z.Shape[0]))
            throw new ArgumentException($"{GetType().Name}: labels must have shape [{z.Shape[0]}], got {labels.Shape}.");
    }
}

/// <summary>A discriminator: images (and labels when conditional) to the probability [N] that each is real.</summary>
public abstract class GanDiscriminator : Module
{
    public abstract bool IsConditional { get; }

    /// <summary>D's raw score [N] before its final sigmoid: what a Wasserstein critic outputs and R1 differentiates.</summary>
    public abstract Tensor Logits(Tensor images, Tensor? labels);

    /// <summary>Whether D also predicts each image's class (an auxiliary classifier, AC-GAN): see <see cref="LogitsAndClasses"/>.</summary>
    public virtual bool HasClassifier => false;

    /// <summary>D's raw score [N] and its auxiliary classifier's class logits [N, classes], from one forward pass;
    /// only for a D that <see cref="HasClassifier"/>.</summary>
    public virtual (Tensor Logits, Tensor ClassLogits) LogitsAndClasses(Tensor images, Tensor? labels) =>
        throw new InvalidOperationException($"{GetType().Name} has no auxiliary classifier.");

    /// <summary>The probability [N] that each image is real: the sigmoid of <see cref="Logits"/>.</summary>
    public Tensor Score(Tensor images, Tensor? labels) => F.Sigmoid(Logits(images, labels));

    public override Tensor Forward(Tensor input) => Score(input, null);
}
