using System.CommandLine;
using RawGan.Cli;
using RawGan.Gan;

namespace RawGan.Tests.Cli;

/// <summary>What `rawgan train` trains with no config file (<see cref="GanConfig.MainJob"/>), and that a config file
/// still means what it meant when it was written.</summary>
public class MainJobDefaultsTests
{
    private readonly Command _train = new("train");
    private readonly ConfigOptions _options;

    public MainJobDefaultsTests() => _options = new ConfigOptions(_train);

    [Fact]
    public void Train_without_flags_is_the_main_job_and_flags_apply_on_top_of_it()
    {
        Assert.Equal(GanConfig.MainJob, _options.Resolve(_train.Parse([]), file: null));
        Assert.Equal(GanConfig.MainJob with { Epochs = 2, Device = "cpu" }, _options.Resolve(_train.Parse(["--epochs", "2", "--device", "cpu"]), file: null));
    }

    [Theory]
    [InlineData("--model", "dcgan")]
    [InlineData("--model", "cdcgan")]
    [InlineData("--data", "faces")]
    public void Naming_a_model_or_data_set_leaves_the_digits_tuning_for_the_classic_defaults(string option, string value)
    {
        GanConfig config = _options.Resolve(_train.Parse([option, value]), file: null);
        GanConfig classic = new();
        Assert.Equal((classic.Ngf, classic.Ndf, classic.BatchSize, classic.Ema, classic.Epochs, classic.Resize, classic.LrDecayEpochs),
                     (config.Ngf, config.Ndf, config.BatchSize, config.Ema, config.Epochs, config.Resize, config.LrDecayEpochs));
        Assert.Equal(RawGan.Data.ResizeMode.CenterCrop, config.Resize); // a named data set is resized as it always was
    }

    [Fact]
    public void A_config_file_replaces_the_main_job_whole_its_missing_keys_reading_as_in_a_saved_config()
    {
        GanConfig file = GanConfig.FromJson("""{ "model": "cgan" }""", "f.json");
        Assert.Equal(new GanConfig { Epochs = 3 }, _options.Resolve(_train.Parse(["--epochs", "3"]), file));
    }

    [Fact]
    public void The_main_job_writes_its_stabilisers_so_its_config_reads_back_as_itself()
    {
        string json = GanConfig.MainJob.ToJson();
        Assert.Contains("\"ema\": 0.999", json);
        Assert.Contains("\"resize\": \"pad\"", json);
        Assert.Equal(GanConfig.MainJob, GanConfig.FromJson(json, "config.json"));
        Assert.Equal(ModelKind.Cgan, new GanConfig().Model); // what a file without "model" has always meant
    }
}
