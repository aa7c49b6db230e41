using System.Text.Json;
using RawGan.Cli;
using RawGan.Eval;
using RawGan.IO;
using RawGan.Tests.Eval;
using Spectre.Console;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan eval` on a checkpoint, on two image folders and on a folder against an .npz (its own
/// statistics, written by the CLI); its bad input, Inception-v3's included (its 2,048 images are checked before the
/// weights are read, and the weights before any image goes through); and `rawgan train --eval-every` where the digit
/// judge does not apply.</summary>
[Collection(nameof(ConsoleCollection))]
public class EvalCommandTests : IDisposable, IClassFixture<InceptionGoldenTests.Network>
{
    private readonly string _weights;
    private readonly string _dir = Directory.CreateTempSubdirectory("rawgan-evalcli-").FullName;
    private readonly StringWriter _out = new();

    public EvalCommandTests(InceptionGoldenTests.Network inception)
    {
        _weights = inception.WeightsPath;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_out), Interactive = InteractionSupport.No });
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Output) Run(params string[] args)
    {
        _out.GetStringBuilder().Clear();
        int code = Program.Main(args);
        return (code, _out.ToString().Replace("\n", ""));
    }

    /// <summary>Writes bundled digits <paramref name="indices"/> as PNG files; unless <paramref name="frame"/> is false,
    /// every other one framed to 32×32 (as `--resize pad` pads MNIST), so the folder mixes sizes.</summary>
    private string WriteDigits(string name, int[] indices, bool frame = true)
    {
        string folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        float[] images = BundledDigits.Select(indices).Images;
        for (int i = 0; i < indices.Length; i++)
        {
            ReadOnlySpan<float> digit = images.AsSpan(i * BundledDigits.Pixels, BundledDigits.Pixels);
            if (!frame || i % 2 == 0) { ImageGrid.SaveImage(Path.Combine(folder, $"{i:D4}.png"), digit, 1, 28, 28); continue; }
            var framed = new float[32 * 32];
            Array.Fill(framed, -1f);
            for (int y = 0; y < 28; y++) digit.Slice(y * 28, 28).CopyTo(framed.AsSpan((y + 2) * 32 + 2));
            ImageGrid.SaveImage(Path.Combine(folder, $"{i:D4}.png"), framed, 1, 32, 32);
        }
        return folder;
    }

    private static JsonElement Json(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "eval.json"))).RootElement;

    [Fact]
    public void A_checkpoint_is_judged_against_the_bundled_digits_and_says_how_to_add_inception()
    {
        string generator = Serve.TinyGenerators.Write(Path.Combine(_dir, "cdcgan"), "cdcgan", classes: 10);
        string report = Path.Combine(_dir, "report");
        (int code, string output) = Run("eval", "--checkpoint", generator, "--count", "200", "--out", report, "--device", "cpu");
        Assert.True(code == 0, output);
        Assert.Contains("class accuracy (requested label)", output);
        Assert.Contains("pt_inception-2015-12-05-6726825d.pth", output);
        Assert.True(File.Exists(Path.Combine(report, "memorisation.png")));
        JsonElement json = Json(report);
        Assert.Equal(generator, json.GetProperty("generator").GetString());
        Assert.Equal(200, json.GetProperty("count").GetInt32());
        Assert.Equal(10, json.GetProperty("class_accuracy_per_label").GetArrayLength());
        Assert.Contains("tools/inception/convert.py", json.GetProperty("inception").GetProperty("missing").GetString());
        Assert.True(json.GetProperty("frechet_distance_real_floor").GetDouble() < json.GetProperty("frechet_distance").GetDouble()); // an untrained G
    }

    [Fact]
    public void Two_folders_and_a_folder_against_its_own_statistics()
    {
        string real = WriteDigits("real", BundledDigits.Split(heldOut: true, 140));
        string fake = WriteDigits("fake", BundledDigits.Split(heldOut: false, 150));
        string report = Path.Combine(_dir, "report"), stats = Path.Combine(_dir, "fake.npz");

        (int code, string output) = Run("eval", "--images", fake, "--against", real, "--out", report, "--save-stats", stats, "--device", "cpu");
        Assert.True(code == 0, output);
        Assert.Contains("Feature space: the bundled digit judge's 128-d features", output);
        Assert.Contains("pt_inception-2015-12-05-6726825d.pth", output); // no weights: said, and the judge's numbers still come
        Assert.Contains("of 150 samples are closer to a training image", output);
        Assert.True(File.Exists(Path.Combine(report, "memorisation.png")));
        Assert.True(File.Exists(stats));
        JsonElement json = Json(report);
        Assert.Equal(150, json.GetProperty("count").GetInt32());
        Assert.Equal("rawgan-digit-judge", json.GetProperty("feature_network").GetString());
        double twoSets = json.GetProperty("frechet_distance").GetDouble();
        Assert.True(twoSets > 0 && double.IsFinite(twoSets));

        (code, output) = Run("eval", "--images", fake, "--against", stats, "--out", report, "--device", "cpu");
        Assert.True(code == 0, output);
        Assert.True(Json(report).GetProperty("frechet_distance").GetDouble() < 1e-6 * twoSets); // the set against itself
    }

    [Fact]
    public void A_folder_alone_is_judged_against_the_bundled_digits()
    {
        int[] digits = BundledDigits.Split(heldOut: true, 140);
        string plain = WriteDigits("plain", digits, frame: false), framed = WriteDigits("framed", digits);
        string report = Path.Combine(_dir, "report");
        double Distance(string folder)
        {
            (int code, string output) = Run("eval", "--images", folder, "--out", report, "--device", "cpu");
            Assert.True(code == 0, output);
            Assert.Contains("against the first 2,000 bundled digits", output);
            JsonElement json = Json(report);
            Assert.Equal("bundled digits", json.GetProperty("against").GetString());
            Assert.True(json.GetProperty("frechet_distance_real_floor").GetDouble() > 0); // the floor comes with the bundled digits
            return json.GetProperty("frechet_distance").GetDouble();
        }
        double asTheyAre = Distance(plain), halfShrunk = Distance(framed);
        Assert.True(asTheyAre < halfShrunk, $"{asTheyAre} against {halfShrunk}"); // real digits as they are sit nearer the real digits
        Assert.True(File.Exists(Path.Combine(report, "memorisation.png")));

        (int code, string output) = Run("eval", "--images", plain, "--inception", _weights, "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains("--images with --inception needs --against", output);
    }

    [Fact]
    public void Resize_pad_reads_padded_digits_back_exactly()
    {
        int[] digits = BundledDigits.Split(heldOut: true, 140);
        string framed = WriteDigits("framed", digits), plain = WriteDigits("plain", digits, frame: false);
        string stats = Path.Combine(_dir, "plain.npz"), report = Path.Combine(_dir, "report");
        (int code, string output) = Run("eval", "--images", plain, "--save-stats", stats, "--device", "cpu");
        Assert.True(code == 0, output);
        double Distance(params string[] resize)
        {
            (int code, string output) = Run(["eval", "--images", framed, "--against", stats, "--out", report, "--device", "cpu", .. resize]);
            Assert.True(code == 0, output);
            return Json(report).GetProperty("frechet_distance").GetDouble();
        }
        double resampled = Distance(), cutOut = Distance("--resize", "pad");
        Assert.True(resampled > 0.01, $"{resampled}");         // the framed half shrunk 32 → 28: blurred, smaller digits
        Assert.True(cutOut < 1e-6 * resampled, $"{cutOut}");   // their centre 28×28 cut out: the same digits

        (code, output) = Run("eval", "--checkpoint", Path.Combine(_dir, "g.safetensors"), "--resize", "pad");
        Assert.Equal(2, code);
        Assert.Contains("--resize goes with --images", output);
        Assert.Contains("--resize must be crop, fit or pad, not 'box'", Run("eval", "--images", plain, "--save-stats", stats, "--resize", "box").Output);
    }

    [Fact]
    public void Bad_input_says_what_is_needed()
    {
        string few = WriteDigits("few", BundledDigits.Split(heldOut: true, 20));
        string real = WriteDigits("real", BundledDigits.Split(heldOut: false, 130));
        (int code, string output) = Run("eval", "--images", few, "--against", real, "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains("20 images are too few for a 128-d covariance; the Fréchet distance needs at least 128", output);

        string wrong = Path.Combine(_dir, "inception.npz");
        NpzStatistics.Write(wrong, new FeatureStatistics(new double[64], new double[64, 64]));
        (code, output) = Run("eval", "--images", real, "--against", wrong, "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains("holds 64-d statistics", output);

        Assert.Equal(2, Run("eval", "--images", real, "--run", _dir).Code);                    // two sources
        Assert.Equal(2, Run("eval", "--checkpoint", Path.Combine(_dir, "g.safetensors"), "--against", real).Code);
        Assert.Equal(2, Run("eval", "--images", real, "--against", real, "--count", "0").Code);
    }

    [Fact]
    public void Small_folders_through_inception_get_every_number_but_fid_and_copies_are_flagged()
    {
        int[] real = BundledDigits.Split(heldOut: true, 4), other = BundledDigits.Split(heldOut: false, 8);
        string realFolder = WriteDigits("real", real), fake = WriteDigits("fake", [real[1], real[2], .. other]); // two copies
        string report = Path.Combine(_dir, "report");
        (int code, string output) = Run("eval", "--images", fake, "--against", realFolder, "--inception", _weights, "--out", report, "--device", "cpu");
        Assert.True(code == 0, output);
        Assert.Contains("needs 2,048 images in each set", output);
        Assert.Contains("feature space: Inception-v3 pool3 (2048-d, legacy resize)", output);
        Assert.True(File.Exists(Path.Combine(report, "memorisation.png")));
        JsonElement json = Json(report), inception = json.GetProperty("inception");
        Assert.Equal("inception-v3-fid", json.GetProperty("feature_network").GetString());
        Assert.Equal(JsonValueKind.Null, inception.GetProperty("fid").ValueKind);
        Assert.InRange(inception.GetProperty("inception_score").GetDouble(), 1, 1008);
        Assert.InRange(inception.GetProperty("precision").GetDouble(), 0, 1);
        Assert.True(double.IsFinite(inception.GetProperty("kid_mean").GetDouble()));
        Assert.True(json.GetProperty("memorisation_likely_copies").GetInt32() >= 2, json.GetProperty("memorisation").GetString());

        (code, output) = Run("eval", "--images", realFolder, "--against", fake, "--inception", _weights, "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains($"--images {realFolder}: 4 images are too few; the Inception Score's 10 splits need at least 10", output);
    }

    [Fact]
    public void Folders_through_inception_need_2048_images_for_fid_and_its_weights()
    {
        string few = WriteDigits("few", BundledDigits.Split(heldOut: true, 150));
        string absent = Path.Combine(_dir, "absent.safetensors");
        (int code, string output) = Run("eval", "--images", few, "--save-stats", Path.Combine(_dir, "few.npz"), "--inception", absent, "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains($"--images {few} through Inception-v3: 150 images are too few for a 2048-d covariance; the Fréchet distance needs at least 2048", output);

        string pytorchFid = Path.Combine(_dir, "pool3.npz");
        NpzStatistics.Write(pytorchFid, new FeatureStatistics(new double[InceptionV3.FeatureSize], new double[InceptionV3.FeatureSize, InceptionV3.FeatureSize]));
        (code, output) = Run("eval", "--images", few, "--against", pytorchFid, "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains($"{pytorchFid} holds 2048-d statistics, Inception-v3's pool3, and no Inception-v3 weights were given", output);
        Assert.Contains("tools/inception/convert.py pt_inception-2015-12-05-6726825d.pth", output);

        string many = WriteDigits("many", BundledDigits.Split(heldOut: false, InceptionV3.FeatureSize));
        string wrong = Path.Combine(_dir, "wrong.safetensors");
        SafeTensors.Write(wrong, [SafeTensorEntry.FromValues<float>("fc.bias", [1000], new float[1000])]);
        foreach (string against in new[] { many, pytorchFid })
        {
            (code, output) = Run("eval", "--images", many, "--against", against, "--inception", wrong, "--device", "cpu");
            Assert.NotEqual(0, code);
            Assert.Contains($"{wrong}: missing tensor 'Conv2d_1a_3x3.conv.weight' [32, 3, 3, 3]", output);
        }
    }

    [Fact]
    public void Training_on_other_data_says_once_why_it_is_not_evaluated()
    {
        string data = CliTests.WriteIdx(Path.Combine(_dir, "mnist"), count: 20);
        string runs = Path.Combine(_dir, "runs");
        (int code, string output) = Run([.. TinyRun.Args(data, runs, epochs: 1, checkpointEvery: 0), "--eval-every", "2"]);
        Assert.True(code == 0, output);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, "Not evaluated while training"));
        Assert.False(File.Exists(Path.Combine(Directory.GetDirectories(runs).Single(), "eval.csv")));

        (code, output) = Run([.. TinyRun.Args(data, runs, epochs: 1, checkpointEvery: 0), "--eval-every", "0"]);
        Assert.True(code == 0, output);
        Assert.DoesNotContain("Not evaluated", output);

        (code, output) = Run([.. TinyRun.Args(data, runs, epochs: 1, checkpointEvery: 0), "--eval-every", "2", "--inception", _weights]);
        Assert.True(code == 0, output);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, "No FID while training: its 2048-d covariance needs at least 2,048 real images, and the data holds 20"));
        Assert.DoesNotContain("Not evaluated", output);

        string wrong = Path.Combine(_dir, "wrong.safetensors"), untouched = Path.Combine(_dir, "untouched");
        SafeTensors.Write(wrong, [SafeTensorEntry.FromValues<float>("fc.bias", [1008], new float[1008])]);
        (code, output) = Run([.. TinyRun.Args(data, untouched, epochs: 1, checkpointEvery: 0), "--inception", wrong]);
        Assert.NotEqual(0, code);
        Assert.Contains($"{wrong}: missing tensor 'Conv2d_1a_3x3.conv.weight'", output);
        Assert.False(Directory.Exists(untouched)); // refused before the run folder is made

        (code, output) = Run("train", "--eval-every", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--eval-every must not be negative", output);
    }
}
