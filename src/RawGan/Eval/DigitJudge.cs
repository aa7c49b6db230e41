using RawGan.Backends;
using RawGan.IO;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Eval;

/// <summary>
/// The bundled digit judge: a small convolutional classifier of 28×28 grayscale digits in [-1, 1] (the range
/// RawGan's data and generators use), trained with RawGan itself on 8,000 of the 10,000 bundled MNIST digits by
/// <c>tools/judge/train-judge.sh</c> and embedded in the library, so generated digits can be judged with no
/// download. Three stride-2 convolutions (28 → 14 → 7 → 4) with ReLU, a 128-wide hidden layer whose activations
/// are the judge's features (<see cref="Features"/>), and a 10-way classifier on top.
/// </summary>
public sealed class DigitJudge : Module
{
    /// <summary>The side of the images the judge reads.</summary>
    public const int ImageSize = 28;

    /// <summary>The width of <see cref="Features"/>: the space its Fréchet distance and precision/recall use.</summary>
    public const int FeatureSize = 128;

    /// <summary>The digits 0…9.</summary>
    public const int ClassCount = 10;

    /// <summary>The name of the embedded weights in the RawGan.Core assembly.</summary>
    public const string ResourceName = "eval/digit-judge.safetensors";

    /// <summary>The name of the embedded <see cref="ReferenceStatistics"/> of the 8,000 digits it trained on (an .npz).</summary>
    public const string ReferenceResourceName = "eval/digit-judge-reference.npz";

    private readonly Sequential _features;
    private readonly Linear _classifier;

    /// <summary>A judge with fresh weights (PyTorch's default initialisation drawn from <paramref name="init"/>);
    /// <see cref="LoadEmbedded"/> gives the trained one.</summary>
    public DigitJudge(Generator? init = null)
    {
        _features = RegisterModule("features", new Sequential(
            new Conv2d(1, 16, 5, 2, 2, generator: init), new ReLU(inplace: true),
            new Conv2d(16, 32, 5, 2, 2, generator: init), new ReLU(inplace: true),
            new Conv2d(32, 32, 3, 2, 1, generator: init), new ReLU(inplace: true),
            new Flatten(), new Linear(32 * 4 * 4, FeatureSize, generator: init), new ReLU(inplace: true)));
        _classifier = RegisterModule("classifier", new Linear(FeatureSize, ClassCount, generator: init));
    }

    /// <summary>The 128 hidden activations of images [N, 1, 28, 28].</summary>
    public Tensor Features(Tensor images) => _features.Forward(images);

    /// <summary>The 10 logits of <see cref="Features"/>.</summary>
    public Tensor Classify(Tensor features) => _classifier.Forward(features);

    public override Tensor Forward(Tensor input) => Classify(Features(input));

    /// <summary>
    /// Whether bundled digit <paramref name="index"/> (0…9,999) was held out of the judge's training: every fifth,
    /// 2,000 digits in all, on which its accuracy is measured. The other 8,000 trained it.
    /// </summary>
    public static bool IsHeldOut(int index) => index % 5 == 0;

    /// <summary>The trained judge, in evaluation mode on <paramref name="backend"/> (the CPU when null).</summary>
    public static DigitJudge LoadEmbedded(IBackend? backend = null)
    {
        var judge = new DigitJudge();
        using (Stream stream = typeof(DigitJudge).Assembly.GetManifestResourceStream(ResourceName)
               ?? throw new InvalidOperationException($"The RawGan.Core assembly lacks its embedded digit judge {ResourceName}; run tools/judge/train-judge.sh and rebuild."))
        {
            SafeTensorsFile file = SafeTensors.Read(stream, ResourceName);
            judge.LoadStateDict(file.Tensors.ToDictionary(e => e.Name, e => Tensor.FromArray(e.ToArray<float>(), e.Shape)));
        }
        if (backend is not null) judge.To(backend);
        judge.Eval();
        return judge;
    }

    /// <summary>
    /// The judge's feature statistics of <paramref name="referenceDigits"/> (count × 28 × 28): what samples are
    /// compared with. The bundled digits' are embedded (<see cref="EmbeddedReference"/>), written by
    /// tools/judge/train-judge.sh with this method, so training starts without judging 8,000 digits.
    /// </summary>
    public FeatureStatistics ReferenceStatistics(ReadOnlySpan<float> referenceDigits) =>
        FeatureStatistics.From(Judge(referenceDigits, referenceDigits.Length / (ImageSize * ImageSize)).Features);

    /// <summary>The embedded judge's <see cref="ReferenceStatistics"/> of the 8,000 bundled digits it trained on
    /// (those <see cref="IsHeldOut"/> leaves), computed on the CPU.</summary>
    public static FeatureStatistics EmbeddedReference()
    {
        using Stream stream = typeof(DigitJudge).Assembly.GetManifestResourceStream(ReferenceResourceName)
            ?? throw new InvalidOperationException($"The RawGan.Core assembly lacks its embedded {ReferenceResourceName}; run tools/judge/train-judge.sh and rebuild.");
        return NpzStatistics.Read(stream, ReferenceResourceName);
    }

    /// <summary>
    /// Runs the judge over <paramref name="images"/> (count × 1 × 28 × 28 floats in [-1, 1], row-major) in batches
    /// of <paramref name="batchSize"/> without recording gradients: each image's features and class probabilities
    /// (the logits' softmax, computed in float64).
    /// </summary>
    public JudgedImages Judge(ReadOnlySpan<float> images, int count, int batchSize = 500)
    {
        const int Pixels = ImageSize * ImageSize;
        if (images.Length != (long)count * Pixels)
            throw new ArgumentException($"The digit judge reads {ImageSize}×{ImageSize} grayscale images: {count} of them are {count * Pixels} values, got {images.Length}.");
        IBackend backend = Parameters().First().Backend;
        return JudgedImages.Collect(images, Pixels, batchSize, FeatureSize, ClassCount, (pixels, n) =>
        {
            Tensor h = Features(Tensor.FromSpan(pixels, new Shape(n, 1, ImageSize, ImageSize), DType.Float32, backend));
            return (h, Classify(h));
        });
    }
}
