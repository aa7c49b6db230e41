using System.CommandLine;
using RawGan.Data;
using RawGan.Gan;
using RawGan.Gan.Models;

namespace RawGan.Cli;

/// <summary>
/// The `train` options, each bound to one <see cref="GanConfig"/> property. Precedence: defaults, then the JSON
/// file given with --config, then the flags actually typed (an option left out does not override the file). The
/// defaults are <see cref="GanConfig"/>'s, which are also what a key missing from a saved config means; with neither
/// --config, --model nor --data, the base is <see cref="GanConfig.MainJob"/> instead, the tuned recipe for the bundled
/// digits (a user who names a model or data set gets that model's classic defaults, not the digits' tuning).
/// </summary>
internal sealed class ConfigOptions
{
    private readonly List<Func<GanConfig, ParseResult, GanConfig>> _bindings = [];
    private readonly Option[] _leaveMainJob; // naming a model or a data set leaves the digits' tuned recipe

    public ConfigOptions(Command command)
    {
        var defaults = new GanConfig();
        Option model = BindChoice(command, "--model", "", defaults.Model, (GanConfig c, ModelKind v) => c with { Model = v });
        Option data = Bind(command, "--data", "an image folder (class subfolders become labels) or MNIST IDX files; default: the bundled 10,000 MNIST digits", (GanConfig c, string v) => c with { Data = v });
        _leaveMainJob = [model, data];
        Bind(command, "--epochs", $"passes over the data (default {defaults.Epochs})", (GanConfig c, int v) => c with { Epochs = v });
        Bind(command, "--batch-size", $"images per step (default {defaults.BatchSize})", (GanConfig c, int v) => c with { BatchSize = v });
        Bind(command, "--lr", $"Adam learning rate for both networks (default {defaults.Lr})", (GanConfig c, double v) => c with { Lr = v });
        Bind(command, "--beta1", $"Adam beta1 (default {defaults.Beta1})", (GanConfig c, double v) => c with { Beta1 = v });
        Bind(command, "--beta2", $"Adam beta2 (default {defaults.Beta2})", (GanConfig c, double v) => c with { Beta2 = v });
        Bind(command, "--nz", $"latent size (default {defaults.Nz})", (GanConfig c, int v) => c with { Nz = v });
        Bind(command, "--image-size", "square image size (default: the data's; DCGAN needs a power of two)", (GanConfig c, int v) => c with { ImageSize = v });
        Bind(command, "--channels", "1 (grayscale) or 3 (RGB) (default: the data's)", (GanConfig c, int v) => c with { Channels = v });
        Bind(command, "--ngf", $"DCGAN generator width (default {defaults.Ngf})", (GanConfig c, int v) => c with { Ngf = v });
        Bind(command, "--ndf", $"DCGAN discriminator width (default {defaults.Ndf})", (GanConfig c, int v) => c with { Ndf = v });
        BindChoice(command, "--variant", "DCGAN variant: ", defaults.Variant, (GanConfig c, DcganVariant v) => c with { Variant = v });
        BindChoice(command, "--conditioning", "how the cDCGAN's discriminator takes the label: ", defaults.Conditioning, (GanConfig c, LabelConditioning v) => c with { Conditioning = v },
            " (one-hot planes beside the image, or the projection discriminator of Miyato and Koyama)");
        BindChoice(command, "--loss", "", defaults.Loss, (GanConfig c, GanLoss v) => c with { Loss = v },
            " (non-saturating, least squares, or Wasserstein with gradient penalty: its paper uses --beta1 0 --beta2 0.9)");
        Bind(command, "--gp-lambda", "weight of wgan-gp's gradient penalty (default 10)", (GanConfig c, double v) => c with { GpLambda = v });
        Bind(command, "--r1-gamma", "weight of the R1 gradient penalty on real images, on D's logit (default 0: off; StyleGAN2 uses 10 on small sets)", (GanConfig c, double v) => c with { R1Gamma = v });
        Bind(command, "--r1-every", "apply R1 every N steps, scaled by N (lazy R1; default 16)", (GanConfig c, int v) => c with { R1Every = v });
        Bind(command, "--seed", $"seed of every random draw (default {defaults.Seed})", (GanConfig c, ulong v) => c with { Seed = v });
        Bind(command, "--device", $"cpu, cuda, cuda:N or auto (default {defaults.Device})", (GanConfig c, string v) => c with { Device = v });
        Bind(command, "--tf32", "on CUDA, let float32 GEMMs and convolutions use TF32 tensor cores (faster, 10-bit mantissa products); the same as --precision tf32", (GanConfig c, bool v) => c with { Tf32 = v });
        BindChoice(command, "--precision", "GEMMs and convolutions in ", Backends.Precision.Fp32, (GanConfig c, Backends.Precision v) => c with { Precision = v },
            " (tf32 and bf16 on CUDA tensor cores with float32 accumulation; bf16 rounds their operands to 8-bit mantissas and keeps float32 weights, optimiser state and losses; the CPU computes fp32)");
        Bind(command, "--cuda-graphs", "on CUDA, replay each training step as one captured CUDA graph (same results, less launch overhead)", (GanConfig c, bool v) => c with { CudaGraphs = v });
        Bind(command, "--channels-last", "on CUDA, keep image activations channels-last (NHWC), as cuDNN's tensor-core kernels want them (same results to rounding)", (GanConfig c, bool v) => c with { ChannelsLast = v });
        Bind(command, "--out", $"folder that receives the run folder (default {defaults.Out})", (GanConfig c, string v) => c with { Out = v });
        Bind(command, "--sample-every", $"steps between sample grids, 0 for once per epoch (default {defaults.SampleEvery})", (GanConfig c, int v) => c with { SampleEvery = v });
        Bind(command, "--checkpoint-every", $"steps between checkpoints, 0 for once per epoch (default {defaults.CheckpointEvery})", (GanConfig c, int v) => c with { CheckpointEvery = v });
        Bind(command, "--log-every", $"steps between reads of the losses from the device (default {defaults.LogEvery})", (GanConfig c, int v) => c with { LogEvery = v });
        Bind(command, "--keep-last", "keep the last partial batch of each epoch", (GanConfig c, bool v) => c with { DropLast = !v });
        Bind(command, "--strict", "fail on a corrupt image instead of skipping it", (GanConfig c, bool v) => c with { Strict = v });
        BindChoice(command, "--resize", "how images reach --image-size: ", defaults.Resize, (GanConfig c, ResizeMode v) => c with { Resize = v },
            " (shorter side and centre crop, crop to aspect and resize, or centred unresampled with black around: MNIST's 28×28 on a DCGAN's 32×32, which the digit judge reads back exactly)");
        Bind(command, "--flip", "random horizontal flips", (GanConfig c, bool v) => c with { Flip = v });
        Bind(command, "--eval-every", $"steps between judgements of G's digits by the bundled digit judge (also after each epoch; eval.csv, eval.png, checkpoints/best.safetensors), 0 for none (default {RunJudge.DefaultEvery} on the bundled digits)", (GanConfig c, int v) => c with { EvalEvery = v });
        Bind(command, "--inception", $"FID Inception-v3 weights (.safetensors, from tools/inception/convert.py): each evaluation also computes FID on {RunInception.DefaultCount} samples, and FID picks the best checkpoint (a GPU's work: 5.7 GFLOP an image)", (GanConfig c, string v) => c with { Inception = v });
        BindChoice(command, "--on-nan", "", defaults.OnNan, (GanConfig c, NanPolicy v) => c with { OnNan = v }, " when a loss is NaN or infinite");
        Bind(command, "--lr-g", "G's own learning rate (TTUR; default --lr)", (GanConfig c, double v) => c with { LrG = v });
        Bind(command, "--lr-d", "D's own learning rate (TTUR; default --lr)", (GanConfig c, double v) => c with { LrD = v });
        Bind(command, "--lr-decay-epochs", "over the last N epochs both learning rates fall linearly toward zero, step by step (default 0: constant)", (GanConfig c, int v) => c with { LrDecayEpochs = v });
        Bind(command, "--d-steps", $"D updates per G update (default {defaults.DSteps})", (GanConfig c, int v) => c with { DSteps = v });
        Bind(command, "--label-smoothing", "one-sided: D's target for real images is 1 - this (default 0)", (GanConfig c, double v) => c with { LabelSmoothing = v });
        Bind(command, "--ema", $"decay of the moving average of G that samples and is saved, 0 for none (default {defaults.Ema})", (GanConfig c, double v) => c with { Ema = v });
        Bind(command, "--spectral-norm", "spectral normalisation on D's Linear and convolution layers", (GanConfig c, bool v) => c with { SpectralNorm = v });
        BindChoice(command, "--d-norm", "the DCGAN discriminator's normalisation: ", defaults.DNorm, (GanConfig c, DiscriminatorNorm v) => c with { DNorm = v },
            " (BatchNorm2d as in the DCGAN paper, or none as spectral norm and gradient penalties want)");
        Bind(command, "--aux-classifier", "weight of an auxiliary classifier's cross-entropy (AC-GAN): the cDCGAN's D also predicts the label, and G is trained to make images it classifies as asked (default 0: off)", (GanConfig c, double v) => c with { AuxClassifier = v });
        Bind(command, "--minibatch-std", "a minibatch standard deviation layer before D's last layer", (GanConfig c, bool v) => c with { MinibatchStd = v });
        Bind(command, "--minibatch-discrimination", "minibatch discrimination before D's last layer: B,C (B kernels of C values, e.g. 16,8; default off)", (GanConfig c, string v) => c with { MinibatchDiscrimination = v });
        Bind(command, "--diff-augment", "DiffAugment policies on every image entering D: color,translation,cutout (default none)", (GanConfig c, string v) => c with { DiffAugment = v });
        Bind(command, "--diff-augment-p", "probability that DiffAugment transforms an image, per policy (default 1)", (GanConfig c, double v) => c with { DiffAugmentProbability = v });
        Bind(command, "--random-crop", "pad real images by this many pixels and crop back at random (default 0)", (GanConfig c, int v) => c with { RandomCrop = v });
        Bind(command, "--random-rotation", "rotate real images by up to ± this many degrees (default 0)", (GanConfig c, double v) => c with { RandomRotation = v });
    }

