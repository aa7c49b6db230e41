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
        Assert.Equal(GanConfig.MainJob with { Model = ModelKind.Cgan, Ema = 0 }, _options.Resolve(_train.Parse(["--model", "cgan", "--ema", "0"]), file: null));
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
        Assert.Equal(GanConfig.MainJob, GanConfig.FromJson(json, "config.json"));
        Assert.Equal(ModelKind.Cgan, new GanConfig().Model); // what a file without "model" has always meant
    }
}
