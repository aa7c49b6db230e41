using RawGan.GpuEmulator.Ptx;
using static RawGan.GpuEmulator.Ptx.PtxTestSupport;

namespace RawGan.GpuEmulator.Tests.Ptx;

/// <summary>What is undefined or wrong on a GPU faults, with a message naming the kernel, the file:line of the
/// instruction, the block and the thread.</summary>
public class PtxFaultTests
{
    /// <summary>Runs the snippet with <paramref name="threads"/> threads (out: 64 words, in: 16 words) and returns
    /// the fault, after checking that it names the kernel and the line holding <paramref name="marker"/>.</summary>
    private static PtxFaultException Fault(string body, string marker, uint threads = 32, string preamble = "",
        uint blocks = 1, Action<PtxModule>? configure = null)
    {
        string text = SnippetText(body, preamble);
        PtxModule module = PtxModule.Parse(text, SnippetFile);
        configure?.Invoke(module);
        var memory = new PtxMemory();
        ulong output = memory.Allocate(256), input = memory.Allocate(64);
        var e = Assert.Throws<PtxFaultException>(() =>
            module.Kernel(SnippetKernel).Launch(memory, blocks, 1, threads, 0, [output, input]));
        int line = LineOf(text, marker);
        Assert.Equal(SnippetKernel, e.Kernel);
        Assert.Equal(line, e.Line);
        Assert.Contains($"kernel {SnippetKernel}", e.Message);
        Assert.Contains($"{SnippetFile}:{line}", e.Message);
        Assert.Contains("block (", e.Message);
        Assert.Contains("thread ", e.Message);
        return e;
    }

    [Fact]
    public void Out_of_bounds_global_load()
    {
        var e = Fault("""
            .reg .f32 %v;
            ld.global.f32 %v, [%in+64];   // one past the end
            """, "[%in+64]", threads: 1);
        Assert.Contains("out-of-bounds global load of 4 bytes", e.Message);
        Assert.Contains("past the end of the 64-byte allocation", e.Message);
    }

    [Fact]
    public void Load_after_free_is_out_of_bounds()
    {
        var memory = new PtxMemory();
        ulong output = memory.Allocate(16), input = memory.Allocate(16);
        memory.Free(input);
        var e = Assert.Throws<PtxFaultException>(() => Snippet("""
            .reg .f32 %v;
            ld.global.f32 %v, [%in];
            """).Kernel(SnippetKernel).Launch(memory, 1, 1, 1, 0, [output, input]));
        Assert.Contains("use after free", e.Message);
    }

    [Fact]
    public void Misaligned_vector_load()
    {
        var e = Fault("""
            .reg .f32 %a, %b, %c, %d;
            ld.global.v4.f32 {%a, %b, %c, %d}, [%in+4];
            """, "v4.f32", threads: 1);
        Assert.Contains("misaligned global load of 16 bytes", e.Message);
    }

    [Fact]
    public void Shared_memory_race_without_a_barrier()
    {
        var e = Fault("""
            .reg .pred %p;
            .reg .f32 %v;
            setp.eq.u32 %p, %tx, 0;
            @%p st.shared.f32 [s_x], 0f3F800000;
            @!%p ld.shared.f32 %v, [s_x];     // reader
            @!%p st.global.f32 [%out], %v;
            """, "// reader", threads: 2, preamble: ".shared .align 4 .f32 s_x[4];");
        Assert.Contains("shared-memory race", e.Message);
        Assert.Contains("s_x[0]", e.Message);
        Assert.Contains("thread 0 wrote", e.Message);
        Assert.Contains("thread 1", e.Message);
    }

    [Fact]
    public void Shared_write_after_another_thread_read_is_a_race_but_a_barrier_orders_it()
    {
        const string body = """
            .reg .pred %p;
            .reg .f32 %v;
            setp.eq.u32 %p, %tx, 0;
            @%p ld.shared.f32 %v, [s_x];
            BARRIER
            @!%p st.shared.f32 [s_x], 0f3F800000;   // writer
            """;
        var e = Fault(body.Replace("BARRIER", ""), "// writer", threads: 2, preamble: ".shared .align 4 .f32 s_x[4];");
        Assert.Contains("shared-memory race", e.Message);
        Assert.Contains("which thread 0 read", e.Message);

        var memory = new PtxMemory();
        Snippet(body.Replace("BARRIER", "bar.sync 0;"), ".shared .align 4 .f32 s_x[4];")
            .Kernel(SnippetKernel).Launch(memory, 1, 1, 2, 0, [memory.Allocate(4), memory.Allocate(4)]);
    }

    [Fact]
    public void Global_write_write_race()
    {
        var e = Fault("""
            st.global.u32 [%out], %tx;    // every thread
            """, "// every thread", threads: 4);
        Assert.Contains("global write-write race", e.Message);
        Assert.Contains("thread 0 of block (0,0)", e.Message);
    }

    [Fact]
    public void Global_write_write_race_across_blocks()
    {
        var e = Fault("""
            .reg .pred %p;
            setp.eq.u32 %p, %tx, 0;
            @%p st.global.u32 [%out], %tx;    // thread 0 of each block
            """, "// thread 0 of each block", threads: 32, blocks: 2);
        Assert.Contains("global write-write race", e.Message);
        Assert.Contains("block (1,0)", e.Message);
    }

    [Fact]
    public void Global_read_after_another_threads_write_is_a_race()
    {
        var e = Fault("""
            .reg .pred %p;
            .reg .u32 %v;
            setp.eq.u32 %p, %tx, 0;
            @%p st.global.u32 [%out], 7;
            @!%p ld.global.u32 %v, [%out];    // reader
            """, "// reader", threads: 2);
        Assert.Contains("global read-after-write race", e.Message);
    }