    /// <summary>The config a parse describes: <paramref name="file"/>'s (or the defaults) with typed flags applied.</summary>
    public GanConfig Resolve(ParseResult parse, GanConfig? file)
    {
        bool mainJob = file is null && _leaveMainJob.All(o => parse.GetResult(o) is null);
        GanConfig config = file ?? (mainJob ? GanConfig.MainJob : new GanConfig());
        foreach (var bind in _bindings) config = bind(config, parse);
        config.Validate();
        return config;
    }

    /// <summary>An enumerated option: typed as its <see cref="OptionNames"/> name, its help listing them and the default.</summary>
    private Option BindChoice<T>(Command command, string name, string prefix, T defaultValue, Func<GanConfig, T, GanConfig> apply, string suffix = "")
        where T : struct, Enum =>
        Bind(command, name, $"{prefix}{OptionNames.Accepted<T>()}{suffix} (default {OptionNames.Name(defaultValue)})",
            (GanConfig c, string v) => apply(c, OptionNames.Parse<T>(name, v)));

    private Option Bind<T>(Command command, string name, string description, Func<GanConfig, T, GanConfig> apply)
    {
        var option = new Option<T>(name) { Description = description };
        command.Add(option);
        _bindings.Add((c, parse) => parse.GetResult(option) is null ? c : apply(c, parse.GetValue(option)!));
        return option;
    }
}
