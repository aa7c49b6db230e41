using RawGan.Backends;

namespace RawGan.Bench;

/// <summary>
/// The convolutions of DCGAN-64 (ngf = ndf = 64, nz = 100), each as the geometry of a forward convolution. The
/// discriminator's layers are convolutions; the generator's are transposed convolutions, i.e. the backward-data pass
/// of the convolution listed (its forward pass is then the transposed conv's input gradient).
/// </summary>
internal static class DcganLayers
{
    /// <summary>The CPU benchmarks' batch (peer_gemm.py's BATCH).</summary>
    public const int Batch = 64;

    public static (string Name, ConvGeometry Geometry)[] All { get; } = At(Batch);

    /// <summary>The layers at batch <paramref name="batch"/> (the GPU benchmarks use 128, the DCGAN paper's).</summary>
    public static (string Name, ConvGeometry Geometry)[] At(int batch) =>
    [
        ("D1:conv3-64@64", Conv(batch, 3, 64, 64, stride: 2, pad: 1)),
        ("D2:conv64-128@32", Conv(batch, 64, 128, 32, 2, 1)),
        ("D3:conv128-256@16", Conv(batch, 128, 256, 16, 2, 1)),
        ("D4:conv256-512@8", Conv(batch, 256, 512, 8, 2, 1)),
        ("D5:conv512-1@4", Conv(batch, 512, 1, 4, 1, 0)),
        // ConvTranspose2d(cin → cout, 4, s, p) from size h is the adjoint of Conv(cout → cin) on the output size.
        ("G1:convT100-512@1", Conv(batch, 512, 100, 4, 1, 0)),
        ("G2:convT512-256@4", Conv(batch, 256, 512, 8, 2, 1)),
        ("G3:convT256-128@8", Conv(batch, 128, 256, 16, 2, 1)),
        ("G4:convT128-64@16", Conv(batch, 64, 128, 32, 2, 1)),
        ("G5:convT64-3@32", Conv(batch, 3, 64, 64, 2, 1)),
    ];

    private static ConvGeometry Conv(int batch, int cin, int cout, int size, int stride, int pad) =>
        new(batch, cin, size, size, cout, 4, 4, stride, stride, pad, pad, pad, pad);
}
