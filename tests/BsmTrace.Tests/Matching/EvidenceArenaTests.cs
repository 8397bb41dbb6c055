using BsmTrace.Matching;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Matching;

public sealed class EvidenceArenaTests
{
    private static int Store(EvidenceArena arena, byte[] record)
    {
        Assert.True(arena.TryStore(record, out int handle));
        return handle;
    }

    /// <summary>A step: store a record of this length (filled with a byte of its own), or free the kept record at this position.</summary>
    private static Gen<(bool Store, int Value)> Steps =>
        Gen.OneOf(
            Gen.Choose(1, 600).Select(length => (true, length)),
            Gen.Choose(8000, 9000).Select(length => (true, length)), // either side of the largest class: pages of their own
            Gen.Choose(0, 1000).Select(position => (false, position)));

    [Property(MaxTest = 200)]
    public Property Every_kept_record_reads_back_as_stored_whatever_was_freed_around_it() =>
        Prop.ForAll(Steps.ArrayOf().ToArbitrary(), steps =>
        {
            var arena = new EvidenceArena();
            var kept = new List<(int Handle, byte[] Bytes)>();
            byte fill = 0;
            foreach (var (store, value) in steps)
            {
                if (store)
                {
                    var bytes = Enumerable.Repeat(++fill, value).ToArray();
                    kept.Add((Store(arena, bytes), bytes));
                }
                else if (kept.Count > 0)
                {
                    int at = value % kept.Count;
                    arena.Free(kept[at].Handle);
                    kept.RemoveAt(at);
                }
            }

            return arena.Records == kept.Count
                && kept.All(k => arena.Get(k.Handle, k.Bytes.Length).SequenceEqual(k.Bytes));
        });

    [Fact]
    public void Pages_go_back_when_their_records_are_freed_but_one_per_size()
    {
        var arena = new EvidenceArena();
        var record = new byte[100];
        var handles = Enumerable.Range(0, 20_000).Select(_ => Store(arena, record)).ToList();
        Assert.True(arena.Pages >= 20_000 * 100 / EvidenceArena.PageSize, $"{arena.Pages} pages");

        foreach (int handle in handles)
            arena.Free(handle);

        Assert.Equal(0, arena.Records);
        Assert.Equal(1, arena.Pages); // the one kept so that the next record of the size needs no new page
    }

    [Fact]
    public void A_record_larger_than_every_size_has_a_page_of_its_own_until_it_is_freed()
    {
        var arena = new EvidenceArena();
        var large = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        int handle = Store(arena, large);
        Assert.Equal(1, arena.Pages);
        Assert.True(arena.Get(handle, large.Length).SequenceEqual(large));

        arena.Free(handle);
        Assert.Equal(0, arena.Pages);
    }

    [Fact]
    public void A_freed_slot_is_reused_before_the_arena_grows()
    {
        var arena = new EvidenceArena();
        var record = new byte[100];
        int first = Store(arena, record);
        Store(arena, record);
        arena.Free(first);
        Assert.Equal(first, Store(arena, record));
    }

    [Fact]
    public void Out_of_page_ids_a_record_is_refused_not_stored_and_ids_come_back_when_pages_go()
    {
        var arena = new EvidenceArena(maxPages: 2);
        int first = Store(arena, new byte[9000]);   // larger than every class: a page each
        Store(arena, new byte[9000]);

        Assert.False(arena.TryStore(new byte[9000], out _));
        Assert.False(arena.TryStore(new byte[100], out _)); // a slot page would need an id too
        Assert.Equal(2, arena.Records);

        arena.Free(first);
        Assert.True(arena.TryStore(new byte[100], out _));
    }
}
