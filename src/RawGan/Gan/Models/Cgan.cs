using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Gan.Models;

/// <summary>
/// The MNIST conditional GAN (Mirza and Osindero, in the widely used PyTorch-GAN recipe): G embeds the label
/// (Embedding(10, 10)) and concatenates it before z, then 128 → 256 → 512 → 1024 → C·H·W with BatchNorm1d(eps 0.8)
/// and LeakyReLU(0.2), Tanh. Names follow that recipe's state_dict: label_emb.weight, model.N.*.
/// </summary>
public sealed class CganGenerator : GanGenerator
{
    private readonly Embedding _labelEmb;
    private readonly Sequential _model;
    private readonly int[] _image;

    public CganGenerator(int nz, int classes, int channels, int size, Generator? init = null)
    {
        LatentSize = nz;
        _image = [channels, size, size];
        _labelEmb = RegisterModule("label_emb", new Embedding(classes, classes, generator: init));
        _model = RegisterModule("model", new Sequential(
            new Linear(nz + classes, 128, generator: init), new LeakyReLU(0.2, inplace: true),
            new Linear(128, 256, generator: init), new BatchNorm1d(256, 0.8), new LeakyReLU(0.2, inplace: true),
            new Linear(256, 512, generator: init), new BatchNorm1d(512, 0.8), new LeakyReLU(0.2, inplace: true),
            new Linear(512, 1024, generator: init), new BatchNorm1d(1024, 0.8), new LeakyReLU(0.2, inplace: true),
            new Linear(1024, channels * size * size, generator: init), new Tanh()));
    }

    protected override Sequential Trunk => _model;
    public override int LatentSize { get; }
    public override bool IsConditional => true;

    public override Tensor Generate(Tensor z, Tensor? labels)
    {
        CheckLabels(z, labels);
        Tensor x = F.Concat([_labelEmb.Forward(labels!), z], 1);
        return F.Reshape(RunTrunk(x), [z.Shape[0], .. _image]);
    }
}

/// <summary>The CGAN discriminator: the flattened image concatenated with a label embedding,
/// 794 → 512 → 512 (Dropout 0.4) → 512 (Dropout 0.4) → 1, LeakyReLU(0.2), Sigmoid.</summary>
public sealed class CganDiscriminator : GanDiscriminator
{
    private readonly Embedding _labelEmbedding;
    private readonly Sequential _model;

    public CganDiscriminator(int classes, int channels, int size, Generator dropoutGenerator, Generator? init = null, bool minibatchStd = false,
                             (int Kernels, int KernelDims)? minibatchDiscrimination = null)
    {
        int features = minibatchStd ? 513 : 512;
        _labelEmbedding = RegisterModule("label_embedding", new Embedding(classes, classes, generator: init));
        _model = RegisterModule("model", new Sequential([
            new Linear(channels * size * size + classes, 512, generator: init), new LeakyReLU(0.2, inplace: true),
            new Linear(512, 512, generator: init), new Dropout(0.4, dropoutGenerator), new LeakyReLU(0.2, inplace: true),
            new Linear(512, 512, generator: init), new Dropout(0.4, dropoutGenerator), new LeakyReLU(0.2, inplace: true),
            .. MinibatchStdDev.Optional(minibatchStd), .. MinibatchDiscrimination.Optional(features, minibatchDiscrimination, init),
            new Linear(features + (minibatchDiscrimination?.Kernels ?? 0), 1, generator: init)]));
    }

    public override bool IsConditional => true;

    public override Tensor Logits(Tensor images, Tensor? labels)
    {
        if (labels is null) throw new ArgumentException("CganDiscriminator is conditional: pass a label per image.");
        Tensor x = F.Concat([F.Flatten(images), _labelEmbedding.Forward(labels)], 1);
        return F.Reshape(_model.Forward(x), images.Shape[0]);
    }
}
