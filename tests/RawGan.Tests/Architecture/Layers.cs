namespace RawGan.Tests.Architecture;

/// <summary>
/// The layers of RawGan.Core, bottom first: a namespace may use its own layer and those below it, never one above.
/// This table is the rule; README's "How it is built" quotes it, and <see cref="LayeringTests"/> enforces it on the
/// compiled assembly. A namespace belongs to the longest prefix listed (RawGan.Backends.Cuda.Interop is a device).
/// </summary>
internal static class Layers
{
    public static readonly (string Name, string[] Namespaces)[] BottomUp =
    [
        ("the tensor, its tape and the backend contract", ["RawGan.Tensors", "RawGan.Autograd", "RawGan.Backends"]),
        ("the devices", ["RawGan.Backends.Cpu", "RawGan.Backends.Cuda"]),
        ("the ops", ["RawGan.Ops"]),
        ("modules and optimisers", ["RawGan.Nn", "RawGan.Optim"]),
        ("data and files", ["RawGan.Data", "RawGan.IO"]),
        ("evaluation: feature networks and metrics", ["RawGan.Eval"]),
        ("the GAN recipes and trainer", ["RawGan.Gan"]),
        ("export of a trained generator", ["RawGan.IO.Onnx"]),
    ];

    /// <summary>The layer index of <paramref name="ns"/>, or -1 when no entry covers it.</summary>
    public static int Of(string ns)
    {
        int layer = -1, longest = -1;
        for (int i = 0; i < BottomUp.Length; i++)
            foreach (string prefix in BottomUp[i].Namespaces)
                if ((ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal)) && prefix.Length > longest)
                    (layer, longest) = (i, prefix.Length);
        return layer;
    }
}
