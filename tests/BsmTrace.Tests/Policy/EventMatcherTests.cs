using System.Globalization;
using BsmTrace.Policy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Policy;

public sealed class EventMatcherTests
{
    [Fact]
    public void Canonical_writes_runs_as_ranges_and_lone_events_alone()
    {
        var matcher = EventMatcher.From([6, 7, 8, 9, 32, 112, 65535], negated: false, "test");
        Assert.Equal("6-9,32,112,65535", matcher.Canonical);
    }

    [Fact]
    public void Canonical_of_a_negated_set_covers_everything_else()
    {
        var matcher = EventMatcher.From([0, 100, 65535], negated: true, "test");
        Assert.Equal("1-99,101-65534", matcher.Canonical);
    }

    [Property(MaxTest = 300)]
    public Property Canonical_lists_exactly_the_events_that_match() =>
        Prop.ForAll(
            // Runs of random length at random places, so that whole-word gaps and runs (the fast paths) are common.
            Gen.Choose(0, 65535).Zip(Gen.Choose(0, 300)).ArrayOf().ToArbitrary(),
            Gen.Elements(true, false).ToArbitrary(),
            (runs, negated) =>
            {
                var events = runs.SelectMany(r => Enumerable.Range(r.Item1, Math.Min(r.Item2, 65535 - r.Item1) + 1)).Select(e => (ushort)e).ToArray();
                var matcher = EventMatcher.From(events, negated, "test");
                var listed = new List<int>();
                foreach (var part in matcher.Canonical.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var ends = part.Split('-');
                    int first = int.Parse(ends[0], CultureInfo.InvariantCulture);
                    int last = ends.Length == 2 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : first;
                    listed.AddRange(Enumerable.Range(first, last - first + 1));
                }

                var expected = Enumerable.Range(0, 65536).Where(e => matcher.Matches((ushort)e));
                return listed.SequenceEqual(expected);
            });

    [Property(MaxTest = 200)]
    public Property A_matcher_takes_exactly_its_events_from_a_list_or_a_bitmap_and_all_others_when_negated() =>
        Prop.ForAll(
            Gen.Choose(0, 65535).Select(e => (ushort)e).ArrayOf().ToArbitrary(),
            Gen.Elements(true, false).ToArbitrary(),
            (events, negated) =>
            {
                var bits = new ulong[EventMatcher.BitmapWords];
                foreach (ushort e in events)
                    bits[e >> 6] |= 1UL << (e & 63);
                var fromList = EventMatcher.From(events, negated, "test");
                var fromBits = EventMatcher.FromBitmap(bits, negated, "test");
                var set = events.ToHashSet();
                return Enumerable.Range(0, 65536).All(e =>
                    fromList.Matches((ushort)e) == (set.Contains((ushort)e) != negated) &&
                    fromBits.Matches((ushort)e) == fromList.Matches((ushort)e))
                    && fromBits.Count == (negated ? 65536 - set.Count : set.Count);
            });

    [Fact]
    public void An_empty_bitmap_takes_no_event_and_all_of_them_negated()
    {
        Assert.Equal(0, EventMatcher.FromBitmap([], negated: false, "none").Count);
        Assert.Equal(65536, EventMatcher.FromBitmap([], negated: true, "all").Count);
        Assert.True(EventMatcher.Any.IsAny);
        Assert.Equal(65536, EventMatcher.Any.Count);
        Assert.Throws<ArgumentException>(() => EventMatcher.FromBitmap(new ulong[3], negated: false, "short"));
    }
}
