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
    public void World_writable_policy_with_triggers_is_a_warning_for_check_and_refused_by_the_service()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("p.conf", Policies.WithState("event any; status any; trigger \"/bin/true\";"));
        File.SetUnixFileMode(path, (UnixFileMode)0x1b6); // 0666

        var checkResult = PolicyLoader.Load(path, PolicyEnvironment.Builtin());
        Assert.True(checkResult.Succeeded);
        Assert.Equal($"{path}: warning: {path} is writable by every user, and this policy runs trigger commands as bsmtrace's user", Assert.Single(checkResult.Warnings).ToString());

        var serviceResult = PolicyLoader.Load(path, PolicyEnvironment.Builtin() with { RefuseWritableFilesWithTriggers = true });
        Assert.False(serviceResult.Succeeded);
        Assert.StartsWith($"{path}: error: {path} is writable by every user", Assert.Single(serviceResult.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Group_writable_policy_with_triggers_is_refused_by_the_service()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("p.conf", Policies.WithState("event any; status any; trigger \"/bin/true\";"));
        File.SetUnixFileMode(path, (UnixFileMode)0x1b0); // 0660

        var result = PolicyLoader.Load(path, PolicyEnvironment.Builtin() with { RefuseWritableFilesWithTriggers = true });
        Assert.False(result.Succeeded);
        Assert.StartsWith($"{path}: error: {path} is writable by its group", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Trigger_policy_owned_by_another_user_is_refused_by_the_service()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("p.conf", Policies.WithState("event any; status any; trigger \"/bin/true\";"));
        File.SetUnixFileMode(path, (UnixFileMode)0x1a4); // 0644: only its owner may write it
        Assert.Equal(BsmTrace.Unix.FileKind.EffectiveUserId, BsmTrace.Unix.FileKind.Owner(path));
        Assert.True(PolicyLoader.Load(path, PolicyEnvironment.Builtin() with { RefuseWritableFilesWithTriggers = true }).Succeeded);

        // Given to another user (the tests run as root, who may do that), the file is that user's to rewrite.
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534", path]))
            chown.WaitForExit();
        Assert.Equal(65534u, BsmTrace.Unix.FileKind.Owner(path));
        var result = PolicyLoader.Load(path, PolicyEnvironment.Builtin() with { RefuseWritableFilesWithTriggers = true });
        Assert.False(result.Succeeded);
        Assert.StartsWith($"{path}: error: {path} belongs to user 65534, neither root nor the user bsmtrace runs as", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void World_writable_policy_without_triggers_is_fine()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("p.conf", Policies.WithState("event any; status any;"));
        File.SetUnixFileMode(path, (UnixFileMode)0x1b6);
        Assert.Empty(PolicyLoader.Load(path, PolicyEnvironment.Builtin()).Warnings);
    }
}
