using System.Text;
using BsmTrace.Policy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Policy;

public sealed class PathPrefixSetTests
{
    private static bool Match(string item, string path) => new PathPrefixSet([item]).Matches(Encoding.UTF8.GetBytes(path));

    [Theory]
    [InlineData("/usr/bin", "/usr/bin", true)]
    [InlineData("/usr/bin", "/usr/bin/id", true)]
    [InlineData("/usr/bin", "/usr/binx/tool", false)]
    [InlineData("/usr/bin", "/usr/bi", false)]
    [InlineData("/usr/bin", "/usr", false)]
    [InlineData("/tmp/", "/tmp/x", true)]
    [InlineData("/tmp/ab", "/tmp/abc", false)]
    [InlineData("/", "/anything", true)]
    public void Paths_match_by_component_unless_the_item_ends_in_a_slash(string item, string path, bool expected) =>
        Assert.Equal(expected, Match(item, path));

    [Fact]
    public void A_raw_prefix_is_written_with_a_trailing_slash()
    {
        Assert.True(Match("/home/", "/home/alice"));
        Assert.False(Match("/home/", "/home"));
    }

    [Property(MaxTest = 500)]
    public Property Matches_exactly_when_the_path_is_an_item_or_below_one() =>
        Prop.ForAll(
            Gen.Elements("/a", "/a/b", "/ab", "/b", "/a/bc").ArrayOf().Select(a => a.Distinct().ToArray()).ToArbitrary(),
            Gen.Elements("/a", "/a/b", "/ab", "/abc", "/a/b/c", "/b", "/bx", "/a/bc/d", "/").ToArbitrary(),
            (items, path) =>
            {
                bool expected = items.Any(i => path == i || path.StartsWith(i + "/", StringComparison.Ordinal));
                return new PathPrefixSet(items).Matches(Encoding.UTF8.GetBytes(path)) == expected;
            });

    [Property(MaxTest = 1000)]
    public Property A_large_set_looked_up_answers_as_the_scan_does() =>
        Prop.ForAll(
            Gen.Elements("/a", "/a/b", "/ab", "/b", "/a/bc", "/a/", "/a/b/", "/", "/ab/", "/a//", "/a/b/c", "/x/y/z", "/x/").ArrayOf().Select(a => a.Distinct().ToArray()).ToArbitrary(),
            Gen.Elements("/a", "/a/b", "/ab", "/abc", "/a/b/c", "/b", "/bx", "/a/bc/d", "/", "/a/", "/a//b", "//a", "/x/y/z/w", "/x", "").ToArbitrary(),
            (items, path) =>
            {
                var bytes = Encoding.UTF8.GetBytes(path);
                return new PathPrefixSet(items, scanLimit: 0).Matches(bytes) == new PathPrefixSet(items, scanLimit: int.MaxValue).Matches(bytes);
            });

    [Fact]
    public void A_set_of_a_hundred_thousand_paths_keeps_the_component_and_raw_prefix_rules()
    {
        var items = Enumerable.Range(0, 100_000).Select(i => $"/srv/www/site{i}").Append("/var/tmp/").ToArray();
        var set = new PathPrefixSet(items);

        Assert.True(set.Matches("/srv/www/site99999"u8));
        Assert.True(set.Matches("/srv/www/site42/index.html"u8));
        Assert.False(set.Matches("/srv/www/site42x"u8));
        Assert.False(set.Matches("/srv/www"u8));
        Assert.True(set.Matches("/var/tmp/x"u8));
        Assert.False(set.Matches("/var/tmp"u8));
    }
}
