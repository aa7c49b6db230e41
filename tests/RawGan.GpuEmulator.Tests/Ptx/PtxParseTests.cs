using RawGan.GpuEmulator.Ptx;
using static RawGan.GpuEmulator.Ptx.PtxTestSupport;

namespace RawGan.GpuEmulator.Tests.Ptx;

/// <summary>What the interpreter does not understand is a parse error naming the file, the line and the text,
/// never silently ignored.</summary>
public class PtxParseTests
{
    private static PtxParseException ParseError(string body, string marker, string preamble = "")
    {
        string text = SnippetText(body, preamble);
        var e = Assert.Throws<PtxParseException>(() => PtxModule.Parse(text, SnippetFile));
        int line = LineOf(text, marker);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{SnippetFile}:{line}: ", e.Message);
        return e;
    }

    [Theory]
    [InlineData("vote.sync.all.pred %p, %q, 0xffffffff;", "unsupported instruction 'vote.sync.all.pred'")]
    [InlineData("add.sat.s32 %r, %r, 1;", "unsupported modifier .sat")]
    [InlineData("add.f32 %f, %f, %f;", "write .rn")]
    [InlineData("add.rz.f32 %f, %f, %f;", "rounding .rz is not supported")]
    [InlineData("add.u32 %r, %r, %f;", "register %f is .f32, which does not fit a .u32 operand")]
    [InlineData("add.u32 %r, %r, %nope;", "register %nope is not declared")]
    [InlineData("add.u32 %r, %r;", "expected 3 operands but found 2")]
    [InlineData("mov.f32 %f, 1;", "integer literal 1 for a .f32 operand")]
    [InlineData("mov.u32 %r, 0x100000000;", "does not fit in 32 bits")]
    [InlineData("bra NOWHERE;", "undefined label 'NOWHERE'")]
    [InlineData("ld.f32 %f, [%in];", "generic addressing is not supported")]
    [InlineData("ld.global.f32 %f, [%r];", "only 64-bit addresses are supported")]
    [InlineData("cvt.f32.s32 %f, %r;", "needs .rn")]
    [InlineData("cvt.s32.f32 %r, %f;", "needs .rni, .rzi, .rmi or .rpi")]
    [InlineData("add.u32 %r, %tid.x, 1;", "only supported as the source of mov")]
    [InlineData("@%p bar.sync 0;", "predicated bar.sync")]
    [InlineData("bar.sync 1;", "bar.sync 0")]
    [InlineData("shfl.down.b32 %r, %r, 1, 0x1f;", "only shfl.sync")]
    [InlineData("call nothing, (%r);", "undefined function 'nothing'")]
    [InlineData("mul.u32 %r, %r, %r;", "needs .lo, .hi or .wide")]
    public void Unsupported_or_malformed_instructions(string instruction, string message)
    {
        var e = ParseError($".reg .u32 %r;\n.reg .f32 %f;\n.reg .pred %p, %q;\n{instruction}", instruction);
        Assert.Contains(message, e.Message);
        Assert.Contains(instruction.TrimEnd(';'), e.Message);
    }

    [Fact]
    public void Unknown_module_directive()
    {
        var e = Assert.Throws<PtxParseException>(() => PtxModule.Parse(Header + ".global .f32 g[4];\n", "x.ptx"));
        Assert.Equal("x.ptx:4: unsupported module-level statement starting with '.global'", e.Message);
    }

    [Fact]
    public void Unknown_directive_in_a_body_and_bad_characters()
    {
        Assert.Contains("unsupported directive '.pragma'", ParseError(".pragma nounroll;", ".pragma").Message);
        Assert.Contains("unexpected character '#'", ParseError("# comment", "# comment").Message);
    }

    [Fact]
    public void Call_signatures_are_checked()
    {
        const string function = ".func (.reg .f32 %y) f(.reg .f32 %x)\n{\n\tmov.f32 %y, %x;\n}\n";
        Assert.Contains("has 1 parameter(s) but the call passes 2",
            ParseError(".reg .f32 %a;\ncall (%a), f, (%a, %a);", "call (%a)", function).Message);
        Assert.Contains("register %r is .u32, which does not fit a .f32 operand",
            ParseError(".reg .u32 %r;\ncall (%r), f, (0f00000000);", "call (%r)", function).Message);
    }

    [Fact]
    public void Duplicate_declarations()
    {
        Assert.Contains("declared twice", ParseError(".reg .u32 %r;\n.reg .f32 %r;", ".reg .f32 %r").Message);
        Assert.Contains("label 'DUP' is defined twice", ParseError("DUP: // first\nret;\nDUP: // second\nret;", "// second").Message);
    }
}
