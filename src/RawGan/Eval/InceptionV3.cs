using RawGan.Backends;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Eval;

/// <summary>
/// Inception-v3 as the FID tools use it: the TensorFlow graph of 2015-12-05 that pytorch-fid and clean-fid
/// reproduce, built from RawGan's layers with torchvision's Inception3 state_dict names (no auxiliary classifier,
/// 1008 logits), so pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c>, converted by
/// <c>tools/inception/convert.py</c>, loads name for name (<see cref="InceptionWeights"/>). Input: images
/// [N, 3, 299, 299] scaled to [-1, 1] (<see cref="InceptionInput"/>); <see cref="Module.Forward"/> gives the pool3
/// features [N, 2048] that FID and KID use, <see cref="Logits"/> the classifier that IS uses.
/// </summary>
public sealed class InceptionV3 : Module
{
    /// <summary>The side of the images the network reads.</summary>
    public const int ImageSize = 299;

    /// <summary>The width of the pool3 features.</summary>
    public const int FeatureSize = 2048;

    /// <summary>The classes of the 2015 graph (ImageNet's 1000 and 8 unused).</summary>
    public const int ClassCount = 1008;

    private readonly Module[] _stem, _blocks;
    private readonly Linear _fc;

    /// <summary>The network with placeholder weights (PyTorch's default initialisation): load real ones with
    /// <see cref="InceptionWeights.Load"/>. Evaluation mode.</summary>
    public InceptionV3()
    {
        _stem =
        [
            RegisterModule("Conv2d_1a_3x3", new BasicConv2d(3, 32, 3, stride: 2)),
            RegisterModule("Conv2d_2a_3x3", new BasicConv2d(32, 32, 3)),
            RegisterModule("Conv2d_2b_3x3", new BasicConv2d(32, 64, 3, padding: 1)),
            new MaxPool2d(3, 2),
            RegisterModule("Conv2d_3b_1x1", new BasicConv2d(64, 80, 1)),
            RegisterModule("Conv2d_4a_3x3", new BasicConv2d(80, 192, 3)),
            new MaxPool2d(3, 2),
        ];
        _blocks =
        [
            RegisterModule("Mixed_5b", new InceptionA(192, 32)),
            RegisterModule("Mixed_5c", new InceptionA(256, 64)),
            RegisterModule("Mixed_5d", new InceptionA(288, 64)),
            RegisterModule("Mixed_6a", new InceptionB(288)),
            RegisterModule("Mixed_6b", new InceptionC(768, 128)),
            RegisterModule("Mixed_6c", new InceptionC(768, 160)),
            RegisterModule("Mixed_6d", new InceptionC(768, 160)),
            RegisterModule("Mixed_6e", new InceptionC(768, 192)),
            RegisterModule("Mixed_7a", new InceptionD(768)),
            RegisterModule("Mixed_7b", new InceptionE(1280, maxPool: false)),
            RegisterModule("Mixed_7c", new InceptionE(2048, maxPool: true)),
        ];
        _fc = RegisterModule("fc", new Linear(FeatureSize, ClassCount));
        Eval();
    }

    /// <summary>The pool3 features [N, 2048] of prepared images [N, 3, 299, 299].</summary>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != 3)
            throw new ArgumentException($"Inception-v3 reads images [N, 3, H, W] (prepared by InceptionInput), got {input.Shape}.");
        Tensor x = input;
        foreach (Module m in _stem) x = m.Forward(x);
        foreach (Module m in _blocks) x = m.Forward(x);
        return F.Flatten(F.AdaptiveAvgPool2d(x, 1, 1));
    }

    /// <summary>The 1008 logits of pool3 features (dropout is the identity in evaluation).</summary>
    public Tensor Logits(Tensor pool3) => _fc.Forward(pool3);

    /// <summary>
    /// Runs <paramref name="count"/> images [count, channels, height, width] in [-1, 1] (RawGan's range, row-major)
    /// through the network in batches of <paramref name="batchSize"/> without recording gradients, after
    /// <see cref="InceptionInput"/>'s <paramref name="resize"/>: pool3 features and the softmax of the 1008 logits
    /// (float64), reporting the images done to <paramref name="progress"/>.
    /// </summary>
    public JudgedImages Judge(ReadOnlySpan<float> images, int count, int channels, int height, int width, InceptionResize resize,
                              int batchSize = 50, Action<int>? progress = null)
    {
        int pixels = channels * height * width;
        if (images.Length != (long)count * pixels)
            throw new ArgumentException($"{count} images [{channels}, {height}, {width}] are {(long)count * pixels} values, got {images.Length}.");
        IBackend backend = Parameters().First().Backend;
        return JudgedImages.Collect(images, pixels, batchSize, FeatureSize, ClassCount, (batch, n) =>
        {
            float[] bytes = InceptionInput.ToBytes(batch);
            Tensor pool3 = Forward(InceptionInput.Prepare(Tensor.FromSpan<float>(bytes, new Shape(n, channels, height, width), DType.Float32, backend), resize));
            return (pool3, Logits(pool3));
        }, progress);
    }
}
