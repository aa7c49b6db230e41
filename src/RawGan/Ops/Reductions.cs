using RawGan.Backends;
using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>The sum of all elements, as a scalar (shape []).</summary>
    public static Tensor Sum(Tensor x) => SumTo(x, Shape.Scalar);

    /// <summary>The mean of all elements, as a scalar.</summary>
    public static Tensor Mean(Tensor x) => Scale(Sum(x), 1.0 / Math.Max(1, x.Numel));

    /// <summary>Sums x down to <paramref name="shape"/>, which must broadcast to x's shape: the adjoint of
    /// broadcasting, used for bias gradients and for sums over chosen axes (keep them as size 1).</summary>
    public static Tensor SumTo(Tensor x, Shape shape)
    {
        if (x.Shape == shape) return x;
        RequireFloat("sum_to", x);
        if (Shape.Broadcast(x.Shape, shape) != x.Shape)
            throw new ArgumentException($"sum_to: shape {shape} does not broadcast to the input's shape {x.Shape}.");
        // Channels-last sums to a channels-last rank-4 result over the physical [N, H, W, C] (a bias gradient is then
        // a sum over rows of C columns); a lower rank is that result reshaped.
        if (x.MemoryFormat == MemoryFormat.ChannelsLast && shape.Rank < 4)
            return Reshape(SumTo(x, new Shape([.. Enumerable.Repeat(1, 4 - shape.Rank), .. shape.Dims])), shape.ToArray());
        Tensor y = Tensor.Empty(shape, x.DType, x.Backend, x.MemoryFormat);
        x.Backend.SumTo(Physical(x), Physical(y));
        return Record(y, "sum_to", [x], dy => [ExpandTo(dy, x.Shape)]);
    }

    /// <summary>x broadcast to <paramref name="shape"/> (materialised: tensors here are contiguous).</summary>
    public static Tensor ExpandTo(Tensor x, Shape shape)
    {
        if (x.Shape == shape) return x;
        RequireFloat("expand", x);
        if (Shape.Broadcast(x.Shape, shape) != shape)
            throw new ArgumentException($"expand: shape {x.Shape} cannot be broadcast to {shape}.");
        if (x.MemoryFormat == MemoryFormat.ChannelsLast && shape.Rank != 4) x = Contiguous(x);
        Tensor y = Tensor.Empty(shape, x.DType, x.Backend, x.MemoryFormat);
        x.Backend.Binary(BinaryOp.Add, Physical(x), Tensor.Zeros(Shape.Scalar, x.DType, x.Backend), Physical(y));
        return Record(y, "expand", [x], dy => [SumTo(dy, x.Shape)]);
    }
}
