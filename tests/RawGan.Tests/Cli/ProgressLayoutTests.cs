using RawGan.Cli;
using RawGan.Gan;
using Spectre.Console;

namespace RawGan.Tests.Cli;

/// <summary>The live training display at fixed widths: everything a user watches (epoch, step, losses, D(x),
/// D(G(z)), images/s, ETA) is on screen at 80 columns and below, nothing is cut to "…", no line reaches the last column.</summary>
public class ProgressLayoutTests
{
    private static readonly StepReport Report = new(Step: 12_345, Epoch: 9, Batch: 44, BatchesPerEpoch: 1_560,
        Metrics: new StepMetrics(0.4921, 0.9604, 0.83, 0.55), ImagesPerSecond: 1_279.4);

    private static readonly string[] Fields = ["epoch 10/10", "step 12,345/15,600", "79%", "eta 1:02:03", "D 0.492", "G 0.960", "D(x) 0.83", "D(G(z)) 0.55", "1,279 img/s"];

    private static IReadOnlyList<string> At(int width) => ProgressLayout.Lines(Report, 10, 15_600, new TimeSpan(1, 2, 3), width);

    [Fact]
    public void At_80_columns_two_lines_show_every_field_and_a_bar()
    {
        IReadOnlyList<string> lines = At(80);
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line => Assert.True(line.Length < 80, line));
        Assert.All(Fields, field => Assert.Contains(field, string.Join("\n", lines)));
        Assert.InRange(Bar(lines[0]), 20, 40);
        Assert.Equal((int)(Bar(lines[0]) * 12_345L / 15_600), lines[0].Count(c => c == '█'));
    }

    [Fact]
    public void Wider_terminals_get_a_wider_bar_up_to_40()
    {
        Assert.True(Bar(At(100)[0]) > Bar(At(80)[0]));
        Assert.Equal(40, Bar(At(200)[0]));
    }

    [Theory]
    [InlineData(60)]
    [InlineData(40)]
    [InlineData(24)]
    public void Narrower_terminals_get_more_lines_and_lose_no_field(int width)
    {
        IReadOnlyList<string> lines = At(width);
        Assert.All(lines, line => Assert.True(line.Length < width, $"{line.Length} ≥ {width}: {line}"));
        Assert.All(Fields, field => Assert.Single(lines, line => line.Contains(field)));
        Assert.DoesNotContain(lines, line => line.Contains('…'));
    }

    [Fact]
    public void Before_the_first_losses_and_the_first_step_it_says_so()
    {
        string text = string.Join("\n", ProgressLayout.Lines(Report with { Metrics = null }, 10, 15_600, null, 80));
        Assert.Contains("eta -:--:--", text);
        Assert.Contains("waiting for the first losses", text);
        Assert.Null(ProgressLayout.Eta(TimeSpan.FromSeconds(5), startStep: 100, step: 100, totalSteps: 200));
        Assert.Equal(TimeSpan.FromSeconds(50), ProgressLayout.Eta(TimeSpan.FromSeconds(5), startStep: 100, step: 110, totalSteps: 210));
    }

    [Fact]
    public void A_log_line_holds_every_field_and_an_eta_past_a_day_in_hours()
    {
        string line = ProgressLayout.Line(Report, 10, 15_600, TimeSpan.FromHours(30.5));
        Assert.All(Fields.Where(f => !f.StartsWith("eta", StringComparison.Ordinal)), field => Assert.Contains(field, line));
        Assert.Contains("eta 30:30:00", line);
    }

    [Fact]
    public void A_notice_ending_in_a_command_is_never_broken_at_the_width()
    {
        const string notice = "Stopped at step 58; checkpoint written. Resume with: rawgan train --resume runs/cgan-20261204-195523";
        var text = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No });
        console.Profile.Width = 40;
        console.Write(new WholeLine(notice, Style.Plain));
        Assert.Equal(notice + Environment.NewLine, text.ToString());
    }

    private static int Bar(string line) => line.Count(c => c is '█' or '░');
}
