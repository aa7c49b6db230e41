using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Tensors;

namespace RawGan.Gan;

/// <summary>Builds a config's generator and discriminator for data of a given shape, initialised as their recipes say.</summary>
public static class ModelFactory
{
    public static (GanGenerator G, GanDiscriminator D) Create(GanConfig config, int channels, int size, int classes, Generator dropoutGenerator)
    {
        config.Validate();
        bool conditional = config.Model is "cgan" or "cdcgan";
        if (conditional && classes < 2)
            throw new ArgumentException($"--model {config.Model} is conditional and needs labelled data with at least two classes; the data has {classes}.");
        var variant = config.Variant == "tensorflow" ? DcganVariant.TensorFlow : DcganVariant.PyTorch;
        Init.ManualSeed(config.Seed);
        (GanGenerator g, GanDiscriminator d) = config.Model switch
        {
            "mlp" => ((GanGenerator)new MlpGenerator(config.Nz, channels, size), (GanDiscriminator)new MlpDiscriminator(channels, size)),
            "cgan" => (new CganGenerator(config.Nz, classes, channels, size), new CganDiscriminator(classes, channels, size, dropoutGenerator)),
            _ => (new DcganGenerator(config.Nz, config.Ngf, channels, size, variant, conditional ? classes : 0),
                  new DcganDiscriminator(config.Ndf, channels, size, variant, conditional ? classes : 0)),
        };
        if (config.Model is "dcgan" or "cdcgan")
        {
            Init.Dcgan(g);
            Init.Dcgan(d);
        }
        return (g, d);
    }
}
