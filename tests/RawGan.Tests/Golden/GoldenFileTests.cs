using System.Text;

namespace RawGan.Tests.Golden;

/// <summary>The golden-file reader: it reads what the PyTorch script writes, and refuses anything else loudly.</summary>
public class GoldenFileTests
{
    [Fact]
    public void Loads_linear_case_with_consistent_shapes_and_values()
    {
        GoldenFile g = GoldenFile.Load("linear");

        Assert.Equal(["x", "weight", "bias", "y", "dy", "dx", "dweight", "dbias"], g.Names);
        Assert.Equal([5, 7], g.Dims("x"));
        Assert.Equal([3, 7], g.Dims("weight"));
        Assert.Equal([5, 3], g.Dims("y"));

        // y = x W^T + b, recomputed here in double: the file's layout (row-major, [out, in] weight) is what we think.
        float[] x = g.F32("x"), w = g.F32("weight"), b = g.F32("bias"), y = g.F32("y");
        for (int n = 0; n < 5; n++)
        for (int o = 0; o < 3; o++)
        {
            double sum = b[o];
            for (int i = 0; i < 7; i++) sum += (double)x[n * 7 + i] * w[o * 7 + i];
            Assert.Equal(sum, y[n * 3 + o], 1e-5);
        }
    }

    [Fact]
    public void Reads_int32_and_float64_scalars_and_int32_tensors()
    {
        GoldenFile conv = GoldenFile.Load("conv2d_k5s2_same");
        Assert.Equal([1, 1, 2, 2], conv.I32("pad_tlbr"));
        Assert.Equal([2, 2], conv.I32("stride"));

        GoldenFile bn = GoldenFile.Load("batchnorm1d_train");
        Assert.Empty(bn.Dims("eps"));
        Assert.Equal(0.8, bn.Scalar("eps"));
        Assert.Equal(0.8, bn.F64("eps")[0]);
        Assert.Equal(1.0, bn.Scalar("num_batches_tracked_after"));

        GoldenFile losses = GoldenFile.Load("losses");
        Assert.True(losses.Scalar("bce_loss") > 0);
    }

    [Fact]
    public void Missing_tensor_names_the_file_and_lists_what_it_holds()
    {
        GoldenFile g = GoldenFile.Load("linear");
        var e = Assert.Throws<KeyNotFoundException>(() => g.F32("dweights"));
        Assert.Contains("linear.bin", e.Message);
        Assert.Contains("'dweights'", e.Message);
        Assert.Contains("dweight, dbias", e.Message);
    }

    [Fact]
    public void Wrong_dtype_request_is_refused()
    {
        GoldenFile g = GoldenFile.Load("embedding");
        var e = Assert.Throws<InvalidOperationException>(() => g.F32("indices"));
        Assert.Contains("int32", e.Message);
        Assert.Contains("'indices'", e.Message);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var e = Assert.Throws<FileNotFoundException>(() => GoldenFile.Load("no_such_case"));
        Assert.Contains("no_such_case.bin", e.Message);
    }

    [Fact]
    public void Unknown_magic_is_rejected_naming_the_file()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"rawgan-golden-{Guid.NewGuid():N}.bin");
        try
        {
            byte[] good = File.ReadAllBytes(GoldenFile.DataPath("linear.bin"));
            byte[] bad = (byte[])good.Clone();
            Encoding.ASCII.GetBytes("NOTGOLDN").CopyTo(bad, 0);
            File.WriteAllBytes(path, bad);
            var e = Assert.Throws<InvalidDataException>(() => GoldenFile.LoadPath(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("magic", e.Message);

            byte[] newer = (byte[])good.Clone();
            newer[8] = 2; // version 2
            File.WriteAllBytes(path, newer);
            e = Assert.Throws<InvalidDataException>(() => GoldenFile.LoadPath(path));
            Assert.Contains("version 2", e.Message);

            File.WriteAllBytes(path, good.AsSpan(0, good.Length - 3).ToArray());
            e = Assert.Throws<InvalidDataException>(() => GoldenFile.LoadPath(path));
            Assert.Contains("truncated", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("train_dcgan32", false)]
    [InlineData("train_cgan", true)]
    public void Training_references_hold_every_step_the_replay_needs(string name, bool conditional)
    {
        GoldenFile g = GoldenFile.Load(name);
        int steps = (int)g.Scalar("config.steps"), batch = (int)g.Scalar("config.batch");
        Assert.Equal(6, steps);
        Assert.Equal(conditional ? 1 : 0, (int)g.Scalar("config.d_loss_average"));
        Assert.Contains(g.Names, n => n.StartsWith("init.G.", StringComparison.Ordinal));
        Assert.Contains(g.Names, n => n.StartsWith("init.D.", StringComparison.Ordinal));
        for (int k = 0; k < steps; k++)
        {
            Assert.Equal([batch, (int)g.Scalar("config.nz")], g.Dims($"step{k}.z"));
            Assert.Equal(batch, g.Dims($"step{k}.real")[0]);
            foreach (string m in new[] { "d_loss", "g_loss", "d_x", "d_g_z1", "d_g_z2" })
                Assert.True(double.IsFinite(g.Scalar($"step{k}.{m}")));
            if (conditional)
            {
                Assert.Equal(batch, g.I32($"step{k}.labels").Length);
                foreach (string pass in new[] { "real", "fake_detached", "fake" })
                for (int i = 0; i < 2; i++)
                    Assert.All(g.F32($"step{k}.mask.{pass}.{i}"), v => Assert.True(v is 0f or 1f));
            }
        }
    }

    [Fact]
    public void State_dict_name_lists_are_present()
    {
        foreach (string file in new[] { "dcgan32_state_dict.txt", "dcgan_state_dict.txt", "dcgan128_state_dict.txt" })
        {
            string[] lines = File.ReadAllLines(GoldenFile.DataPath(file));
            Assert.Contains("# generator", lines);
            Assert.Contains("# discriminator", lines);
            Assert.Contains("main.1.num_batches_tracked\t", lines);
        }
    }
}
