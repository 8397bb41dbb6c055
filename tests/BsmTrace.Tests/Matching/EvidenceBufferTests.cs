using BsmTrace.Matching;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Matching;

public sealed class EvidenceBufferTests
{
    /// <summary>What the buffer must keep: the first half of the bound and the latest of the rest.</summary>
    private static byte[][] Expected(byte[][] records, int max)
    {
        int head = Math.Max(2, max) / 2;
        int tail = Math.Max(2, max) - head;
        if (records.Length <= head + tail)
            return records;
        return [.. records.Take(head), .. records.TakeLast(tail)];
    }

    private static Gen<byte[][]> Records =>
        Gen.Choose(1, 300).SelectMany(length => Gen.Choose(0, 255).Select(b => Enumerable.Repeat((byte)b, length).ToArray())).ArrayOf();

    [Property(MaxTest = 300)]
    public Property Keeps_the_first_and_the_latest_records_whatever_their_lengths() =>
        Prop.ForAll(Records.ToArbitrary(), Gen.Choose(2, 20).ToArbitrary(), (records, max) =>
        {
            var buffer = new EvidenceBuffer(max, new EvidenceArena());
            foreach (var record in records)
                buffer.Add(record);
            var kept = buffer.ToList().Select(r => r.ToArray()).ToArray();
            var expected = Expected(records, max);
            return kept.Length == expected.Length
                && kept.Zip(expected).All(p => p.First.AsSpan().SequenceEqual(p.Second))
                && buffer.Omitted == records.Length - expected.Length
                && buffer.Total == records.Length;
        });

    [Property(MaxTest = 200)]
    public Property A_cleared_buffer_keeps_only_what_comes_after() =>
        Prop.ForAll(Records.ToArbitrary(), Records.ToArbitrary(), (before, after) =>
        {
            var buffer = new EvidenceBuffer(8, new EvidenceArena());
            foreach (var record in before)
                buffer.Add(record);
            buffer.Clear();
            foreach (var record in after)
                buffer.Add(record);
            var kept = buffer.ToList().Select(r => r.ToArray()).ToArray();
            var expected = Expected(after, 8);
            return kept.Length == expected.Length && kept.Zip(expected).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        });

    [Fact]
    public void Alert_copies_do_not_change_when_the_buffer_goes_on()
    {
        var buffer = new EvidenceBuffer(4, new EvidenceArena());
        byte[][] records = [[1, 1], [2, 2, 2], [3], [4, 4, 4, 4]];
        foreach (var record in records)
            buffer.Add(record);
        var copy = buffer.ToList();
        buffer.Add([9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
        buffer.Clear();
        buffer.Add([7]);
        Assert.Equal(records, copy.Select(r => r.ToArray()));
    }

    [Fact]
    public void Clearing_gives_every_kept_record_back_to_the_arena()
    {
        var arena = new EvidenceArena();
        var buffer = new EvidenceBuffer(4, arena);
        for (int i = 0; i < 10; i++)
            buffer.Add(new byte[10 + i]); // past the bound: the ring gives back what it overwrites
        Assert.Equal(4, arena.Records);

        buffer.Clear();
        Assert.Equal(0, arena.Records);
    }

    [Fact]
    public void Moving_to_another_arena_keeps_the_records_and_frees_them_in_the_first()
    {
        var first = new EvidenceArena();
        var second = new EvidenceArena();
        var buffer = new EvidenceBuffer(4, first);
        byte[][] records = [[1], [2, 2], [3, 3, 3], [4, 4, 4, 4], [5, 5, 5, 5, 5]];
        foreach (var record in records)
            buffer.Add(record);

        buffer.MoveTo(second);

        Assert.Equal(0, first.Records);
        Assert.Equal(4, second.Records);
        Assert.Equal([records[0], records[1], records[3], records[4]], buffer.ToList().Select(r => r.ToArray()));
        buffer.Clear();
        Assert.Equal(0, second.Records);
    }

    [Fact]
    public void A_record_the_arena_cannot_take_counts_as_left_out()
    {
        var buffer = new EvidenceBuffer(4, new EvidenceArena(maxPages: 1));
        byte[] first = [.. Enumerable.Repeat((byte)1, 9000)];
        buffer.Add(first);
        buffer.Add(new byte[9000]); // no page id left for it

        Assert.Equal(2, buffer.Total);
        Assert.Equal(1, buffer.Omitted);
        Assert.Equal([first], buffer.ToList().Select(r => r.ToArray()));
    }
}
