using RawGan.GpuEmulator.Ptx;
using static RawGan.GpuEmulator.Ptx.PtxTestSupport;

namespace RawGan.GpuEmulator.Tests.Ptx;

/// <summary>Hand-written PTX snippets that pin the interpreter's semantics, instruction by instruction, to the
/// PTX ISA: integer wrap-around, IEEE rounding, cvt rounding and saturation, min/max and setp NaN rules,
/// predication, brx.idx, call/ret, shfl.sync, bar.sync with shared memory, red/atom.</summary>
public class PtxInterpreterTests
{
    [Fact]
    public void Integer_arithmetic_wraps_and_shifts_clamp()
    {
        uint[] w = Run("""
            .reg .u32 %a, %b;
            .reg .s32 %s, %t;
            .reg .u64 %x, %y;
            mov.u32 %a, 0xFFFFFFFF;
            add.u32 %b, %a, 1;          st.global.u32 [%out+0], %b;
            sub.u32 %b, 0, %a;          st.global.u32 [%out+4], %b;
            mul.lo.u32 %b, %a, %a;      st.global.u32 [%out+8], %b;
            mul.hi.u32 %b, %a, %a;      st.global.u32 [%out+12], %b;
            mov.s32 %s, -7;
            div.s32 %t, %s, 2;          st.global.s32 [%out+16], %t;
            rem.s32 %t, %s, 2;          st.global.s32 [%out+20], %t;
            shr.s32 %t, %s, 1;          st.global.s32 [%out+24], %t;
            shr.u32 %b, %s, 1;          st.global.u32 [%out+28], %b;
            shl.b32 %b, %a, 32;         st.global.u32 [%out+32], %b;
            shr.s32 %t, %s, 40;         st.global.s32 [%out+36], %t;
            mul.wide.s32 %x, %s, 3;     st.global.u64 [%out+40], %x;
            mul.wide.u32 %x, %a, %a;    st.global.u64 [%out+48], %x;
            mov.u64 %y, 0xFFFFFFFFFFFFFFFF;
            add.u64 %x, %y, 2;          st.global.u64 [%out+56], %x;
            min.s32 %t, %s, 1;          st.global.s32 [%out+64], %t;
            min.u32 %b, %s, 1;          st.global.u32 [%out+68], %b;
            mov.s32 %s, 0x80000000;
            abs.s32 %t, %s;             st.global.s32 [%out+72], %t;
            neg.s32 %t, %s;             st.global.s32 [%out+76], %t;
            mad.lo.u64 %x, %y, %y, 5;   st.global.u64 [%out+80], %x;
            mul.hi.u64 %x, %y, %y;      st.global.u64 [%out+88], %x;
            """, 24);
        Assert.Equal(0u, w[0]);
        Assert.Equal(1u, w[1]);
        Assert.Equal(1u, w[2]);
        Assert.Equal(0xFFFFFFFEu, w[3]);
        Assert.Equal(-3, (int)w[4]);
        Assert.Equal(-1, (int)w[5]);
        Assert.Equal(-4, (int)w[6]);
        Assert.Equal(0x7FFFFFFCu, w[7]);
        Assert.Equal(0u, w[8]);
        Assert.Equal(-1, (int)w[9]);
        Assert.Equal(unchecked((ulong)-21L), W64(w, 10));
        Assert.Equal(0xFFFFFFFE_00000001UL, W64(w, 12));
        Assert.Equal(1UL, W64(w, 14));
        Assert.Equal(-7, (int)w[16]);
        Assert.Equal(1u, w[17]);
        Assert.Equal(0x80000000u, w[18]);
        Assert.Equal(0x80000000u, w[19]);
        Assert.Equal(6UL, W64(w, 20));                     // (2^64-1)^2 + 5 mod 2^64
        Assert.Equal(0xFFFFFFFF_FFFFFFFEUL, W64(w, 22));
    }

    private static ulong W64(uint[] w, int i) => w[i] | (ulong)w[i + 1] << 32;

