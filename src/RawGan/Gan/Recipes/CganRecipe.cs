using RawGan.Gan.Models;
using RawGan.Tensors;

namespace RawGan.Gan.Recipes;

/// <summary>The MNIST conditional GAN (<see cref="CganGenerator"/>, <see cref="CganDiscriminator"/>, whose dropout
/// draws from the trainer's dropout generator) with PyTorch's default initialisation; D's loss averaged, as the
/// PyTorch-GAN recipe does.</summary>
public sealed class CganRecipe : GanRecipe
{
    public override ModelKind Kind => ModelKind.Cgan;
    public override bool IsConditional => true;
    public override bool AveragesDiscriminatorLoss => true;

    protected override GanGenerator BuildGenerator(GanConfig config, int channels, int size, int classes, Generator init) =>
        new CganGenerator(config.Nz, classes, channels, size, init);

    protected override GanDiscriminator BuildDiscriminator(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator, Generator init) =>
        new CganDiscriminator(classes, channels, size, dropoutGenerator, init, config.MinibatchStd, config.MinibatchDiscriminationSize());
}
