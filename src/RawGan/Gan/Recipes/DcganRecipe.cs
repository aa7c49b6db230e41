using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Gan.Recipes;

/// <summary>The DCGAN (<see cref="DcganGenerator"/>, <see cref="DcganDiscriminator"/>, in the config's
/// <see cref="GanConfig.Variant"/>), or the cDCGAN when <paramref name="conditional"/>: the DCGAN initialisation
/// (<see cref="Init.Dcgan"/>), D's real and fake losses summed as PyTorch's example does, and a power-of-two image
/// size by default.</summary>
public sealed class DcganRecipe(bool conditional) : GanRecipe
{
    public override ModelKind Kind => conditional ? ModelKind.Cdcgan : ModelKind.Dcgan;
    public override bool IsConditional => conditional;
    public override bool AveragesDiscriminatorLoss => false;
    public override bool DiscriminatorHasBatchNorm => true;

    /// <summary>32 for MNIST's 28×28, 64 for image folders.</summary>
    public override int? DefaultImageSize(bool mnist) => mnist ? 32 : 64;

    protected override GanGenerator BuildGenerator(GanConfig config, int channels, int size, int classes, Generator init)
    {
        var g = new DcganGenerator(config.Nz, config.Ngf, channels, size, config.Variant, conditional ? classes : 0, init);
        Init.Dcgan(g, init);
        return g;
    }

    protected override GanDiscriminator BuildDiscriminator(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator, Generator init)
    {
        var d = new DcganDiscriminator(config.Ndf, channels, size, config.Variant, conditional ? classes : 0, init, config.MinibatchStd, config.Conditioning, config.MinibatchDiscriminationSize(),
            config.DNorm, config.AuxClassifier > 0);
        Init.Dcgan(d, init);
        return d;
    }
}