    [Fact]
    public void Shfl_with_an_exited_lane_in_the_mask()
    {
        var e = Fault("""
            .reg .pred %p;
            .reg .u32 %v;
            setp.ge.u32 %p, %tx, 16;
            @%p exit;
            shfl.sync.down.b32 %v, %tx, 1, 0x1f, 0xffffffff;   // shuffle
            """, "// shuffle");
        Assert.Contains("lane 16", e.Message);
        Assert.Contains("exited", e.Message);

        e = Fault("""
            .reg .pred %p;
            .reg .u32 %v;
            setp.lt.u32 %p, %tx, 16;
            @%p exit;
            shfl.sync.down.b32 %v, %tx, 1, 0x1f, 0xffffffff;   // shuffle
            """, "// shuffle");
        Assert.Contains("lane 0", e.Message);
        Assert.Contains("exited", e.Message);
    }

    [Fact]
    public void Shfl_reading_a_lane_outside_the_mask()
    {
        var e = Fault("""
            .reg .u32 %v;
            shfl.sync.down.b32 %v, %tx, 1, 0x1f, 0x0000ffff;   // half warp
            """, "// half warp", threads: 16);
        Assert.Contains("lane 15 reads lane 16, which is not in the member mask", e.Message);
    }

    [Fact]
    public void Deadlock_when_bar_sync_is_in_one_branch_only()
    {
        var e = Fault("""
            .reg .pred %p;
            setp.lt.u32 %p, %tx, 16;
            @%p bra SKIP;
            bar.sync 0;        // only threads 16-31
            SKIP:
            bar.sync 0;        // everyone
            """, "// everyone", threads: 32);
        Assert.Contains("deadlock", e.Message);
        Assert.Contains($"threads 0-15 wait at bar.sync at snippet.ptx:{e.Line}", e.Message);
        Assert.Contains($"threads 16-31 wait at bar.sync at snippet.ptx:{e.Line - 2}", e.Message);
    }

    [Fact]
    public void Bar_sync_waits_only_for_threads_that_have_not_exited()
    {
        var memory = new PtxMemory();
        ulong output = memory.Allocate(4);
        Snippet("""
            .reg .pred %p;
            setp.lt.u32 %p, %tx, 16;
            @%p exit;
            bar.sync 0;
            setp.eq.u32 %p, %tx, 16;
            @%p st.global.u32 [%out], 1;
            """).Kernel(SnippetKernel).Launch(memory, 1, 1, 32, 0, [output, 0]);
        Assert.Equal(1u, memory.Read<uint>(output, 1)[0]);
    }

    [Fact]
    public void Integer_division_by_zero()
    {
        var e = Fault("""
            .reg .u32 %v;
            div.u32 %v, 7, %tx;    // divide
            """, "// divide", threads: 1);
        Assert.Contains("division by zero", e.Message);
    }

    [Fact]
    public void Brx_idx_outside_its_table()
    {
        var e = Fault("""
            table: .branchtargets A, B;
            brx.idx %tx, table;    // jump
            A: ret;
            B: ret;
            """, "// jump", threads: 3);
        Assert.Contains("thread 2", e.Message);
        Assert.Contains("outside its .branchtargets list", e.Message);
    }

    [Fact]
    public void Endless_loop_hits_the_instruction_limit()
    {
        var e = Fault("""
            LOOP:
            bra LOOP;    // forever
            """, "// forever", threads: 1, configure: m => m.MaxInstructionsPerLaunch = 100_000);
        Assert.Contains("more than 100000 instructions", e.Message);
    }

    [Fact]
    public void Faults_inside_a_function_name_the_call_chain()
    {
        var e = Fault("""
            call load, (%in);
            """, "[%p+4096]", threads: 1, preamble: """
            .func load(.reg .u64 %p)
            {
                .reg .f32 %v;
                ld.global.f32 %v, [%p+4096];
            }
            """);
        Assert.Contains("load called from snippet.ptx:", e.Message);
    }

    [Fact]
    public void Launch_checks_the_argument_count()
    {
        var memory = new PtxMemory();
        var e = Assert.Throws<ArgumentException>(() =>
            Snippet("ret;").Kernel(SnippetKernel).Launch(memory, 1, 1, 32, 0, [0UL]));
        Assert.Contains("takes 2 argument(s)", e.Message);
    }

    [Fact]
    public void Shared_store_past_the_end_of_an_array()
    {
        var e = Fault("""
            .reg .u64 %a, %o;
            mov.u64 %a, s_x;
            mul.wide.u32 %o, %tx, 4;
            add.u64 %o, %a, %o;
            st.shared.u32 [%o], %tx;     // store
            """, "// store", threads: 32, preamble: ".shared .align 4 .u32 s_x[16];");
        Assert.Contains("thread 16", e.Message);
        Assert.Contains("out-of-bounds shared store", e.Message);
        Assert.Contains("s_x", e.Message);
    }

    [Fact]
    public void Bar_sync_reached_from_two_call_sites_is_divergent()
    {
        var e = Fault("""
            .reg .pred %p;
            setp.lt.u32 %p, %tx, 16;
            @%p bra OTHER;
            call sync;       // first site
            ret;
            OTHER:
            call sync;       // second site
            """, "bar.sync 0; // the barrier", threads: 32, preamble: """
            .func sync()
            {
                bar.sync 0; // the barrier
            }
            """);
        Assert.Contains("deadlock", e.Message);
        Assert.Contains("sync called from snippet.ptx:", e.Message);
    }
}
