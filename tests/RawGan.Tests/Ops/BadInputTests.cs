using RawGan.Ops;
using RawGan.Tensors;

namespace RawGan.Tests.Ops;

/// <summary>Bad input gets an exception that names the op and the shapes, never a wrong result or an
/// IndexOutOfRange from inside a loop.</summary>
public class BadInputTests
{
    private static Tensor T(params int[] shape) => Tensor.Zeros(new Shape(shape));

    private static void Throws<TException>(Action action, params string[] fragments) where TException : Exception
    {
        var e = Assert.ThrowsAny<TException>(action);
        foreach (string f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void Mismatched_shapes_name_the_op_and_shapes()
    {
        Throws<ArgumentException>(() => F.Add(T(2, 3), T(4, 3)), "add", "[2, 3]", "[4, 3]");
        Throws<ArgumentException>(() => F.Matmul(T(2, 3), T(4, 5)), "matmul", "[2, 3]", "[4, 5]");
        Throws<ArgumentException>(() => F.Linear(T(2, 3), T(4, 5)), "linear", "[2, 3]", "[4, 5]");
        Throws<ArgumentException>(() => F.Linear(T(2, 3), T(4, 3), T(5)), "linear", "bias", "[4]", "[5]");
        Throws<ArgumentException>(() => F.BinaryCrossEntropy(T(4), T(5)), "binary_cross_entropy", "[5]", "[4]");
        Throws<ArgumentException>(() => F.Concat([T(2, 3), T(3, 4)], 1), "concat", "[2, 3]", "[3, 4]");
        Throws<ArgumentException>(() => F.Reshape(T(2, 3), 4, 2), "reshape", "[2, 3]", "[4, 2]");
        Throws<ArgumentException>(() => F.BatchNorm(T(4, 3), null, null, T(5), training: true), "batch_norm", "weight", "[3]", "[5]");
    }

    [Fact]
    public void Wrong_rank_names_the_expected_layout()
    {
        Throws<ArgumentException>(() => F.Conv2d(T(3, 8, 8), T(4, 3, 3, 3)), "conv2d", "[N, C, H, W]", "[3, 8, 8]");
        Throws<ArgumentException>(() => F.Conv2d(T(1, 2, 8, 8), T(4, 3, 3, 3)), "conv2d", "2 channels", "[4, 3, 3, 3]");
        Throws<ArgumentException>(() => F.ConvTranspose2d(T(1, 2, 4, 4), T(3, 4, 4, 4)), "conv_transpose2d", "[in, out, kH, kW]");
        Throws<ArgumentException>(() => F.Conv2d(T(1, 1, 2, 2), T(1, 1, 5, 5)), "conv2d", "larger than the padded input");
        Throws<ArgumentException>(() => F.ConvTranspose2d(T(1, 1, 2, 2), T(1, 1, 3, 3), null, 2, 1, outputPadding: 2), "output padding");
        Throws<ArgumentException>(() => F.Linear(T(2, 3, 4), T(4, 4)), "linear", "rank 2");
    }

    [Fact]
    public void Negative_sizes_are_rejected()
    {
        Throws<ArgumentException>(() => new Shape(2, -1), "negative", "[2, -1]");
        Throws<ArgumentException>(() => F.Conv2d(T(1, 1, 4, 4), T(1, 1, 3, 3), null, stride: 0), "stride");
        Throws<ArgumentException>(() => F.Conv2d(T(1, 1, 4, 4), T(1, 1, 3, 3), null, 1, new Padding2d(-1, 0, 0, 0)), "padding");
        Throws<ArgumentOutOfRangeException>(() => F.Narrow(T(2, 3), 1, 2, 2), "narrow", "[2, 4)");
        Throws<ArgumentOutOfRangeException>(() => new RawGan.Nn.Linear(0, 3), "Linear(0, 3)");
    }

    [Fact]
    public void Backward_needs_a_scalar_or_a_gradient()
    {
        Tensor x = T(2, 3);
        x.RequiresGrad = true;
        Throws<InvalidOperationException>(() => F.Tanh(x).Backward(), "scalar", "[2, 3]");
        Throws<ArgumentException>(() => F.Tanh(x).Backward(T(3, 2)), "[3, 2]", "[2, 3]");
        Throws<InvalidOperationException>(() => T(1).Backward(), "does not require grad");
    }

    [Fact]
    public void Embedding_index_out_of_range_and_wrong_dtype()
    {
        Tensor w = T(10, 3);
        Throws<ArgumentOutOfRangeException>(() => F.Embedding(Tensor.FromArray(new[] { 3, 10 }, new Shape(2)), w), "gather", "index 10", "10 rows");
        Throws<ArgumentException>(() => F.Embedding(T(2), w), "int32");
    }

    [Fact]
    public void Operands_of_different_dtypes_are_rejected() =>
        Throws<ArgumentException>(() => F.Mul(T(2), Tensor.Zeros(new Shape(2), DType.Float64)), "mul", "float32", "float64");

    [Fact]
    public void A_released_tensor_fails_loudly()
    {
        Tensor leaked;
        using (new TensorScope()) leaked = T(2, 2);
        Assert.Throws<ObjectDisposedException>(() => leaked.ToFloatArray());
    }

    [Fact]
    public void Keeping_a_view_of_memory_the_scope_does_not_own_leaves_it_alone()
    {
        var lin = new RawGan.Nn.Linear(3, 2);
        using (new TensorScope())
        using (var inner = new TensorScope())
            inner.Keep(F.Reshape(lin.Weight, 2, 3));
        Assert.Equal(6, lin.Weight.ToFloatArray().Length);
    }

    [Fact]
    public void A_kept_tensor_survives_its_scope()
    {
        Tensor kept;
        using (var scope = new TensorScope()) kept = scope.Keep(Tensor.Ones(new Shape(2)));
        Assert.Equal([1f, 1f], kept.ToFloatArray());
    }
}
