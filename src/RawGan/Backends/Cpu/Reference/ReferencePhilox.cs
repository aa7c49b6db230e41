namespace RawGan.Backends.Cpu.Reference;

/// <summary>
/// Philox4x32-10 from its definition (Salmon et al. 2011, §4; Random123's philox4x32 with 10 rounds), one block at
/// a time, written apart from <see cref="Tensors.Philox"/> so that the fast generator is tested against it. Known
/// answers for the full 4-word counter and 2-word key are Random123's kat_vectors (tested).
/// </summary>
internal static class ReferencePhilox
{
    /// <summary>The four output words for counter (c0, c1, c2, c3) under key (k0, k1). Each round maps
    /// (c0, c1, c2, c3) to (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0)), and the key is bumped
    /// by the Weyl constants between rounds.</summary>
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        const ulong M0 = 0xD2511F53, M1 = 0xCD9E8D57;
        const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;
        for (int round = 0; round < 10; round++)
        {
            if (round > 0) { k0 += W0; k1 += W1; }
            ulong p0 = M0 * c0, p1 = M1 * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>RawGan's stream: draw <paramref name="index"/> under <paramref name="seed"/> is the block with
    /// key = seed (low word first) and counter = (index low, index high, 0, 0); its first two words are used.</summary>
    public static (uint X0, uint X1) Draw(ulong seed, ulong index)
    {
        (uint x0, uint x1, _, _) = Block((uint)index, (uint)(index >> 32), 0, 0, (uint)seed, (uint)(seed >> 32));
        return (x0, x1);
    }

    /// <summary>A word to (0, 1): its top 24 bits plus one half, over 2^24.</summary>
    public static double Unit(uint word) => ((word >> 8) + 0.5) / 16_777_216.0;
}
