using System.Text;
using BsmTrace.Policy;
using BsmTrace.Policy.Pcre;
using BsmTrace.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Policy;

/// <summary>A pcre set's patterns matched as one (<see cref="CombinedPattern"/>): the same answers as one by one.</summary>
public sealed class CombinedPatternTests
{
    // Items that combine: anchors, options, lookaround, alternation, classes, repetition.
    private static readonly string[] Combinable =
    [
        @"^/(var/)?tmp/.*\.(sh|pl|py)$", "(?i)TMP", @"^/etc/(passwd|shadow)", @"(?<=/)\.ssh/", @"/bin/(?!ls$)\w+$",
        @"^/opt/app\d+/bin/.*\.(sh|pl)$", "passwd", @"(?s)^/home/[^/]+/\.", @"(?m)^/x$", @"(?>a+)b", "^$", @"\.{2}/", "(?-i:Tmp)",
    ];

    private static readonly string[] Paths =
    [
        "/tmp/a.sh", "/var/tmp/b.py", "/usr/tmp/c.pl", "/TMP/x", "/etc/passwd", "/etc/master.passwd", "/home/alice/.ssh/keys",
        "/usr/bin/ls", "/usr/bin/id", "/opt/app7/bin/run.sh", "/opt/app/bin/run.sh", "/x", "/x\n", "/aaab", "", "/a/../b", "/Tmp/y",
        "/ETC/PASSWD", "/usr/bin/ID", "/y\n/x", // an option that escaped its item's group would change these
    ];

    // Each item compiled once for the whole class (native memory, which a test per case would leak).
    private static readonly Dictionary<string, PcrePattern> Compiled = Combinable.ToDictionary(p => p, p => PcrePattern.Compile(p), StringComparer.Ordinal);

    private static PcrePattern Item(string pattern) =>
        Compiled.TryGetValue(pattern, out var compiled) ? compiled : PcrePattern.Compile(pattern);

    [Property(MaxTest = 1000)]
    public Property Combined_items_answer_as_the_items_do_one_by_one() =>
        Prop.ForAll(
            Gen.Elements(Combinable).ArrayOf().Select(a => a.Distinct().ToArray()).Where(a => a.Length >= CombinedPattern.MinimumItems).ToArbitrary(),
            Gen.Elements(Paths).ToArbitrary(),
            ArbMap.Default.ArbFor<bool>(),
            (items, path, negated) =>
            {
                var bytes = Encoding.UTF8.GetBytes(path);
                var patterns = items.Select(Item).ToArray();
                using var joined = PcrePattern.Compile(CombinedPattern.TryJoin(items)!);
                var combined = new ObjectMatcher(null, patterns, negated, "$set", joined);
                var oneByOne = new ObjectMatcher(null, patterns, negated, "$set");
                return combined.Matches(true, bytes) == oneByOne.Matches(true, bytes);
            });

    [Theory]
    [InlineData(@"(a)\1")]            // a back reference: group numbers shift when joined
    [InlineData(@"(?<n>a)")]          // two items may name a group alike
    [InlineData("(?'n'a)")]
    [InlineData("(?P<n>a)")]
    [InlineData("(*COMMIT)a")]        // a verb in one item stops the others being tried
    [InlineData("(*UTF)a")]           // start-of-pattern options
    [InlineData(@"\Qa")]              // quotes to the end of the whole pattern
    [InlineData("(?x)a # comment")]   // a comment runs to the end of the whole pattern
    [InlineData("(a)(?1)")]           // subroutine call
    [InlineData("(?R)?a")]            // recursion into the whole pattern
    [InlineData("(a)?(?(1)b|c)")]     // a condition on a group number
    [InlineData(@"a\Kb")]
    [InlineData(@"\Ga")]
    [InlineData("(?|(a)|(b))")]       // branch reset
    [InlineData("(?C1)a")]            // callout
    [InlineData(@"\g1")]
    [InlineData(@"\k<n>")]
    [InlineData(@"\cA")]
    public void Items_that_joining_could_change_are_not_combined(string item)
    {
        Assert.False(CombinedPattern.CanCombine(item));
        Assert.Null(CombinedPattern.TryJoin(["passwd", item]));
    }

    [Fact]
    public void A_set_of_fifty_patterns_is_bound_as_one_and_one_that_cannot_be_is_matched_item_by_item()
    {
        string Policy(string extra) =>
            $"define set $tmp <pcre> {{ {string.Join(' ', Enumerable.Range(0, 50).Select(i => $"\"^/opt/app{i}/bin/.*\\\\.(sh|pl)$\";"))} {extra} }};\n" +
            "sequence s { subject any; state { event any; status any; object $tmp; }; };";
        using var combined = Policies.Compile(Policy(""));
        using var single = Policies.Compile(Policy(@"""(x)\\1"";"));

        var matcher = combined.Sequences[0].States[0].Object!;
        Assert.True(matcher.IsCombined);
        Assert.True(matcher.Matches(true, "/opt/app49/bin/a.sh"u8));
        Assert.False(matcher.Matches(true, "/opt/app50/bin/a.sh"u8));
        var items = single.Sequences[0].States[0].Object!;
        Assert.False(items.IsCombined);
        Assert.True(items.Matches(true, "/opt/app49/bin/a.sh"u8));
        Assert.True(items.Matches(true, "/xx"u8));
    }

    [Theory]
    [InlineData(false, true)]  // another item finds it: a match, and nothing failed
    [InlineData(true, false)]  // no other item finds it: the one that could not say is named, and the rule holds (fails closed)
    public void When_the_combined_pattern_reaches_a_limit_the_items_say_which_one_could_not(bool otherMisses, bool expectNoFailure)
    {
        // Catastrophic backtracking in the first item; the second finds "evil.sh" or not.
        string[] items = [@"(\w+\.?)+\.sh$", otherMisses ? "nothing-here" : @"evil\.sh"];
        using var first = PcrePattern.Compile(items[0]);
        using var second = PcrePattern.Compile(items[1]);
        using var joined = PcrePattern.Compile(CombinedPattern.TryJoin(items)!);
        var matcher = new ObjectMatcher(null, [first, second], negated: false, "$set", joined);
        var crafted = Encoding.ASCII.GetBytes("/tmp/" + new string('a', 4000) + "!/evil.sh!");

        bool matched = matcher.Matches(true, crafted, out var failed, out int error);

        Assert.True(matcher.IsCombined);
        Assert.True(matched);
        Assert.Equal(expectNoFailure, failed is null);
        if (!expectNoFailure)
        {
            Assert.Equal(items[0], failed!.Pattern);
            Assert.Contains("limit", PcrePattern.Describe(error));
        }
    }
}
