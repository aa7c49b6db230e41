using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Eval;

// The blocks of the FID Inception-v3 (the TensorFlow graph of 2015-12-05), named as torchvision's Inception3 names
// them so that pytorch-fid's weights load name for name. The FID variants (pytorch-fid's FIDInceptionA, C, E_1,
// E_2) differ from torchvision's in their pools: averages leave the padding out, and the last block max-pools.

/// <summary>Conv2d without bias, BatchNorm2d with eps 0.001, ReLU (torchvision's BasicConv2d).</summary>
internal sealed class BasicConv2d : Module
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;

    public BasicConv2d(int inChannels, int outChannels, (int H, int W) kernel, int stride = 1, (int H, int W) padding = default)
    {
        _conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernel, stride, Padding2d.Symmetric(padding.H, padding.W), bias: false));
        _bn = RegisterModule("bn", new BatchNorm2d(outChannels, eps: 0.001));
    }

    public BasicConv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0)
        : this(inChannels, outChannels, (kernel, kernel), stride, (padding, padding)) { }

    public override Tensor Forward(Tensor input) => F.Relu_(_bn.Forward(_conv.Forward(input)));
}

/// <summary>The 3×3 stride-1 pool of the A, C and E_1 blocks: an average over the window's pixels inside the image.</summary>
internal static class BlockPool
{
    public static Tensor Average(Tensor x) => F.AvgPool2d(x, 3, 1, 1, countIncludePad: false);
}

/// <summary>Mixed_5b/c/d: 1×1, 5×5, double 3×3 and pool branches (FIDInceptionA).</summary>
internal sealed class InceptionA : Module
{
    private readonly BasicConv2d _b1, _b5a, _b5b, _d1, _d2, _d3, _pool;

    public InceptionA(int inChannels, int poolFeatures)
    {
        _b1 = RegisterModule("branch1x1", new BasicConv2d(inChannels, 64, 1));
        _b5a = RegisterModule("branch5x5_1", new BasicConv2d(inChannels, 48, 1));
        _b5b = RegisterModule("branch5x5_2", new BasicConv2d(48, 64, 5, padding: 2));
        _d1 = RegisterModule("branch3x3dbl_1", new BasicConv2d(inChannels, 64, 1));
        _d2 = RegisterModule("branch3x3dbl_2", new BasicConv2d(64, 96, 3, padding: 1));
        _d3 = RegisterModule("branch3x3dbl_3", new BasicConv2d(96, 96, 3, padding: 1));
        _pool = RegisterModule("branch_pool", new BasicConv2d(inChannels, poolFeatures, 1));
    }

    public override Tensor Forward(Tensor x) => F.Concat(
    [
        _b1.Forward(x),
        _b5b.Forward(_b5a.Forward(x)),
        _d3.Forward(_d2.Forward(_d1.Forward(x))),
        _pool.Forward(BlockPool.Average(x)),
    ]);
}

/// <summary>Mixed_6a: the 35 → 17 reduction (InceptionB).</summary>
internal sealed class InceptionB : Module
{
    private readonly BasicConv2d _b3, _d1, _d2, _d3;

    public InceptionB(int inChannels)
    {
        _b3 = RegisterModule("branch3x3", new BasicConv2d(inChannels, 384, 3, stride: 2));
        _d1 = RegisterModule("branch3x3dbl_1", new BasicConv2d(inChannels, 64, 1));
        _d2 = RegisterModule("branch3x3dbl_2", new BasicConv2d(64, 96, 3, padding: 1));
        _d3 = RegisterModule("branch3x3dbl_3", new BasicConv2d(96, 96, 3, stride: 2));
    }

    public override Tensor Forward(Tensor x) => F.Concat(
        [_b3.Forward(x), _d3.Forward(_d2.Forward(_d1.Forward(x))), F.MaxPool2d(x, 3, 2)]);
}

/// <summary>Mixed_6b/c/d/e: factorised 7×7 branches (FIDInceptionC).</summary>
internal sealed class InceptionC : Module
{
    private readonly BasicConv2d _b1, _s1, _s2, _s3, _d1, _d2, _d3, _d4, _d5, _pool;

