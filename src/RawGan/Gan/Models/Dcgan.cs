using System.Text.Json.Serialization;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan.Models;

/// <summary>Which DCGAN: PyTorch's example (4×4 transposed convolutions, stride 2, padding 1, no biases) or the
/// TensorFlow original (a dense projection to 4×4 and 5×5 stride-2 'same' convolutions with biases).</summary>
public enum DcganVariant
{
    [JsonStringEnumMemberName("pytorch")] PyTorch,
    [JsonStringEnumMemberName("tensorflow")] TensorFlow,
}

/// <summary>
/// The DCGAN generator (Radford et al.). Depth follows the image size: after the 4×4 seed, one stride-2 layer per
/// doubling, so 32 → 3 layers, 64 → 4 (PyTorch's example: ngf·8 → ngf·4 → ngf·2 → ngf → nc), 128 → 5. When
/// conditional (cDCGAN) the label enters as a one-hot vector concatenated to z.
/// </summary>
public sealed class DcganGenerator : GanGenerator
{
    private readonly Sequential _main;
    private readonly OneHot? _oneHot;

    public DcganGenerator(int nz, int ngf, int channels, int size, DcganVariant variant = DcganVariant.PyTorch, int conditionalClasses = 0, Generator? init = null)
    {
        int doublings = Doublings(size);
        LatentSize = nz;
        int input = nz + conditionalClasses;
        int width = ngf << (doublings - 1); // channels at 4×4: ngf·8 for 64×64
        var layers = new List<Module>();
        if (variant == DcganVariant.PyTorch)
        {
            layers.AddRange([new ConvTranspose2d(input, width, 4, 1, 0, bias: false, generator: init), new BatchNorm2d(width), new ReLU(inplace: true)]);
            for (int i = 1; i < doublings; i++, width /= 2)
                layers.AddRange([new ConvTranspose2d(width, width / 2, 4, 2, 1, bias: false, generator: init), new BatchNorm2d(width / 2), new ReLU(inplace: true)]);
            layers.AddRange([new ConvTranspose2d(width, channels, 4, 2, 1, bias: false, generator: init), new Tanh()]);
        }
        else
        {
            layers.AddRange([new Linear(input, width * 16, generator: init), new Unflatten(width, 4, 4), new BatchNorm2d(width), new ReLU(inplace: true)]);
            for (int i = 1; i < doublings; i++, width /= 2)
                layers.AddRange([ConvTranspose2d.Same(width, width / 2, 5, 2, generator: init), new BatchNorm2d(width / 2), new ReLU(inplace: true)]);
            layers.AddRange([ConvTranspose2d.Same(width, channels, 5, 2, generator: init), new Tanh()]);
        }
        Variant = variant;
        _main = RegisterModule("main", new Sequential([.. layers]));
        if (conditionalClasses > 0) _oneHot = RegisterModule("one_hot", new OneHot(conditionalClasses));
    }

    public DcganVariant Variant { get; }
    protected override Sequential Trunk => _main;
    public override int LatentSize { get; }
    public override bool IsConditional => _oneHot is not null;

    public override Tensor Generate(Tensor z, Tensor? labels)
    {
        CheckLabels(z, labels);
        Tensor x = _oneHot is null ? z : F.Concat([z, _oneHot.Forward(labels!)], 1);
        return RunTrunk(Variant == DcganVariant.PyTorch ? F.Reshape(x, x.Shape[0], x.Shape[1], 1, 1) : x);
    }

    /// <summary>Stride-2 layers between 4×4 and the image size.</summary>
    internal static int Doublings(int size)
    {
        if (size < 8 || (size & (size - 1)) != 0)
            throw new ArgumentException($"DCGAN image size must be a power of two of at least 8 (32, 64 and 128 are the usual), got {size}.");
        return System.Numerics.BitOperations.Log2((uint)size) - 2;
    }
}

/// <summary>The DCGAN discriminator, mirroring the generator: stride-2 convolutions with BatchNorm (not on the
/// first; none at all with <see cref="DiscriminatorNorm.None"/>) and LeakyReLU(0.2) down to 4×4, then a 4×4 convolution (PyTorch) or a dense layer (TensorFlow) and a
/// Sigmoid. When conditional the label enters as one-hot planes concatenated to the image's channels, or, with
/// <see cref="LabelConditioning.Projection"/>, through a <see cref="LabelProjection"/> of the features the last layer
/// reads. Minibatch discrimination works on the flattened 4×4 features, so with it the PyTorch variant's last
/// convolution becomes the dense layer it equals on a 4×4 map (no bias either), taking the B extra features. With
/// an auxiliary classifier (AC-GAN, Odena et al. 2017) a second head, a dense layer on the same 4×4 features,
/// gives class logits beside the real/fake score.</summary>
public sealed class DcganDiscriminator : GanDiscriminator
{
    private readonly Sequential _main;
    private readonly OneHot? _oneHot;
    private readonly LabelProjection? _projection;
    private readonly Linear? _classifier;
    private readonly int _head; // the index in _main of the last layer (or layers) that make the output

