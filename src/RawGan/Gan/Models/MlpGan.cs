using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan.Models;

/// <summary>The vanilla GAN (Goodfellow et al.) as the common PyTorch recipe builds it:
/// G z → 256 → 512 → 1024 → C·H·W with ReLU and Tanh; D → 1024 → 512 → 256 → 1 with LeakyReLU(0.2) and Sigmoid.</summary>
public sealed class MlpGenerator : GanGenerator
{
    private readonly Sequential _main;
    private readonly int[] _image;

    public MlpGenerator(int nz, int channels, int size, int[]? hidden = null, Generator? init = null)
    {
        hidden ??= [256, 512, 1024];
        LatentSize = nz;
        _image = [channels, size, size];
        var layers = new List<Module>();
        int width = nz;
        foreach (int h in hidden)
        {
            layers.Add(new Linear(width, h, generator: init));
            layers.Add(new ReLU(inplace: true));
            width = h;
        }
        layers.Add(new Linear(width, channels * size * size, generator: init));
        layers.Add(new Tanh());
        _main = RegisterModule("main", new Sequential([.. layers]));
    }

    protected override Sequential Trunk => _main;
    public override int LatentSize { get; }
    public override bool IsConditional => false;

    public override Tensor Generate(Tensor z, Tensor? labels)
    {
        CheckLabels(z, labels);
        return F.Reshape(RunTrunk(z), [z.Shape[0], .. _image]);
    }
}

public sealed class MlpDiscriminator : GanDiscriminator
{
    private readonly Sequential _main;

    public MlpDiscriminator(int channels, int size, int[]? hidden = null, Generator? init = null, bool minibatchStd = false,
                            (int Kernels, int KernelDims)? minibatchDiscrimination = null)
    {
        hidden ??= [1024, 512, 256];
        var layers = new List<Module>();
        int width = channels * size * size;
        foreach (int h in hidden)
        {
            layers.Add(new Linear(width, h, generator: init));
            layers.Add(new LeakyReLU(0.2, inplace: true));
            width = h;
        }
        layers.AddRange(MinibatchStdDev.Optional(minibatchStd));
        if (minibatchStd) width++;
        layers.AddRange(MinibatchDiscrimination.Optional(width, minibatchDiscrimination, init));
        layers.Add(new Linear(width + (minibatchDiscrimination?.Kernels ?? 0), 1, generator: init));
        _main = RegisterModule("main", new Sequential([.. layers]));
    }

    public override bool IsConditional => false;

    public override Tensor Logits(Tensor images, Tensor? labels) => F.Reshape(_main.Forward(F.Flatten(images)), images.Shape[0]);
}
