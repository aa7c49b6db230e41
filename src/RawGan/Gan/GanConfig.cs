using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using RawGan.Data;
using RawGan.Gan.Models;
using RawGan.Gan.Recipes;

namespace RawGan.Gan;

/// <summary>
/// Everything that defines a training run. A JSON file can hold a whole experiment (keys are these property
/// names in camelCase); command-line flags override it; the resolved config is written into the run folder
/// and into every checkpoint, so a run can be resumed and its samples regenerated from the config alone.
/// Enumerated options are written as lowercase names (see <see cref="OptionNames"/>).
/// </summary>
public sealed record GanConfig
{
    /// <summary>mlp, dcgan, cgan or cdcgan.</summary>
    public ModelKind Model { get; init; } = ModelKind.Cgan;
    /// <summary>An image folder or an MNIST IDX folder/file; null for the bundled 10,000 MNIST digits.</summary>
    public string? Data { get; init; }
    public int Epochs { get; init; } = 25;
    public int BatchSize { get; init; } = 64;
    public double Lr { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public int Nz { get; init; } = 100;
    /// <summary>Square image size; null keeps the data's own size (28 for MNIST).</summary>
    public int? ImageSize { get; init; }
    /// <summary>1 (grayscale) or 3 (RGB); null keeps the data's own channel count.</summary>
    public int? Channels { get; init; }
    public int Ngf { get; init; } = 64;
    public int Ndf { get; init; } = 64;
    /// <summary>DCGAN variant: pytorch (4×4 transposed convolutions) or tensorflow (dense + 5×5 'same').</summary>
    public DcganVariant Variant { get; init; } = DcganVariant.PyTorch;
    /// <summary>How the cDCGAN's discriminator takes the label: concat (one-hot planes beside the image) or projection
    /// (Miyato and Koyama 2018).</summary>
    [WrittenWhenSet]
    public LabelConditioning Conditioning { get; init; }
    /// <summary>bce (the non-saturating game), mse (least squares), wgan-gp (Wasserstein critic and gradient penalty) or hinge.</summary>
    public GanLoss Loss { get; init; } = GanLoss.Bce;
    /// <summary>wgan-gp: the weight λ of its gradient penalty; null for the paper's 10. Options that are off are not
    /// written, so the configs of earlier builds read and write back unchanged.</summary>
    [WrittenWhenSet]
    public double? GpLambda { get; init; }
    /// <summary>The weight γ of the R1 penalty γ/2·E‖∇D(x)‖² on real images (Mescheder et al. 2018), on D's logit; 0: off.</summary>
    [WrittenWhenSet]
    public double R1Gamma { get; init; }
    /// <summary>R1 every this many steps, its weight multiplied by the interval (StyleGAN2's lazy regularisation); null for 16.</summary>
    [WrittenWhenSet]
    public int? R1Every { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>On CUDA, let float32 GEMMs and convolutions use TF32 tensor cores (10-bit mantissa products, several
    /// times the FP32 rate on Ampere and later), as PyTorch's allow_tf32 settings do. Off, a GPU's results match the
    /// CPU's to float32 rounding. No effect on the CPU.</summary>
    public bool Tf32 { get; init; }
    /// <summary>fp32, tf32 or bf16: how GEMMs and convolutions round their operands (<see cref="Backends.Precision"/>);
    /// null: what <see cref="Tf32"/> says. bf16 keeps float32 weights, optimiser state, batch-norm statistics and
    /// losses, as autocast does, and needs no loss scaling. The CPU computes fp32 whatever this says.</summary>
    [WrittenWhenSet]
    public Backends.Precision? Precision { get; init; }
    public string Out { get; init; } = "runs";
    /// <summary>Also write a sample grid every this many steps (0: only at the end of each epoch).</summary>
    public int SampleEvery { get; init; } = 500;
    /// <summary>Write a checkpoint every this many steps (0: only at the end of each epoch).</summary>
    public int CheckpointEvery { get; init; } = 1000;
    /// <summary>On CUDA, record one whole training step as a CUDA graph once the batch shape is steady and replay it
    /// (one launch per step instead of hundreds); the result is bit-identical to eager steps. Off by default until
    /// measured on a GPU; refused with the reason where the step cannot be a graph.</summary>
    [WrittenWhenSet] public bool CudaGraphs { get; init; }
    /// <summary>On CUDA, keep the networks' image activations channels-last (NHWC), the layout cuDNN's tensor-core
    /// convolutions and persistent batch norm read directly (PyTorch's memory_format=torch.channels_last); the
    /// results agree with NCHW's to float rounding. Off by default until measured on a GPU. No effect on the CPU,
    /// which computes convolutions in NCHW.</summary>
    [WrittenWhenSet] public bool ChannelsLast { get; init; }
    /// <summary>Drop the last partial batch of each epoch (BatchNorm dislikes tiny batches).</summary>
    public bool DropLast { get; init; } = true;
    /// <summary>Fail on a corrupt image instead of skipping it.</summary>
    public bool Strict { get; init; }
    /// <summary>Image-folder resizing: crop (shorter side, then centre crop) or fit (crop to aspect, then resize).</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.CenterCrop;
    public bool Flip { get; init; }
    /// <summary>Read the losses back from the device every this many steps (each read makes the host wait for the
    /// GPU); metrics.csv still gets one row per step.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>stop (keep the last good checkpoint and exit) or rollback (reload it and go on with the next batches).</summary>
    public NanPolicy OnNan { get; init; } = NanPolicy.Stop;
    /// <summary>Judge G's digits every this many steps and at the end of each epoch (eval.csv, eval.png,
    /// checkpoints/best.safetensors); 0 turns it off. Null (and absent from the JSON, so configs written before the
    /// key existed read and write back unchanged): every <see cref="RunJudge.DefaultEvery"/> steps where the judge applies.</summary>
    [WrittenWhenSet]
    public int? EvalEvery { get; init; }
    /// <summary>FID Inception-v3 weights (.safetensors, tools/inception/convert.py): with them each evaluation also
    /// computes FID (<see cref="RunInception"/>), which then picks the best checkpoint. Null: none (written only when set).</summary>
    [WrittenWhenSet]
    public string? Inception { get; init; }

    /// <summary>Whether D's loss differentiates D's gradient (wgan-gp, R1), which needs a recorded backward pass.</summary>
    [JsonIgnore]
    public bool PenalisesGradient => Loss == GanLoss.WganGp || R1Gamma > 0;

    /// <summary>Whether D normalises with BatchNorm: its recipe's D does, and <see cref="DNorm"/> keeps it.</summary>
    [JsonIgnore]
    public bool DiscriminatorHasBatchNorm => Recipe.DiscriminatorHasBatchNorm && DNorm == DiscriminatorNorm.Batch;

    // Stabilisers (checked by Stabilisers.Validate); their defaults keep a run as it was before they existed,
    // and a key at its default is not written, so an old run's config and checkpoints are written as they were.
    /// <summary>G's learning rate when it differs from D's (TTUR, Heusel et al.); null: <see cref="Lr"/>.</summary>
    [WrittenWhenSet] public double? LrG { get; init; }
    /// <summary>D's learning rate when it differs from G's (TTUR); null: <see cref="Lr"/>.</summary>
    [WrittenWhenSet] public double? LrD { get; init; }
    /// <summary>Over the last this many epochs both learning rates fall linearly, step by step, from their values
    /// toward zero (pix2pix and CycleGAN's n_epochs_decay); 0: constant (<see cref="LearningRateDecay"/>).</summary>
    [WrittenWhenSet] public int LrDecayEpochs { get; init; }
    /// <summary>D updates per G update, each on its own real batch (G updates on every N-th step).</summary>
    [WrittenWhenSet] public int DSteps { get; init; } = 1;
    /// <summary>One-sided label smoothing: D's target for real images is 1 - this (bce and mse).</summary>
    [WrittenWhenSet] public double LabelSmoothing { get; init; }
    /// <summary>Decay of the exponential moving average of G (0: off); the average samples and is saved as the generator.</summary>
    [WrittenWhenSet] public double Ema { get; init; }
    /// <summary>Spectral normalisation (Miyato et al.) on every Linear and convolution of D.</summary>
    [WrittenWhenSet] public bool SpectralNorm { get; init; }
    /// <summary>The DCGAN discriminator's normalisation: batch (BatchNorm2d) or none (the usual companion of spectral norm and gradient penalties).</summary>
    [WrittenWhenSet] public DiscriminatorNorm DNorm { get; init; }
    /// <summary>The weight of an auxiliary classifier's cross-entropy (AC-GAN, Odena et al. 2017; 0: off): the cDCGAN's D
    /// gains a class head trained on real images' labels, and G's loss gains the same weight of that head's
    /// cross-entropy on its images against the labels they were asked for.</summary>
    [WrittenWhenSet] public double AuxClassifier { get; init; }
    /// <summary>A minibatch standard deviation layer (Karras et al.) before D's last layer.</summary>
    [WrittenWhenSet] public bool MinibatchStd { get; init; }
    /// <summary>Minibatch discrimination (Salimans et al.) before D's last layer: "B,C", B kernels of C values each ("" off).</summary>
    [WrittenWhenSet] public string MinibatchDiscrimination { get; init; } = "";
    /// <summary>DiffAugment policies applied to every image entering D, comma-separated: color, translation, cutout ("" off).</summary>
    [WrittenWhenSet] public string DiffAugment { get; init; } = "";
    /// <summary>The probability that DiffAugment transforms an image, per policy (1 as in the paper; 0 is the identity).</summary>
    [WrittenWhenSet] public double DiffAugmentProbability { get; init; } = 1;
    /// <summary>Loader augmentation: pad each real image by this many pixels (zeros, i.e. -1) and crop back at a random offset.</summary>
    [WrittenWhenSet] public int RandomCrop { get; init; }
    /// <summary>Loader augmentation: rotate each real image by a random angle within ± this many degrees.</summary>
    [WrittenWhenSet] public double RandomRotation { get; init; }

    /// <summary>
    /// What `rawgan train` trains when no --config file is given: the conditional DCGAN (G at width 64, D at 32) with
    /// the moving average of G and one-sided label smoothing, for 20 epochs on the digits padded unresampled to 32×32,
    /// which on the bundled digits gives the judge's class accuracy and Fréchet distance measured in
    /// tools/bench/RESULTS.md ("The main job meets issue 12's targets", "The main job's per-class margin"). The
    /// property initialisers stay what a key a config file leaves out means (the MLP cgan's recipe, stabilisers off, as
    /// builds before this default wrote them), so every saved config and checkpoint reads back as it was written; a
    /// run of this recipe writes its keys.
    /// </summary>
    public static GanConfig MainJob { get; } = new()
    {
        Model = ModelKind.Cdcgan, Ngf = 64, Ndf = 32, BatchSize = 32, Ema = 0.999, LabelSmoothing = 0.1, Resize = ResizeMode.Pad, Epochs = 20,
    };

    /// <summary>What <see cref="Model"/> is: its defaults, networks and loss conventions.</summary>
    [JsonIgnore]
    public GanRecipe Recipe => GanRecipes.For(Model);

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new OptionNameConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { WrittenWhenSetAttribute.Apply } },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a config; unknown keys and values are an error that names the file, so a typo is not silently ignored.</summary>
    public static GanConfig FromJson(string json, string source)
    {
        try
        {
            ConfigJson.CheckKeys(json, source);
            return JsonSerializer.Deserialize<GanConfig>(json, Json) ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(ConfigJson.Describe(e, source), e);
        }
    }

    /// <summary>Checks values a run cannot start with, naming the option.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        Require(Epochs > 0, $"--epochs must be positive, not {Epochs}.");
        Require(BatchSize > 0, $"--batch-size must be positive, not {BatchSize}.");
        Require(double.IsFinite(Lr) && Lr > 0, $"--lr must be a positive finite number, not {Lr}.");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, $"--beta1 and --beta2 must be in [0, 1), not {Beta1} and {Beta2}.");
        Require(Nz > 0, $"--nz must be positive, not {Nz}.");
        Require(ImageSize is null or > 0, $"--image-size must be positive, not {ImageSize}.");
        Require(Channels is null or 1 or 3, $"--channels must be 1 or 3, not {Channels}.");
        Require(Ngf > 0 && Ndf > 0, $"--ngf and --ndf must be positive, not {Ngf} and {Ndf}.");
        Require(SampleEvery >= 0 && CheckpointEvery >= 0, "--sample-every and --checkpoint-every must not be negative.");
        Require(LogEvery > 0, $"--log-every must be positive, not {LogEvery}.");
        Require(!Tf32 || Precision is null or Backends.Precision.Tf32, $"--tf32 and --precision {(Precision is { } p ? OptionNames.Name(p) : "")} disagree: give --precision alone.");
        Require(EvalEvery is null or >= 0, $"--eval-every must not be negative, not {EvalEvery}.");
        Require(GpLambda is null || (double.IsFinite(GpLambda.Value) && GpLambda > 0), $"--gp-lambda must be a positive finite number, not {GpLambda}.");
        Require(GpLambda is null || Loss == GanLoss.WganGp, $"--gp-lambda weighs the penalty of --loss wgan-gp; it does nothing with --loss {OptionNames.Name(Loss)}.");
        Require(double.IsFinite(R1Gamma) && R1Gamma >= 0, $"--r1-gamma must be a finite number ≥ 0, not {R1Gamma}.");
        Require(R1Every is null || (R1Every > 0 && R1Gamma > 0), $"--r1-every must be positive and needs --r1-gamma, not {R1Every} with --r1-gamma {R1Gamma}.");
        Require(!(R1Gamma > 0 && Loss == GanLoss.WganGp), "--r1-gamma cannot be combined with --loss wgan-gp: that loss has its own gradient penalty (--gp-lambda).");
        Require(Conditioning == LabelConditioning.Concat || Model == ModelKind.Cdcgan,
            $"--conditioning projection projects the label onto a convolutional discriminator's features: it needs --model cdcgan, not {OptionNames.Name(Model)}.");
        Require(DNorm == DiscriminatorNorm.Batch || Recipe.DiscriminatorHasBatchNorm,
            $"--d-norm chooses the DCGAN discriminator's normalisation; --model {OptionNames.Name(Model)}'s discriminator has none to choose.");
        Require(!(PenalisesGradient && DiscriminatorHasBatchNorm),
            $"--loss wgan-gp and --r1-gamma penalise D's gradient at each image, which BatchNorm's batch statistics make depend on the whole batch " +
            $"(ill-defined per image; the papers' and PyTorch's recipes use a D without it), and --model {OptionNames.Name(Model)}'s discriminator has " +
            "BatchNorm: add --d-norm none, or use --model mlp or cgan.");
        Stabilisers.Validate(this);
    }
}