    [Fact]
    public void Fma_rounds_once_and_mul_add_twice()
    {
        uint[] w = Run("""
            .reg .f32 %a, %c, %m, %r;
            .reg .f64 %da, %dc, %dm, %dr;
            mov.f32 %a, 0f3F800800;
            mov.f32 %c, 0fBF801000;
            fma.rn.f32 %r, %a, %a, %c;                      st.global.f32 [%out], %r;
            mul.rn.f32 %m, %a, %a;  add.rn.f32 %r, %m, %c;  st.global.f32 [%out+4], %r;
            mov.f64 %da, 0d3FF0000002000000;
            mov.f64 %dc, 0dBFF0000004000000;
            fma.rn.f64 %dr, %da, %da, %dc;                      st.global.f64 [%out+8], %dr;
            mul.rn.f64 %dm, %da, %da;  add.rn.f64 %dr, %dm, %dc; st.global.f64 [%out+16], %dr;
            """, 6);
        // (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24 exactly; rounded first, the product ties to 1 + 2^-11 and the sum is 0.
        Assert.Equal(0x33800000u, w[0]);
        Assert.Equal(0u, w[1]);
        Assert.Equal(0x3C900000_00000000UL, W64(w, 2)); // 2^-54
        Assert.Equal(0UL, W64(w, 4));
    }

    [Fact]
    public void Float_results_are_ieee_with_canonical_nans()
    {
        uint[] w = Run("""
            .reg .f32 %r;
            div.rn.f32 %r, 0f00000000, 0f00000000;      st.global.f32 [%out], %r;
            sub.rn.f32 %r, 0f7F800000, 0f7F800000;      st.global.f32 [%out+4], %r;
            add.rn.f32 %r, 0f7FC00BAD, 0f3F800000;      st.global.f32 [%out+8], %r;
            neg.f32 %r, 0f7FC00BAD;                     st.global.f32 [%out+12], %r;
            sqrt.rn.f32 %r, 0fBF800000;                 st.global.f32 [%out+16], %r;
            sqrt.rn.f32 %r, 0f40000000;                 st.global.f32 [%out+20], %r;
            rcp.rn.f32 %r, 0f40400000;                  st.global.f32 [%out+24], %r;
            div.rn.f32 %r, 0f3F800000, 0f40400000;      st.global.f32 [%out+28], %r;
            copysign.f32 %r, 0fBF800000, 0f40000000;    st.global.f32 [%out+32], %r;
            abs.f32 %r, 0fFF800000;                     st.global.f32 [%out+36], %r;
            mov.f32 %r, 1.5;                            st.global.f32 [%out+40], %r;
            """, 11);
        Assert.Equal(PtxFloat.CanonicalNaN32, w[0]);
        Assert.Equal(PtxFloat.CanonicalNaN32, w[1]);
        Assert.Equal(PtxFloat.CanonicalNaN32, w[2]);
        Assert.Equal(0xFFC00BADu, w[3]);           // neg flips the sign bit only
        Assert.Equal(PtxFloat.CanonicalNaN32, w[4]);
        Assert.Equal(Bits(MathF.Sqrt(2f)), w[5]);
        Assert.Equal(Bits(1f / 3f), w[6]);
        Assert.Equal(Bits(1f / 3f), w[7]);
        Assert.Equal(Bits(-2f), w[8]);             // magnitude of b, sign of a
        Assert.Equal(0x7F800000u, w[9]);
        Assert.Equal(Bits(1.5f), w[10]);
    }

    [Fact]
    public void Ftz_flushes_subnormal_inputs_and_results()
    {
        uint[] w = Run("""
            .reg .f32 %r;
            add.rn.f32 %r, 0f00000001, 0f00000001;          st.global.f32 [%out], %r;
            add.rn.ftz.f32 %r, 0f00000001, 0f00000001;      st.global.f32 [%out+4], %r;
            mul.rn.ftz.f32 %r, 0f00800000, 0f3F000000;      st.global.f32 [%out+8], %r;
            mul.rn.f32 %r, 0f00800000, 0f3F000000;          st.global.f32 [%out+12], %r;
            neg.ftz.f32 %r, 0f00000005;                     st.global.f32 [%out+16], %r;
            setp.eq.ftz.f32 %p, 0f80000003, 0f00000000;     selp.u32 %u, 1, 0, %p;  st.global.u32 [%out+20], %u;
            """.Replace("add.rn.f32 %r,", ".reg .pred %p;\n.reg .u32 %u;\nadd.rn.f32 %r,"), 6);
        Assert.Equal(2u, w[0]);
        Assert.Equal(0u, w[1]);
        Assert.Equal(0u, w[2]);
        Assert.Equal(0x00400000u, w[3]);
        Assert.Equal(0x80000000u, w[4]);
        Assert.Equal(1u, w[5]);
    }

