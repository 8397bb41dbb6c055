using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Policy;

/// <summary>What <c>bsmtrace check</c> adds: findings about a policy that loads.</summary>
public sealed class PolicyCheckWarningTests
{
    private static string[] Warnings(string text)
    {
        var result = Policies.Load(text);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Warnings.Select(w => w.ToString()).ToArray();
    }

    [Fact]
    public void A_clean_policy_has_no_warnings()
    {
        Assert.Empty(Warnings("define set $u <auid> { 0; };\nsequence s { subject $u; state { event any; status any; }; };"));
    }

    [Fact]
    public void Unused_set()
    {
        Assert.Equal(["test.conf:1:1: warning: set $spare is never used"], Warnings("define set $spare <auid> { 0; };\n" + Policies.WithState("event any; status any;")));
    }

    [Fact]
    public void Empty_event_set_can_never_match()
    {
        Assert.Equal(["test.conf:4:2: warning: state 1 of sequence s can never match: its event rule (<auditevent> {  }) takes no event in the event table"],
            Warnings(Policies.WithState("event <auditevent> { }; status any;")));
    }

    [Fact]
    public void Status_contradiction_can_never_match()
    {
        Assert.Equal(["test.conf:4:2: warning: state 1 of sequence s can never match: it asks for status success and status failure"],
            Warnings(Policies.WithState("event any; status success; status failure;")));
    }

    [Fact]
    public void Empty_object_set_can_never_match()
    {
        Assert.Single(Warnings(Policies.WithState("event any; status any; object <path> { };")), w => w.Contains("its object set", StringComparison.Ordinal));
    }

    [Fact]
    public void Sequence_that_starts_like_an_earlier_one()
    {
        var warnings = Warnings(
            "sequence a { subject any; state { event any; status failure; }; };\n" +
            "sequence b { subject any; state { event any; status failure; }; state { event any; status success; }; };\n" +
            "sequence c { subject any; state { event any; status success; }; };\n");
        Assert.Equal(["test.conf:2:1: warning: sequence b has the same subject and first state as sequence a (test.conf:1:1); the same records start both"], warnings);
    }

    [Fact]
    public void Timeout_window_without_timeout()
    {
        Assert.Equal(["test.conf:1:1: warning: sequence s has a timeout-window but no timeout; the window has no effect"],
            Warnings("sequence s { subject any; timeout-window 1 hours; state { event any; status any; }; };"));
    }

    [Fact]
    public void World_writable_policy_without_triggers_loads_but_is_warned_about()
    {
        // It makes root neither run nor write anything, but whoever can rewrite it can blind bsmtrace.
        using var dir = new TempDirectory();
        var path = dir.Write("p.conf", Policies.WithState("event any; status any;"));
        File.SetUnixFileMode(path, (UnixFileMode)0x1b6);
        var result = PolicyLoader.Load(path, PolicyEnvironment.Builtin());
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal($"{path}: warning: {path} is writable by every user; whoever can change it can change what bsmtrace watches for", warning.ToString());
    }

    [Theory]
    [InlineData(@"(\\w+\\.?)+\\.sh$", 0)]
    [InlineData(@"^/x/(a*)*b", 4)]
    [InlineData(@"^/x((ab)+c){2,}", 3)]
    public void A_pattern_that_repeats_a_repeating_group_is_warned_about(string pattern, int offset)
    {
        var warning = Assert.Single(Warnings(Policies.WithState($"event any; status any; object <pcre> {{ \"{pattern}\"; }};")));
        Assert.Contains($"repeats a group that itself repeats (at offset {offset})", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"\\.(sh|pl)$")]
    [InlineData(@"^/home/[^/]+/\\.ssh/")]
    [InlineData(@"(\\w++\\.?)+\\.sh$")]
    [InlineData(@"(?>\\w+\\.?)+\\.sh$")]
    [InlineData(@"([a+]x)+")]
    [InlineData(@"(\\+x)+")]
    [InlineData(@"(ab?){0,1}c+")]
    public void A_pattern_without_nested_repetition_is_not_warned_about(string pattern)
    {
        Assert.Empty(Warnings(Policies.WithState($"event any; status any; object <pcre> {{ \"{pattern}\"; }};")));
    }
}