    public DcganDiscriminator(int ndf, int channels, int size, DcganVariant variant = DcganVariant.PyTorch, int conditionalClasses = 0, Generator? init = null,
        bool minibatchStd = false, LabelConditioning conditioning = LabelConditioning.Concat, (int Kernels, int KernelDims)? minibatchDiscrimination = null,
        DiscriminatorNorm norm = DiscriminatorNorm.Batch, bool auxiliaryClassifier = false)
    {
        if (auxiliaryClassifier && conditionalClasses == 0)
            throw new ArgumentException("An auxiliary classifier predicts the label: it needs a conditional discriminator.");
        int doublings = DcganGenerator.Doublings(size);
        int width = ndf;
        var layers = new List<Module>();
        bool pt = variant == DcganVariant.PyTorch;
        bool project = conditionalClasses > 0 && conditioning == LabelConditioning.Projection;
        int inChannels = channels + (project ? 0 : conditionalClasses);
        layers.AddRange([pt ? new Conv2d(inChannels, ndf, 4, 2, 1, bias: false, generator: init) : Conv2d.Same(inChannels, ndf, 5, 2, generator: init), new LeakyReLU(0.2, inplace: true)]);
        for (int i = 1; i < doublings; i++, width *= 2)
        {
            layers.Add(pt ? new Conv2d(width, width * 2, 4, 2, 1, bias: false, generator: init) : Conv2d.Same(width, width * 2, 5, 2, generator: init));
            if (norm == DiscriminatorNorm.Batch) layers.Add(new BatchNorm2d(width * 2));
            layers.Add(new LeakyReLU(0.2, inplace: true));
        }
        layers.AddRange(MinibatchStdDev.Optional(minibatchStd));
        if (minibatchStd) width++;
        _head = layers.Count;
        if (pt && minibatchDiscrimination is null) layers.Add(new Conv2d(width, 1, 4, 1, 0, bias: false, generator: init));
        else layers.AddRange([new Flatten(), .. MinibatchDiscrimination.Optional(width * 16, minibatchDiscrimination, init),
                              new Linear(width * 16 + (minibatchDiscrimination?.Kernels ?? 0), 1, bias: !pt, generator: init)]);
        _main = RegisterModule("main", new Sequential([.. layers]));
        if (project) _projection = RegisterModule("projection", new LabelProjection(conditionalClasses, width, init));
        else if (conditionalClasses > 0) _oneHot = RegisterModule("one_hot", new OneHot(conditionalClasses));
        if (auxiliaryClassifier) _classifier = RegisterModule("classifier", new Linear(width * 16, conditionalClasses, generator: init));
    }

    public override bool IsConditional => _oneHot is not null || _projection is not null;

    public override bool HasClassifier => _classifier is not null;

    public override Tensor Logits(Tensor images, Tensor? labels) => Heads(images, labels, classify: false).Logits;

    public override (Tensor Logits, Tensor ClassLogits) LogitsAndClasses(Tensor images, Tensor? labels)
    {
        if (_classifier is null) return base.LogitsAndClasses(images, labels);
        (Tensor logits, Tensor? classes) = Heads(images, labels, classify: true);
        return (logits, classes!);
    }

    /// <summary>The score, and the class logits when asked: both heads read the 4×4 features before the last layer.</summary>
    private (Tensor Logits, Tensor? ClassLogits) Heads(Tensor images, Tensor? labels, bool classify)
    {
        if (IsConditional && labels is null) throw new ArgumentException("This DCGAN discriminator is conditional: pass a label per image.");
        int n = images.Shape[0];
        Tensor x = images;
        if (_oneHot is not null)
        {
            Tensor planes = _oneHot.Forward(labels!);
            int classes = planes.Shape[1];
            planes = F.ExpandTo(F.Reshape(planes, n, classes, 1, 1), new Shape(n, classes, images.Shape[2], images.Shape[3]));
            x = F.Concat([images, planes], 1);
        }
        if (_projection is null && !classify) return (F.Reshape(_main.Forward(x), n), null);
        Tensor features = x;
        for (int i = 0; i < _head; i++) features = _main[i].Forward(features);
        Tensor output = features;
        for (int i = _head; i < _main.Layers.Count; i++) output = _main[i].Forward(output);
        Tensor logits = F.Reshape(output, n);
        if (_projection is not null) logits += _projection.Project(features, labels!);
        return (logits, classify ? _classifier!.Forward(F.Flatten(features, 1)) : null);
    }
}
