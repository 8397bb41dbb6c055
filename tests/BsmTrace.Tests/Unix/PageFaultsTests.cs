using BsmTrace.Tests.Support;
using BsmTrace.Unix;

namespace BsmTrace.Tests.Unix;

public sealed class PageFaultsTests
{
    [Fact]
    public void Populating_leaves_the_contents_as_they_were()
    {
        var memory = GC.AllocateUninitializedArray<byte>(1 << 20, pinned: true);
        for (int i = 0; i < memory.Length; i++)
            memory[i] = (byte)(i * 7);

        PageFaults.Populate(memory.AsSpan(3, memory.Length - 10)); // neither end on a page boundary

        for (int i = 0; i < memory.Length; i++)
            Assert.Equal((byte)(i * 7), memory[i]);
    }

    [LinuxFact]
    public void Populated_memory_is_written_without_a_fault_per_page()
    {
        // Fresh, uncleared memory: as allocated, each of its pages faults in when first written.
        var memory = GC.AllocateUninitializedArray<byte>(64 << 20, pinned: true);
        int pages = memory.Length / Environment.SystemPageSize;

        PageFaults.Populate(memory);
        long before = ThreadMinorFaults();
        memory.AsSpan().Fill(1);
        long faults = ThreadMinorFaults() - before;

        Assert.True(faults < pages / 10, $"{faults} faults writing {pages} populated pages");
    }

    /// <summary>This thread's minor page faults so far (field 10 of /proc/thread-self/stat).</summary>
    private static long ThreadMinorFaults()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": state is field 3
        return long.Parse(fields[10 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
