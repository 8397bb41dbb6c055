using System.Text;
using BsmTrace.Policy.Pcre;

namespace BsmTrace.Tests.Policy;

/// <summary>The binding to the system's libpcre2-8.</summary>
public sealed class PcrePatternTests
{
    [Fact]
    public void The_library_is_found_on_this_host()
    {
        Assert.True(PcrePattern.IsLibraryAvailable, "libpcre2-8 should be present (Debian: libpcre2-8-0)");
    }

    [Theory]
    [InlineData("passwd", "/etc/master.passwd", true)]
    [InlineData("^/etc", "/usr/etc", false)]
    [InlineData(@"\.(sh|py)$", "/tmp/x.py", true)]
    [InlineData("(?i)TMP", "/tmp/x", true)]
    [InlineData(@"^/home/[^/]+/\.ssh/", "/home/alice/.ssh/authorized_keys", true)]
    [InlineData("a{3}", "/baaa", true)]
    public void Matches_unanchored_with_perl_semantics(string pattern, string path, bool expected)
    {
        using var p = PcrePattern.Compile(pattern);
        Assert.Equal(expected, p.Match(Encoding.UTF8.GetBytes(path), out _) == PcreOutcome.Match);
    }

    [Fact]
    public void Paths_that_are_not_utf8_are_matched_as_bytes()
    {
        using var p = PcrePattern.Compile("^/tmp/.x");
        Assert.Equal(PcreOutcome.Match, p.Match([(byte)'/', (byte)'t', (byte)'m', (byte)'p', (byte)'/', 0xff, (byte)'x'], out _));
    }

    [Fact]
    public void An_empty_subject_is_matched_not_refused()
    {
        using var p = PcrePattern.Compile("^$");
        Assert.Equal(PcreOutcome.Match, p.Match(default, out _));
    }

    [Fact]
    public void A_bad_pattern_reports_pcre2s_message_and_offset()
    {
        var e = Assert.Throws<PcreCompileException>(() => PcrePattern.Compile("a[b"));
        Assert.Equal("missing terminating ] for character class", e.Message);
        Assert.Equal(3, e.PatternOffset);
    }

    [Fact]
    public void Matching_from_many_threads_at_once_agrees()
    {
        using var p = PcrePattern.Compile("^/usr/(local/)?bin/");
        var results = new bool[64];
        Parallel.For(0, 64, i => results[i] = Enumerable.Range(0, 1000).All(j =>
            (p.Match(Encoding.UTF8.GetBytes(j % 2 == 0 ? "/usr/bin/x" : "/usr/sbin/x"), out _) == PcreOutcome.Match) == (j % 2 == 0)));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void A_pattern_that_reaches_its_step_limit_says_it_failed_not_that_it_did_not_match()
    {
        // Catastrophic backtracking: every split of the a-run is tried before the match fails.
        using var p = PcrePattern.Compile(@"(\w+\.?)+\.sh$");
        var crafted = Encoding.ASCII.GetBytes("/tmp/" + new string('a', 4000) + "!/evil.sh");

        var outcome = p.Match(crafted, out int error);

        Assert.Equal(PcreOutcome.Failed, outcome);
        Assert.Contains("limit", PcrePattern.Describe(error));
    }

    [Fact]
    public void The_limits_do_not_change_an_ordinary_answer()
    {
        using var p = PcrePattern.Compile(@"(\w+\.?)+\.sh$", new PcreLimits { MatchLimit = 1000, DepthLimit = 100 });
        Assert.Equal(PcreOutcome.Match, p.Match(Encoding.ASCII.GetBytes("/tmp/run.sh"), out _));
        Assert.Equal(PcreOutcome.NoMatch, p.Match(Encoding.ASCII.GetBytes("/tmp/run.py"), out _));
    }
}
