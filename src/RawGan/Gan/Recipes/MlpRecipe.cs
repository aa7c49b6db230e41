using RawGan.Gan.Models;
using RawGan.Tensors;

namespace RawGan.Gan.Recipes;

/// <summary>The vanilla GAN (<see cref="MlpGenerator"/>, <see cref="MlpDiscriminator"/>) with PyTorch's default
/// initialisation; D's loss averaged, as the common PyTorch recipe does.</summary>
public sealed class MlpRecipe : GanRecipe
{
    public override ModelKind Kind => ModelKind.Mlp;
    public override bool IsConditional => false;
    public override bool AveragesDiscriminatorLoss => true;

    protected override GanGenerator BuildGenerator(GanConfig config, int channels, int size, int classes, Generator init) =>
        new MlpGenerator(config.Nz, channels, size, init: init);

    protected override GanDiscriminator BuildDiscriminator(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator, Generator init) =>
        new MlpDiscriminator(channels, size, init: init, minibatchStd: config.MinibatchStd, minibatchDiscrimination: config.MinibatchDiscriminationSize());
}
