using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawGan.Backends.Cpu;

/// <summary>
/// One register-blocked tile routine of <see cref="SgemmKernels"/> with its tile shape MR×NR, which fixes how
/// <see cref="SgemmPack"/> lays out the panels. <see cref="Best"/> is chosen once from the CPU's instruction sets;
/// tests run every <see cref="Supported"/> one so the AVX2 and portable paths are checked on an AVX-512 machine too.
/// </summary>
internal sealed unsafe class SgemmMicroKernel
{
    public string Name { get; }
    public int MR { get; }
    public int NR { get; }

    /// <summary>(kc, packed A panel, packed B panel, C tile, ldc, beta). A function pointer, not a delegate: one
    /// indirect call per MR×NR×kc tile, and no allocation.</summary>
    public delegate*<int, float*, float*, float*, nint, float, void> Run { get; }

    private SgemmMicroKernel(string name, int mr, int nr, delegate*<int, float*, float*, float*, nint, float, void> run)
    {
        Name = name;
        MR = mr;
        NR = nr;
        Run = run;
    }

    public static SgemmMicroKernel Avx512Tile { get; } = new("avx512 12x32", 12, 32, &SgemmKernels.Avx512_12x32);
    public static SgemmMicroKernel Avx2Tile { get; } = new("avx2 6x16", 6, 16, &SgemmKernels.Avx2_6x16);
    public static SgemmMicroKernel ScalarTile { get; } = new("scalar 4x8", 4, 8, &SgemmKernels.Scalar_4x8);

    public static SgemmMicroKernel[] Supported { get; } =
    [
        .. Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? new[] { Avx512Tile } : [],
        .. Avx2.IsSupported && Fma.IsSupported ? new[] { Avx2Tile } : [],
        ScalarTile,
    ];

    public static SgemmMicroKernel Best => Supported[0];

    public override string ToString() => Name;
}
