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
}
