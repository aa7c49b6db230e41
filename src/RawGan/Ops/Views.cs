using RawGan.Tensors;

namespace RawGan.Ops;

public static partial class F
{
    /// <summary>The same elements in a new shape (one size may be -1 and is inferred); shares storage.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        int[] dims = (int[])shape.Clone();
        int infer = Array.IndexOf(dims, -1);
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (i == infer) continue;
            if (dims[i] < 0) throw new ArgumentException($"reshape: invalid size {dims[i]} in [{string.Join(", ", shape)}].");
            known *= dims[i];
        }
        if (infer >= 0)
        {
            if (Array.LastIndexOf(dims, -1) != infer) throw new ArgumentException($"reshape: only one size may be -1 in [{string.Join(", ", shape)}].");
            if (known == 0 || x.Numel % known != 0)
                throw new ArgumentException($"reshape: cannot infer -1 in [{string.Join(", ", shape)}] for {x.Numel} elements (input shape {x.Shape}).");
            dims[infer] = (int)(x.Numel / known);
        }
        var target = new Shape(dims);
        if (target.Numel != x.Numel)
            throw new ArgumentException($"reshape: shape {x.Shape} ({x.Numel} elements) cannot become {target} ({target.Numel} elements).");
        if (target == x.Shape) return x;
        // A reshape reads the elements in logical order: a channels-last tensor is laid out as NCHW first (as
        // PyTorch's reshape copies where a view cannot be had), which is free where both formats have one layout.
        x = Contiguous(x);
        return Record(new Tensor(x.Storage, target), "reshape", [x], dy => [Reshape(dy, x.Shape.ToArray())]);
    }

    /// <summary>Merges the axes from <paramref name="startDim"/> on into one, as torch.flatten.</summary>
    public static Tensor Flatten(Tensor x, int startDim = 1)
    {
        int start = x.Rank == 0 ? 0 : Axis("flatten", x, startDim);
        int[] dims = [.. x.Shape.Dims[..start], (int)x.Shape.Product(start, x.Rank)];
        return Reshape(x, dims);
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; all other sizes must agree (torch.cat).</summary>
    public static Tensor Concat(Tensor[] tensors, int axis = 1)
    {
        if (tensors.Length == 0) throw new ArgumentException("concat: needs at least one tensor.");
        Tensor first = tensors[0];
        int ax = Axis("concat", first, axis);
        int total = 0;
        foreach (Tensor t in tensors)
        {
            RequireCompatible("concat", first, t);
            bool ok = t.Rank == first.Rank;
            for (int i = 0; ok && i < t.Rank; i++) ok = i == ax || t.Shape[i] == first.Shape[i];
            if (!ok)
                throw new ArgumentException($"concat: shapes {string.Join(", ", tensors.Select(s => s.Shape))} differ outside axis {axis}.");
            total += t.Shape[ax];
        }
        // In channels-last, all are laid out alike and joined along the axis's physical place (C is innermost).
        MemoryFormat format = CommonFormat(tensors);
        tensors = [.. tensors.Select(t => ToMemoryFormat(t, format))];
        Tensor y = Tensor.Empty(first.Shape.With(ax, total), first.DType, first.Backend, format);
        (long outer, long inner) = Around(y, ax);
        int offset = 0;
        foreach (Tensor t in tensors)
        {
            int size = t.Shape[ax];
            y.Backend.Copy2D(t, 0, size * inner, y, offset * inner, total * inner, outer, size * inner);
            offset += size;
        }
        return Record(y, "concat", tensors, dy =>
        {
            var grads = new Tensor?[tensors.Length];
            int start = 0;
            for (int i = 0; i < tensors.Length; i++)
            {
                int size = tensors[i].Shape[ax];
                if (tensors[i].RequiresGrad) grads[i] = Narrow(dy, ax, start, size);
                start += size;
            }
            return grads;
        });
    }

    /// <summary>The element counts before and after logical axis <paramref name="ax"/> in t's memory order, so that
    /// t's storage is [outer, size of the axis, inner].</summary>
    private static (long Outer, long Inner) Around(Tensor t, int ax)
    {
        Shape physical = MemoryFormats.Physical(t.Shape, t.MemoryFormat);
        int p = MemoryFormats.PhysicalAxis(ax, t.MemoryFormat);
        return (physical.Product(0, p), physical.Product(p + 1, physical.Rank));
    }

    private static int Axis(string op, Tensor x, int axis) =>
        axis >= -x.Rank && axis < x.Rank ? x.Shape.Axis(axis) : throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for shape {x.Shape}.");

    /// <summary>The slice [start, start + length) of <paramref name="axis"/>, copied (torch.narrow, then contiguous).</summary>
    public static Tensor Narrow(Tensor x, int axis, int start, int length)
    {
        int ax = Axis("narrow", x, axis);
        int size = x.Shape[ax];
        if (start < 0 || length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: [{start}, {start + length}) is outside axis {axis} of size {size} (shape {x.Shape}).");
        (long outer, long inner) = Around(x, ax);
        Tensor y = Tensor.Empty(x.Shape.With(ax, length), x.DType, x.Backend, x.MemoryFormat);
        x.Backend.Copy2D(x, start * inner, size * inner, y, 0, length * inner, outer, length * inner);
        return Record(y, "narrow", [x], dy => [Unnarrow(dy, ax, start, size)]);
    }

    /// <summary>dy placed at [start, start + dy's length) of an axis of <paramref name="size"/>, zero elsewhere: the
    /// adjoint of <see cref="Narrow"/>, whose rule it is, and which is its rule.</summary>
    private static Tensor Unnarrow(Tensor dy, int ax, int start, int size)
    {
        int length = dy.Shape[ax];
        (long outer, long inner) = Around(dy, ax);
        Tensor dx = Tensor.Empty(dy.Shape.With(ax, size), dy.DType, dy.Backend, dy.MemoryFormat);
        dx.Backend.Fill(dx, 0);
        dx.Backend.Copy2D(dy, 0, length * inner, dx, start * inner, size * inner, outer, length * inner);
        return Record(dx, "narrow_backward", [dy], ddx => [Narrow(ddx, ax, start, length)]);
    }
}
