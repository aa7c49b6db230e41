using RawGan.Backends.Cpu;
using RawGan.Gan;
using RawGan.Tensors;

namespace RawGan.Tests.Gan;

public class MetricsWindowTests
{
    private static Tensor Metrics(params float[] v) => Tensor.FromArray(v, new Shape(4));

    [Fact]
    public void Rows_come_back_in_order_with_their_steps_and_the_window_empties()
    {
        var window = new MetricsWindow(3, CpuBackend.Default);
        window.Add(7, 0, Metrics(1, 2, 3, 4));
        window.Add(8, 1, Metrics(5, 6, 7, 8));
        Assert.False(window.IsFull);

        var rows = window.Read();

        Assert.Equal([(7L, 0, new StepMetrics(1, 2, 3, 4)), (8L, 1, new StepMetrics(5, 6, 7, 8))], rows);
        Assert.Equal(0, window.Count);
        Assert.Empty(window.Read());
    }

    [Fact]
    public void A_full_window_must_be_read_before_more_rows_and_a_wrong_tensor_is_refused()
    {
        var window = new MetricsWindow(1, CpuBackend.Default);
        window.Add(1, 0, Metrics(1, 2, 3, 4));
        Assert.True(window.IsFull);
        Assert.Throws<InvalidOperationException>(() => window.Add(2, 0, Metrics(1, 2, 3, 4)));
        window.Clear();
        var e = Assert.Throws<ArgumentException>(() => window.Add(2, 0, Tensor.FromArray(new float[] { 1, 2, 3 }, new Shape(3))));
        Assert.Contains("shape [3]", e.Message);
    }

    [Fact]
    public void A_non_finite_value_is_reported_by_the_synchronous_step()
    {
        Assert.False(new StepMetrics(double.NaN, 0, 0, 0).IsFinite);
        Assert.True(new StepMetrics(1, 2, 0.5, 0.5).IsFinite);
    }
}