    public InceptionC(int inChannels, int c7)
    {
        _b1 = RegisterModule("branch1x1", new BasicConv2d(inChannels, 192, 1));
        _s1 = RegisterModule("branch7x7_1", new BasicConv2d(inChannels, c7, 1));
        _s2 = RegisterModule("branch7x7_2", Row(c7, c7));
        _s3 = RegisterModule("branch7x7_3", Column(c7, 192));
        _d1 = RegisterModule("branch7x7dbl_1", new BasicConv2d(inChannels, c7, 1));
        _d2 = RegisterModule("branch7x7dbl_2", Column(c7, c7));
        _d3 = RegisterModule("branch7x7dbl_3", Row(c7, c7));
        _d4 = RegisterModule("branch7x7dbl_4", Column(c7, c7));
        _d5 = RegisterModule("branch7x7dbl_5", Row(c7, 192));
        _pool = RegisterModule("branch_pool", new BasicConv2d(inChannels, 192, 1));
    }

    private static BasicConv2d Row(int i, int o) => new(i, o, (1, 7), padding: (0, 3));
    private static BasicConv2d Column(int i, int o) => new(i, o, (7, 1), padding: (3, 0));

    public override Tensor Forward(Tensor x) => F.Concat(
    [
        _b1.Forward(x),
        _s3.Forward(_s2.Forward(_s1.Forward(x))),
        _d5.Forward(_d4.Forward(_d3.Forward(_d2.Forward(_d1.Forward(x))))),
        _pool.Forward(BlockPool.Average(x)),
    ]);
}

/// <summary>Mixed_7a: the 17 → 8 reduction (InceptionD).</summary>
internal sealed class InceptionD : Module
{
    private readonly BasicConv2d _b1, _b2, _s1, _s2, _s3, _s4;

    public InceptionD(int inChannels)
    {
        _b1 = RegisterModule("branch3x3_1", new BasicConv2d(inChannels, 192, 1));
        _b2 = RegisterModule("branch3x3_2", new BasicConv2d(192, 320, 3, stride: 2));
        _s1 = RegisterModule("branch7x7x3_1", new BasicConv2d(inChannels, 192, 1));
        _s2 = RegisterModule("branch7x7x3_2", new BasicConv2d(192, 192, (1, 7), padding: (0, 3)));
        _s3 = RegisterModule("branch7x7x3_3", new BasicConv2d(192, 192, (7, 1), padding: (3, 0)));
        _s4 = RegisterModule("branch7x7x3_4", new BasicConv2d(192, 192, 3, stride: 2));
    }

    public override Tensor Forward(Tensor x) => F.Concat(
        [_b2.Forward(_b1.Forward(x)), _s4.Forward(_s3.Forward(_s2.Forward(_s1.Forward(x)))), F.MaxPool2d(x, 3, 2)]);
}

/// <summary>Mixed_7b (FIDInceptionE_1: average pool) and Mixed_7c (FIDInceptionE_2: max pool): expanded 3×3
/// branches split into 1×3 and 3×1 halves.</summary>
internal sealed class InceptionE : Module
{
    private readonly BasicConv2d _b1, _s1, _s2a, _s2b, _d1, _d2, _d3a, _d3b, _pool;
    private readonly bool _maxPool;

    public InceptionE(int inChannels, bool maxPool)
    {
        _maxPool = maxPool;
        _b1 = RegisterModule("branch1x1", new BasicConv2d(inChannels, 320, 1));
        _s1 = RegisterModule("branch3x3_1", new BasicConv2d(inChannels, 384, 1));
        _s2a = RegisterModule("branch3x3_2a", new BasicConv2d(384, 384, (1, 3), padding: (0, 1)));
        _s2b = RegisterModule("branch3x3_2b", new BasicConv2d(384, 384, (3, 1), padding: (1, 0)));
        _d1 = RegisterModule("branch3x3dbl_1", new BasicConv2d(inChannels, 448, 1));
        _d2 = RegisterModule("branch3x3dbl_2", new BasicConv2d(448, 384, 3, padding: 1));
        _d3a = RegisterModule("branch3x3dbl_3a", new BasicConv2d(384, 384, (1, 3), padding: (0, 1)));
        _d3b = RegisterModule("branch3x3dbl_3b", new BasicConv2d(384, 384, (3, 1), padding: (1, 0)));
        _pool = RegisterModule("branch_pool", new BasicConv2d(inChannels, 192, 1));
    }

    public override Tensor Forward(Tensor x)
    {
        Tensor s = _s1.Forward(x), d = _d2.Forward(_d1.Forward(x));
        Tensor pooled = _maxPool ? F.MaxPool2d(x, 3, 1, 1) : BlockPool.Average(x);
        return F.Concat(
        [
            _b1.Forward(x),
            F.Concat([_s2a.Forward(s), _s2b.Forward(s)]),
            F.Concat([_d3a.Forward(d), _d3b.Forward(d)]),
            _pool.Forward(pooled),
        ]);
    }
}
