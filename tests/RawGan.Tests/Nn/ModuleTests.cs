using RawGan.Gan.Models;
using RawGan.Nn;
using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Nn;

public class ModuleTests
{
    [Fact]
    public void State_dict_names_follow_pytorch()
    {
        var model = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new LeakyReLU(0.2), new Linear(4, 1, bias: false));
        string[] names = model.StateDict().Select(e => e.Name).ToArray();
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight"], names);
        Assert.Equal(5, model.Parameters().Count());
    }

    [Fact]
    public void A_non_persistent_buffer_moves_with_the_module_but_stays_out_of_the_state_dict()
    {
        // The conditional DCGAN's one-hot table: PyTorch's register_buffer(persistent=False).
        var d = new DcganDiscriminator(ndf: 4, channels: 1, size: 8, conditionalClasses: 3);
        Assert.DoesNotContain(d.StateDict(), e => e.Name.Contains("one_hot"));
        var (name, identity) = Assert.Single(d.NamedBuffers(), b => b.Name.StartsWith("one_hot"));
        Assert.Equal("one_hot.identity", name);
        Assert.Equal(new Shape(3, 3), identity.Shape);
        d.LoadStateDict(d.StateDict().ToDictionary(e => e.Name, e => e.Value)); // strict: not asked for either
    }

    [Fact]
    public void Train_and_eval_reach_every_descendant()
    {
        var inner = new Sequential(new Dropout(0.5, new Generator(1)));
        var model = new Sequential(new Linear(2, 2), inner);
        model.Eval();
        Assert.False(inner[0].Training);
        model.Train();
        Assert.True(inner[0].Training);
    }

    [Fact]
    public void Dropout_is_the_identity_in_eval_and_scales_in_training()
    {
        var d = new Dropout(0.25, new Generator(5));
        Tensor x = Tensor.Ones(new Shape(10000));
        float[] y = d.Forward(x).ToFloatArray();
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75f) < 1e-6));
        Assert.InRange(y.Count(v => v == 0) / 10000.0, 0.22, 0.28);
        d.Eval();
        Assert.Equal(x.ToFloatArray(), d.Forward(x).ToFloatArray());
    }

    [Fact]
    public void BatchNorm_updates_running_statistics_only_in_training()
    {
        var bn = new BatchNorm1d(2, momentum: 0.5);
        Tensor x = Tensor.FromArray(new float[] { 1, 10, 3, 20 }, new Shape(2, 2));
        bn.Forward(x);
        Assert.Equal([1f, 7.5f], bn.RunningMean!.ToFloatArray());         // 0.5·0 + 0.5·mean
        Assert.Equal([1.5f, 25.5f], bn.RunningVar!.ToFloatArray());        // 0.5·1 + 0.5·unbiased var (2, 50)
        Assert.Equal(1, bn.NumBatchesTracked!.Item());
        bn.Eval();
        bn.Forward(x);
        Assert.Equal([1f, 7.5f], bn.RunningMean!.ToFloatArray());
        Assert.Equal(1, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    public void Load_state_dict_round_trips_and_reports_missing_and_unexpected_names()
    {
        Init.ManualSeed(1);
        var a = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
        Init.ManualSeed(2);
        var b = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
        b.LoadStateDict(a.StateDict().ToDictionary(e => e.Name, e => e.Value));
        Assert.Equal(a.StateDict().Select(e => e.Value.ToFloatArray()), b.StateDict().Select(e => e.Value.ToFloatArray()));

        var partial = a.StateDict().Where(e => e.Name != "0.bias").ToDictionary(e => e.Name, e => e.Value);
        partial["extra.weight"] = Tensor.Zeros(new Shape(1));
        var error = Assert.Throws<ArgumentException>(() => b.LoadStateDict(partial));
        Assert.Contains("missing [0.bias]", error.Message);
        Assert.Contains("unexpected [extra.weight]", error.Message);

        var wrongShape = a.StateDict().ToDictionary(e => e.Name, e => e.Value);
        wrongShape["0.weight"] = Tensor.Zeros(new Shape(3, 2));
        Assert.Contains("'0.weight' has shape [3, 2]", Assert.Throws<ArgumentException>(() => b.LoadStateDict(wrongShape)).Message);
    }

    [Fact]
    public void PyTorch_default_init_bounds_and_dcgan_init_statistics()
    {
        Init.ManualSeed(4);
        var lin = new Linear(100, 50);
        double bound = 1 / Math.Sqrt(100);
        Assert.All(lin.Weight.ToFloatArray(), v => Assert.InRange(v, -bound, bound));

        var g = new DcganGenerator(100, 64, 3, 64);
        Init.Dcgan(g, new Generator(3));
        var conv = (ConvTranspose2d)((Sequential)g.NamedChildren().Single().Module)[0];
        float[] w = conv.Weight.ToFloatArray();
        double mean = w.Average(v => (double)v), std = Math.Sqrt(w.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.001, 0.001);
        Assert.InRange(std, 0.0195, 0.0205);
    }

    [Fact]
    public void Truncated_normal_stays_within_its_bounds()
    {
        Tensor t = Tensor.Empty(new Shape(20000));
        Init.TruncatedNormal(t, 0, 1, -2, 2, new Generator(8));
        float[] v = t.ToFloatArray();
        Assert.All(v, x => Assert.InRange(x, -2f, 2f));
        double std = Math.Sqrt(v.Average(x => (double)x * x));
        Assert.InRange(std, 0.86, 0.90); // the standard deviation of N(0,1) truncated to ±2 is 0.880
    }

    [Fact]
    public void Tensorflow_same_padding_matches_its_output_sizes()
    {
        var conv = Conv2d.Same(3, 8, 5, 2);
        Assert.Equal(new Shape(2, 8, 32, 32), conv.Forward(Tensor.Zeros(new Shape(2, 3, 64, 64))).Shape);
        Assert.Equal(new Shape(2, 8, 7, 7), conv.Forward(Tensor.Zeros(new Shape(2, 3, 13, 13))).Shape);
        Assert.Equal(new Padding2d(1, 1, 2, 2), Padding2d.Same(64, 64, 5, 5, 2, 2));
        var up = ConvTranspose2d.Same(8, 3, 5, 2);
        Assert.Equal(new Shape(2, 3, 64, 64), up.Forward(Tensor.Zeros(new Shape(2, 8, 32, 32))).Shape);
        Assert.Equal(new Shape(1, 1, 7, 7), F.Conv2d(Tensor.Zeros(new Shape(1, 1, 13, 13)), Tensor.Zeros(new Shape(1, 1, 5, 5)), null, 2,
            Padding2d.Same(13, 13, 5, 5, 2, 2)).Shape);
    }
}
