using RawGan.Gan.Models;
using RawGan.Tensors;

namespace RawGan.Gan.Recipes;

/// <summary>
/// What one kind of GAN is: the defaults it needs, its generator and discriminator with their initialisation, and
/// the conventions of its loss. Initial weights come from a generator of their own seeded by the config (G's and
/// D's streams apart), never from shared state, so a model built from a config is the same whatever else runs in
/// the process. A new model is a subclass and a line in <see cref="GanRecipes"/>.
/// </summary>
public abstract class GanRecipe
{
    // Offsets into the seed's Philox stream: far enough apart that G's and D's draws never overlap.
    private const ulong GeneratorStream = 0, DiscriminatorStream = 1UL << 48, SpectralNormStream = 2UL << 48;

    public abstract ModelKind Kind { get; }

    /// <summary>Whether G and D take a label: the data must then have at least two classes.</summary>
    public abstract bool IsConditional { get; }

    /// <summary>Whether D's loss is the mean of its real and fake halves (the MLP recipes) rather than their sum
    /// (PyTorch's DCGAN example).</summary>
    public abstract bool AveragesDiscriminatorLoss { get; }

    /// <summary>Whether D normalises with BatchNorm unless <see cref="GanConfig.DNorm"/> says none: gradient penalties
    /// cannot be used with it (see <see cref="GanConfig.DiscriminatorHasBatchNorm"/>).</summary>
    public virtual bool DiscriminatorHasBatchNorm => false;

    /// <summary>The square image size when the config leaves it open: null keeps MNIST's own 28×28; an image folder
    /// needs one.</summary>
    public virtual int? DefaultImageSize(bool mnist) => mnist ? null : 64;

    /// <summary>Both networks for data of the given shape; <paramref name="dropoutGenerator"/> draws D's dropout
    /// masks while training.</summary>
    public (GanGenerator G, GanDiscriminator D) Create(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator) =>
        (CreateGenerator(config, channels, size, classes), CreateDiscriminator(config, channels, size, classes, dropoutGenerator));

    public GanGenerator CreateGenerator(GanConfig config, int channels, int size, int classes)
    {
        Check(config, classes);
        return BuildGenerator(config, channels, size, classes, new Generator(config.Seed, GeneratorStream));
    }

    public GanDiscriminator CreateDiscriminator(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator)
    {
        Check(config, classes);
        GanDiscriminator d = BuildDiscriminator(config, channels, size, classes, dropoutGenerator, new Generator(config.Seed, DiscriminatorStream));
        if (config.SpectralNorm)
        {
            // After the initialisation, as torch's spectral_norm is applied to a built layer; u and v draw from their own stream.
            var uv = new Generator(config.Seed, SpectralNormStream);
            foreach (Nn.Module layer in d.Modules().Where(m => m is Nn.Linear or Nn.ConvLayer).ToArray()) Nn.SpectralNorm.Apply(layer, uv);
        }
        return d;
    }

    /// <summary>G, its weights drawn from <paramref name="init"/>.</summary>
    protected abstract GanGenerator BuildGenerator(GanConfig config, int channels, int size, int classes, Generator init);

    /// <summary>D, its weights drawn from <paramref name="init"/>.</summary>
    protected abstract GanDiscriminator BuildDiscriminator(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator, Generator init);

    private void Check(GanConfig config, int classes)
    {
        if (config.Model != Kind) throw new ArgumentException($"The {OptionNames.Name(Kind)} recipe cannot build --model {OptionNames.Name(config.Model)}.");
        config.Validate();
        if (IsConditional && classes < 2)
            throw new ArgumentException($"--model {OptionNames.Name(Kind)} is conditional and needs labelled data with at least two classes; the data has {classes}.");
    }
}