    [Fact]
    public void Cvt_rounds_ties_to_even_and_saturates()
    {
        float[] inputs = [0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3e9f, -3e9f, float.NaN, 2.7f, -2.7f];
        string body = ".reg .f32 %f;\n.reg .s32 %s;\n.reg .u32 %u;\n";
        for (int i = 0; i < inputs.Length; i++)
            body += $"ld.global.f32 %f, [%in+{4 * i}];\ncvt.rni.s32.f32 %s, %f;\nst.global.s32 [%out+{4 * i}], %s;\n"
                  + $"cvt.rzi.s32.f32 %s, %f;\nst.global.s32 [%out+{4 * (i + 11)}], %s;\n"
                  + $"cvt.rmi.s32.f32 %s, %f;\nst.global.s32 [%out+{4 * (i + 22)}], %s;\n"
                  + $"cvt.rpi.u32.f32 %u, %f;\nst.global.u32 [%out+{4 * (i + 33)}], %u;\n"
                  + $"cvt.rni.f32.f32 %f, %f;\nst.global.f32 [%out+{4 * (i + 44)}], %f;\n";
        uint[] w = Run(body, 55, [.. inputs.Select(Bits)]);
        int[] rni = [0, 2, 2, 0, -2, -2, int.MaxValue, int.MinValue, 0, 3, -3];
        int[] rzi = [0, 1, 2, 0, -1, -2, int.MaxValue, int.MinValue, 0, 2, -2];
        int[] rmi = [0, 1, 2, -1, -2, -3, int.MaxValue, int.MinValue, 0, 2, -3];
        uint[] rpiUnsigned = [1, 2, 3, 0, 0, 0, 3_000_000_000, 0, 0, 3, 0];
        float[] rniFloat = [0f, 2f, 2f, -0f, -2f, -2f, 3e9f, -3e9f, float.NaN, 3f, -3f];
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(rni[i], (int)w[i]);
            Assert.Equal(rzi[i], (int)w[i + 11]);
            Assert.Equal(rmi[i], (int)w[i + 22]);
            Assert.Equal(rpiUnsigned[i], w[i + 33]);
            Assert.Equal(float.IsNaN(rniFloat[i]) ? PtxFloat.CanonicalNaN32 : Bits(rniFloat[i]), w[i + 44]);
        }
    }

    [Fact]
    public void Cvt_between_integers_and_floats_is_correctly_rounded()
    {
        uint[] w = Run("""
            .reg .u64 %x;
            .reg .s64 %sx;
            .reg .u32 %u;
            .reg .s32 %s;
            .reg .f32 %f;
            .reg .f64 %d;
            mov.u64 %x, 0x1000001000000001;  cvt.rn.f32.u64 %f, %x;  st.global.f32 [%out], %f;
            mov.u64 %x, 0xFFFFFFFFFFFFFFFF;  cvt.rn.f32.u64 %f, %x;  st.global.f32 [%out+4], %f;
            cvt.rn.f64.u64 %d, %x;           st.global.f64 [%out+8], %d;
            mov.s32 %s, 16777217;            cvt.rn.f32.s32 %f, %s;  st.global.f32 [%out+16], %f;
            mov.s64 %sx, -9007199254740993;  cvt.rn.f64.s64 %d, %sx; st.global.f64 [%out+24], %d;
            mov.f64 %d, 0d3FF0000010000000;  cvt.rn.f32.f64 %f, %d;  st.global.f32 [%out+32], %f;
            mov.f64 %d, 0d3FF0000010000001;  cvt.rn.f32.f64 %f, %d;  st.global.f32 [%out+36], %f;
            mov.u64 %x, 0x100000005;         cvt.u32.u64 %u, %x;     st.global.u32 [%out+40], %u;
            mov.s32 %s, -5;                  cvt.s64.s32 %sx, %s;    st.global.s64 [%out+48], %sx;
            cvt.u64.s32 %x, %s;              st.global.u64 [%out+56], %x;
            cvt.sat.u32.s32 %u, %s;          st.global.u32 [%out+64], %u;
            cvt.u64.u32 %x, %s;              st.global.u64 [%out+72], %x;
            """, 20);
        Assert.Equal(0x5D800001u, w[0]);   // 2^60 + 2^36 + 1 rounds up (a double detour would tie and round down)
        Assert.Equal(0x5F800000u, w[1]);   // 2^64
        Assert.Equal(0x43F00000_00000000UL, W64(w, 2));
        Assert.Equal(Bits(16777216f), w[4]);
        Assert.Equal(BitConverter.DoubleToUInt64Bits(-9007199254740992.0), W64(w, 6));
        Assert.Equal(Bits(1f), w[8]);       // 1 + 2^-24 ties to even
        Assert.Equal(0x3F800001u, w[9]);    // just above the tie
        Assert.Equal(5u, w[10]);
        Assert.Equal(unchecked((ulong)-5L), W64(w, 12));
        Assert.Equal(unchecked((ulong)-5L), W64(w, 14)); // the source's signedness decides the extension
        Assert.Equal(0u, w[16]);
        Assert.Equal(0xFFFFFFFBUL, W64(w, 18));
    }

    [Fact]
    public void Min_and_max_ignore_one_nan_unless_NaN_modifier_and_order_zeros()
    {
        uint[] w = Run("""
            .reg .f32 %r;
            .reg .f64 %d;
            min.f32 %r, 0f7FC00001, 0f3F800000;      st.global.f32 [%out], %r;
            min.f32 %r, 0f3F800000, 0f7FC00001;      st.global.f32 [%out+4], %r;
            min.f32 %r, 0f7FC00001, 0f7FC00002;      st.global.f32 [%out+8], %r;
            max.f32 %r, 0fFFC00001, 0fBF800000;      st.global.f32 [%out+12], %r;
            min.NaN.f32 %r, 0f7FC00001, 0f3F800000;  st.global.f32 [%out+16], %r;
            max.NaN.f32 %r, 0f3F800000, 0f7FC00001;  st.global.f32 [%out+20], %r;
            min.NaN.f32 %r, 0f3F800000, 0f40000000;  st.global.f32 [%out+24], %r;
            min.f32 %r, 0f00000000, 0f80000000;      st.global.f32 [%out+28], %r;
            min.f32 %r, 0f80000000, 0f00000000;      st.global.f32 [%out+32], %r;
            max.f32 %r, 0f80000000, 0f00000000;      st.global.f32 [%out+36], %r;
            max.f32 %r, 0f00000000, 0f80000000;      st.global.f32 [%out+40], %r;
            max.f64 %d, 0d7FF8000000000001, 0d4000000000000000;  st.global.f64 [%out+48], %d;
            min.f64 %d, 0d0000000000000000, 0d8000000000000000;  st.global.f64 [%out+56], %d;
            """, 16);
        Assert.Equal(Bits(1f), w[0]);
        Assert.Equal(Bits(1f), w[1]);
        Assert.Equal(PtxFloat.CanonicalNaN32, w[2]);
        Assert.Equal(Bits(-1f), w[3]);
        Assert.Equal(PtxFloat.CanonicalNaN32, w[4]);
        Assert.Equal(PtxFloat.CanonicalNaN32, w[5]);
        Assert.Equal(Bits(1f), w[6]);
        Assert.Equal(0x80000000u, w[7]);
        Assert.Equal(0x80000000u, w[8]);
        Assert.Equal(0u, w[9]);
        Assert.Equal(0u, w[10]);
        Assert.Equal(BitConverter.DoubleToUInt64Bits(2.0), W64(w, 12));
        Assert.Equal(0x80000000_00000000UL, W64(w, 14));
    }

    [Theory]
    [InlineData("setp.ne.f32", "0f7FC00000", "0f3F800000", 0)]
    [InlineData("setp.neu.f32", "0f7FC00000", "0f3F800000", 1)]
    [InlineData("setp.neu.f32", "0f3F800000", "0f3F800000", 0)]
    [InlineData("setp.equ.f32", "0f7FC00000", "0f7FC00000", 1)]
    [InlineData("setp.eq.f32", "0f7FC00000", "0f7FC00000", 0)]
    [InlineData("setp.eq.f32", "0f80000000", "0f00000000", 1)]
    [InlineData("setp.lt.f32", "0f3F800000", "0f40000000", 1)]
    [InlineData("setp.ltu.f32", "0f7FC00000", "0f40000000", 1)]
    [InlineData("setp.ge.f32", "0f7FC00000", "0f40000000", 0)]
    [InlineData("setp.geu.f32", "0f3F800000", "0f40000000", 0)]
    [InlineData("setp.gtu.f32", "0f40000000", "0f3F800000", 1)]
    [InlineData("setp.leu.f32", "0f40000000", "0f3F800000", 0)]
    [InlineData("setp.nan.f32", "0f3F800000", "0f7FC00000", 1)]
    [InlineData("setp.num.f32", "0f3F800000", "0f40000000", 1)]
    [InlineData("setp.num.f32", "0f7FC00000", "0f40000000", 0)]
    [InlineData("setp.lt.u32", "0xFFFFFFFF", "1", 0)]
    [InlineData("setp.lt.s32", "0xFFFFFFFF", "1", 1)]
    [InlineData("setp.lo.u32", "1", "2", 1)]
    [InlineData("setp.hs.u32", "2", "2", 1)]
    [InlineData("setp.hi.u64", "0x8000000000000000", "1", 1)]
    [InlineData("setp.gt.s64", "0x8000000000000000", "1", 0)]
    [InlineData("setp.ne.b32", "3", "3", 0)]
    [InlineData("setp.lt.f64", "0d3FF0000000000000", "0d4000000000000000", 1)]
    [InlineData("setp.neu.f64", "0d7FF8000000000000", "0d4000000000000000", 1)]
    public void Setp_compares_as_the_isa_says(string setp, string a, string b, uint expected)
    {
        string type = setp[(setp.LastIndexOf('.') + 1)..];
        string reg = type == "b32" ? "u32" : type;
        uint[] w = Run($"""
            .reg .pred %p;
            .reg .u32 %v;
            .reg .{reg} %a, %b;
            mov.{type} %a, {a};
            mov.{type} %b, {b};
            {setp} %p, %a, %b;
            selp.u32 %v, 1, 0, %p;
            st.global.u32 [%out], %v;
            """, 1);
        Assert.Equal(expected, w[0]);
    }

    [Fact]
    public void Setp_combines_with_a_predicate_and_writes_the_complement()
    {
        uint[] w = Run("""
            .reg .pred %p, %q, %t, %f;
            .reg .u32 %v;
            setp.eq.u32 %t, 1, 1;
            setp.eq.u32 %f, 1, 0;
            setp.eq.or.f32 %p, 0f40000000, 0f3F800000, %t;   selp.u32 %v, 1, 0, %p;  st.global.u32 [%out], %v;
            setp.eq.or.f32 %p, 0f40000000, 0f3F800000, %f;   selp.u32 %v, 1, 0, %p;  st.global.u32 [%out+4], %v;
            setp.lt.and.s32 %p|%q, 1, 2, !%f;                selp.u32 %v, 1, 0, %p;  st.global.u32 [%out+8], %v;
            selp.u32 %v, 1, 0, %q;  st.global.u32 [%out+12], %v;
            setp.lt.xor.s32 %p|%q, 1, 2, %t;                 selp.u32 %v, 1, 0, %p;  st.global.u32 [%out+16], %v;
            selp.u32 %v, 1, 0, %q;  st.global.u32 [%out+20], %v;
            setp.gt.u32 %p|%q, 1, 2;                         selp.u32 %v, 1, 0, %q;  st.global.u32 [%out+24], %v;
            and.pred %p, %t, %f;   selp.u32 %v, 1, 0, %p;  st.global.u32 [%out+28], %v;
            or.pred %p, %t, %f;    selp.u32 %v, 1, 0, %p;  st.global.u32 [%out+32], %v;
            xor.pred %p, %t, %t;   selp.u32 %v, 1, 0, %p;  st.global.u32 [%out+36], %v;
            not.pred %p, %f;       selp.u32 %v, 1, 0, %p;  st.global.u32 [%out+40], %v;
            """, 11);
        Assert.Equal([1u, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1], w);
    }

    [Fact]
    public void Guards_skip_instructions()
    {
        uint[] w = Run("""
            .reg .pred %p;
            .reg .u32 %v;
            setp.eq.u32 %p, %tx, 0;
            mov.u32 %v, 5;
            @%p mov.u32 %v, 6;
            @!%p mov.u32 %v, 7;
            st.global.u32 [%out], %v;
            @!%p bra SKIP;
            st.global.u32 [%out+4], 9;
            SKIP:
            @!%p st.global.u32 [%out+8], 9;
            """, 3);
        Assert.Equal([6u, 9, 0], w);
    }

    [Theory]
    [InlineData(0u, 10u)]
    [InlineData(1u, 20u)]
    [InlineData(2u, 30u)]
    public void Brx_idx_jumps_through_its_table(uint index, uint expected)
    {
        uint[] w = Run("""
            .reg .u32 %i, %v;
            table: .branchtargets A, B, C;
            ld.global.u32 %i, [%in];
            brx.idx.uni %i, table;
            A: mov.u32 %v, 10; bra.uni DONE;
            B: mov.u32 %v, 20; bra DONE;
            C: mov.u32 %v, 30;
            DONE: st.global.u32 [%out], %v;
            """, 1, [index]);
        Assert.Equal(expected, w[0]);
    }

    private const string Functions = """
        .func (.reg .f32 %s, .reg .u32 %q) sumdiv(.reg .f32 %a, .reg .f32 %b, .reg .u32 %n)
        {
            add.rn.f32 %s, %a, %b;
            div.u32 %q, %n, 3;
            ret;
        }
        .func (.reg .u32 %r) fact(.reg .u32 %n)
        {
            .reg .pred %p;
            .reg .u32 %m;
            setp.le.u32 %p, %n, 1;
            @%p mov.u32 %r, 1;
            @%p ret;
            sub.u32 %m, %n, 1;
            call (%m), fact, (%m);
            mul.lo.u32 %r, %m, %n;
            ret;
        }
        .func store(.reg .u64 %p, .reg .u32 %v)
        {
            st.global.u32 [%p], %v;
        }
        """;

    [Fact]
    public void Call_passes_reg_parameters_and_returns_several_values()
    {
        uint[] w = Run("""
            .reg .f32 %x;
            .reg .u32 %q, %f, %keep;
            .reg .u64 %p;
            mov.u32 %keep, 1234;
            call (%x, %q), sumdiv, (0f3FC00000, 0f40100000, 10);
            st.global.f32 [%out], %x;
            st.global.u32 [%out+4], %q;
            call.uni (%f), fact, (5);
            st.global.u32 [%out+8], %f;
            add.u64 %p, %out, 12;
            call store, (%p, %keep);
            """, 4, preamble: Functions);
        Assert.Equal([Bits(3.75f), 3u, 120u, 1234u], w);
    }

    [Fact]
    public void Shfl_down_moves_values_within_the_warp_and_keeps_out_of_range_lanes()
    {
        const string body = """
            .reg .u32 %v, %o, %a;
            .reg .pred %p;
            .reg .u64 %ad;
            mul.lo.u32 %v, %tx, 10;
            shfl.sync.down.b32 %o|%p, %v, 3, CLAMP, 0xffffffff;
            selp.u32 %a, 1, 0, %p;
            mul.wide.u32 %ad, %tx, 8;
            add.u64 %ad, %out, %ad;
            st.global.u32 [%ad], %o;
            st.global.u32 [%ad+4], %a;
            """;
        foreach ((string clamp, int segment) in new[] { ("0x1f", 0), ("0x181f", 0x18) })
        {
            uint[] w = Run(body.Replace("CLAMP", clamp), 64, threads: 32);
            for (int lane = 0; lane < 32; lane++)
            {
                int maxLane = (lane & segment) | (31 & ~segment);
                bool inRange = lane + 3 <= maxLane;
                Assert.Equal((uint)(inRange ? lane + 3 : lane) * 10, w[2 * lane]);
                Assert.Equal(inRange ? 1u : 0u, w[2 * lane + 1]);
            }
        }
    }

    [Theory]
    [InlineData("up.b32 %v, %v, 2, 0, 0xffffffff", "lane >= 2 ? lane - 2 : lane")]
    [InlineData("bfly.b32 %v, %v, 1, 0x1f, 0xffffffff", "lane ^ 1")]
    [InlineData("idx.b32 %v, %v, 5, 0x1f, 0xffffffff", "5")]
    [InlineData("idx.b32 %v, %v, 3, 0x181f, 0xffffffff", "(lane & 24) | 3")]
    public void Shfl_modes(string shuffle, string expected)
    {
        uint[] w = Run($"""
            .reg .u32 %v;
            .reg .u64 %ad;
            mov.u32 %v, %tx;
            shfl.sync.{shuffle};
            mul.wide.u32 %ad, %tx, 4;
            add.u64 %ad, %out, %ad;
            st.global.u32 [%ad], %v;
            """, 32, threads: 32);
        Func<int, int> source = expected switch
        {
            "lane >= 2 ? lane - 2 : lane" => lane => lane >= 2 ? lane - 2 : lane,
            "lane ^ 1" => lane => lane ^ 1,
            "5" => _ => 5,
            _ => lane => (lane & 24) | 3,
        };
        for (int lane = 0; lane < 32; lane++) Assert.Equal((uint)source(lane), w[lane]);
    }

    [Fact]
    public void Bar_sync_orders_shared_memory_for_a_block_sum()
    {
        uint[] w = Run("""
            .reg .u64 %a, %b;
            .reg .f32 %v, %acc;
            .reg .u32 %i;
            .reg .pred %p;
            cvt.rn.f32.u32 %v, %tx;
            mov.u64 %a, s_data;
            mul.wide.u32 %b, %tx, 4;
            add.u64 %a, %a, %b;
            st.shared.f32 [%a], %v;
            bar.sync 0;
            setp.ne.u32 %p, %tx, 0;
            @%p bra DONE;
            mov.f32 %acc, 0f00000000;
            mov.u32 %i, 0;
            mov.u64 %a, s_data;
            LOOP:
            ld.shared.f32 %v, [%a];
            add.rn.f32 %acc, %acc, %v;
            add.u64 %a, %a, 4;
            add.u32 %i, %i, 1;
            setp.lt.u32 %p, %i, 128;
            @%p bra LOOP;
            st.global.f32 [%out], %acc;
            ld.shared.f32 %v, [s_other+8];
            st.global.f32 [%out+4], %v;
            DONE:
            ret;
            """, 2, threads: 128, preamble: ".shared .align 4 .f32 s_data[128];\n.shared .align 16 .b8 s_other[64];");
        Assert.Equal(Bits(8128f), w[0]);
        Assert.Equal(PtxSharedMemory.Fill, w[1]); // never written: the NaN fill pattern
    }

    [Fact]
    public void Red_and_atom_add_atomically_and_red_f32_flushes_subnormals()
    {
        uint[] w = Run("""
            .reg .u32 %old;
            .reg .u64 %ad;
            red.global.add.f32 [%out], 0f3F000000;
            red.global.add.f32 [%out+4], 0f00000001;
            atom.global.add.u32 %old, [%out+8], 1;
            mul.wide.u32 %ad, %tx, 4;
            add.u64 %ad, %out, %ad;
            st.global.u32 [%ad+12], %old;
            """, 67, threads: 64);
        Assert.Equal(Bits(32f), w[0]);
        Assert.Equal(0u, w[1]);
        Assert.Equal(64u, w[2]);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (uint)i), w[3..].Order());
    }

    [Fact]
    public void Mov_packs_and_unpacks_64_bits_and_reads_literals()
    {
        uint[] w = Run("""
            .reg .b32 %lo, %hi;
            .reg .f64 %d;
            .reg .u32 %u;
            mov.f64 %d, 0d400921FB54442D18;
            mov.b64 {%lo, %hi}, %d;
            st.global.u32 [%out], %lo;
            st.global.u32 [%out+4], %hi;
            mov.b64 %d, {%hi, %lo};
            st.global.f64 [%out+8], %d;
            mov.u32 %u, 010;     st.global.u32 [%out+16], %u;
            mov.u32 %u, 0b101;   st.global.u32 [%out+20], %u;
            mov.u32 %u, -1;      st.global.u32 [%out+24], %u;
            mov.u32 %u, %ntid.x; st.global.u32 [%out+28], %u;
            """, 8);
        ulong pi = BitConverter.DoubleToUInt64Bits(Math.PI);
        Assert.Equal((uint)pi, w[0]);
        Assert.Equal((uint)(pi >> 32), w[1]);
        Assert.Equal(pi >> 32 | pi << 32, W64(w, 2));
        Assert.Equal([8u, 5u, 0xFFFFFFFFu, 1u], w[4..]);
    }

    [Fact]
    public void Vector_loads_and_stores_move_four_words()
    {
        var memory = new PtxMemory();
        ulong input = memory.Upload<uint>([1, 2, 3, 4]), output = memory.Allocate(16);
        Snippet("""
            .reg .b32 %a, %b, %c, %d;
            ld.global.nc.v4.b32 {%a, %b, %c, %d}, [%in];
            st.global.v4.b32 [%out], {%d, %c, %b, %a};
            """).Kernel(SnippetKernel).Launch(memory, 1, 1, 1, 0, [output, input]);
        Assert.Equal([4u, 3, 2, 1], memory.Read<uint>(output, 4));
    }

    [Fact]
    public void Special_registers_describe_the_launch()
    {
        var memory = new PtxMemory();
        ulong output = memory.Allocate(3 * 2 * 64 * 16);
        Snippet("""
            .reg .u32 %bx, %by, %nbx, %nby, %i;
            .reg .u64 %ad;
            mov.u32 %bx, %ctaid.x;
            mov.u32 %by, %ctaid.y;
            mov.u32 %nbx, %nctaid.x;
            mov.u32 %nby, %nctaid.y;
            mad.lo.u32 %i, %by, %nbx, %bx;
            mov.u32 %bx, %ntid.x;
            mad.lo.u32 %i, %i, %bx, %tx;
            mul.wide.u32 %ad, %i, 16;
            add.u64 %ad, %out, %ad;
            mov.u32 %bx, %laneid;
            mov.u32 %by, %warpid;
            st.global.v4.u32 [%ad], {%i, %bx, %by, %nby};
            """).Kernel(SnippetKernel).Launch(memory, 3, 2, 64, 0, [output, 0]);
        uint[] w = memory.Read<uint>(output, 3 * 2 * 64 * 4);
        for (int i = 0; i < 3 * 2 * 64; i++)
            Assert.Equal([(uint)i, (uint)(i % 64 % 32), (uint)(i % 64 / 32), 2u], w[(4 * i)..(4 * i + 4)]);
    }

    [Fact]
    public void Approximate_functions_are_computed_exactly()
    {
        uint[] w = Run("""
            .reg .f32 %r;
            ex2.approx.ftz.f32 %r, 0f40400000;      st.global.f32 [%out], %r;
            lg2.approx.f32 %r, 0f41000000;          st.global.f32 [%out+4], %r;
            rsqrt.approx.f32 %r, 0f40800000;        st.global.f32 [%out+8], %r;
            sin.approx.f32 %r, 0f00000000;          st.global.f32 [%out+12], %r;
            cos.approx.f32 %r, 0f00000000;          st.global.f32 [%out+16], %r;
            div.approx.f32 %r, 0f3F800000, 0f40400000;  st.global.f32 [%out+20], %r;
            div.full.f32 %r, 0f3F800000, 0f40400000;    st.global.f32 [%out+24], %r;
            sqrt.approx.f32 %r, 0f40000000;         st.global.f32 [%out+28], %r;
            rcp.approx.ftz.f32 %r, 0f40400000;      st.global.f32 [%out+32], %r;
            """, 9);
        Assert.Equal([Bits(8f), Bits(3f), Bits(0.5f), 0u, Bits(1f), Bits(1f / 3f), Bits(1f / 3f), Bits(MathF.Sqrt(2f)), Bits(1f / 3f)], w);
    }

    [Fact]
    public void Extern_shared_is_sized_by_the_launch()
    {
        var memory = new PtxMemory();
        ulong output = memory.Allocate(4);
        Snippet("""
            .reg .u64 %a, %o;
            .reg .u32 %v;
            .reg .pred %p;
            mov.u64 %a, dyn;
            mul.wide.u32 %o, %tx, 4;
            add.u64 %o, %a, %o;
            st.shared.u32 [%o], %tx;
            bar.sync 0;
            setp.eq.u32 %p, %tx, 0;
            @%p ld.shared.u32 %v, [dyn+124];
            @%p st.global.u32 [%out], %v;
            """, ".extern .shared .align 16 .b8 dyn[];").Kernel(SnippetKernel).Launch(memory, 1, 1, 32, 128, [output, 0]);
        Assert.Equal(31u, memory.Read<uint>(output, 1)[0]);
    }
}
