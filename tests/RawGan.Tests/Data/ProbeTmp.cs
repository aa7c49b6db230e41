using RawGan.Data;
namespace RawGan.Tests.Data;
public class ProbeTmp
{
    [Fact]
    public void Probe()
    {
        using var folder = new TempFolder();
        var rng = new Random(1);
        byte[][] heads = [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], [0x42, 0x4D], [0xFF, 0xD8, 0xFF], [], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0,0,0,13, 0x49,0x48,0x44,0x52]];
        int k = 0;
        foreach (var head in heads)
            for (int len = 0; len < 200; len += 7)
            {
                var b = new byte[head.Length + len]; rng.NextBytes(b); head.CopyTo(b, 0);
                File.WriteAllBytes(folder.File($"c/f{k++}.png"), b);
            }
        TestFiles.SolidPng(folder.File("c/good.png"), 4, 4, 1, 2, 3);
        // truncated real png: header ok, body cut
        var real = File.ReadAllBytes(Path.Combine(TestFiles.RepositoryRoot(), "tests/RawGan.Tests/Data/fixtures/twemoji/1f600.png"));
        File.WriteAllBytes(folder.File("c/cut.png"), real[..(real.Length / 2)]);
        var ds = new ImageFolderDataset(folder.Path, new() { ImageSize = 8 });
        var p = new float[3 * 64];
        var sb = new System.Text.StringBuilder($"count {ds.Count} skipped {ds.SkippedFiles.Count}\n");
        for (int i = 0; i < ds.Count; i++)
        {
            try { ds.Load(i, p, 0, out _); sb.AppendLine($"ok {ds.Files[i].Path}"); }
            catch (Exception e) { sb.AppendLine($"{e.GetType().Name}: {e.Message} / inner {e.InnerException?.GetType().Name}"); }
        }
        sb.AppendLine(string.Join("\n", ds.Warnings.Take(5)));
        File.WriteAllText("/tmp/probe.txt", sb.ToString());
    }
}
