using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Policy;

/// <summary>
/// A policy that makes bsmtrace run or write anything is refused when someone other than root
/// and bsmtrace's user could have changed it: the file (judged on the descriptor it is read
/// from), every directory above it, every file it includes, and every trigger's program.
/// </summary>
public sealed class PolicyTrustTests : IDisposable
{
    private const UnixFileMode Mode0644 = (UnixFileMode)0x1a4;
    private const UnixFileMode Mode0666 = (UnixFileMode)0x1b6;
    private const UnixFileMode Mode0660 = (UnixFileMode)0x1b0;
    private const UnixFileMode Mode0755 = (UnixFileMode)0x1ed;
    private const UnixFileMode Mode0775 = (UnixFileMode)0x1fd;
    private const UnixFileMode Mode1777 = (UnixFileMode)0x3ff;

    private static readonly string WithTrigger = Policies.WithState("event any; status any; trigger \"/bin/true\";");

    private readonly TempDirectory _dir = new();

    public PolicyTrustTests() => File.SetUnixFileMode(_dir.Root, Mode0755);

    public void Dispose() => _dir.Dispose();

    private static PolicyLoadResult Load(string path, string? searchPath = "/usr/bin:/bin") =>
        PolicyLoader.Load(path, PolicyEnvironment.Builtin() with { SearchPath = searchPath });

    private static string OnlyError(PolicyLoadResult result)
    {
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors).ToString();
    }

    [Fact]
    public void A_trigger_policy_every_user_can_write_is_refused()
    {
        var path = _dir.Write("p.conf", WithTrigger);
        File.SetUnixFileMode(path, Mode0666);
        Assert.Equal($"{path}: error: {path} is writable by every user, and this policy runs trigger commands as bsmtrace's user; only root and that user may be able to change it",
            OnlyError(Load(path)));
    }

    [Fact]
    public void A_trigger_policy_its_group_can_write_is_refused()
    {
        var path = _dir.Write("p.conf", WithTrigger);
        File.SetUnixFileMode(path, Mode0660);
        Assert.StartsWith($"{path}: error: {path} is writable by its group", OnlyError(Load(path)), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_trigger_policy_owned_by_another_user_is_refused()
    {
        OtherUser.RequireRoot();
        var path = _dir.Write("p.conf", WithTrigger);
        Assert.True(Load(path).Succeeded);
        OtherUser.Give(path);
        Assert.StartsWith($"{path}: error: {path} belongs to user {OtherUser.Id}, neither root nor the user bsmtrace runs as", OnlyError(Load(path)), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_directory_above_the_policy_owned_by_another_user_is_refused()
    {
        // The attack: the file is root's and read-only, but its directory is someone else's, who
        // can swap it for a link to their own policy between the check and a reload's read.
        OtherUser.RequireRoot();
        var theirs = Directory.CreateDirectory(_dir.Path("theirs")).FullName;
        var path = _dir.Write("theirs/p.conf", WithTrigger);
        Assert.True(Load(path).Succeeded);
        OtherUser.Give(theirs);
        Assert.StartsWith($"{path}: error: {theirs}, above {path}, belongs to user {OtherUser.Id}, who could replace what is in it",
            OnlyError(Load(path)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_above_the_policy_its_group_can_write_is_refused()
    {
        var shared = Directory.CreateDirectory(_dir.Path("shared")).FullName;
        var path = _dir.Write("shared/p.conf", WithTrigger);
        File.SetUnixFileMode(shared, Mode0775);
        Assert.StartsWith($"{path}: error: {shared}, above {path}, is writable by its group without the sticky bit", OnlyError(Load(path)), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_sticky_directory_of_roots_that_everyone_can_write_is_allowed()
    {
        // /tmp's case: others may add names there but not replace root's.
        OtherUser.RequireRoot();
        var sticky = Directory.CreateDirectory(_dir.Path("sticky")).FullName;
        File.SetUnixFileMode(sticky, Mode1777);
        var path = _dir.Write("sticky/p.conf", WithTrigger);
        Assert.True(Load(path).Succeeded, string.Join("\n", Load(path).Errors));
    }

    [Fact]
    public void A_link_to_a_policy_in_a_directory_others_can_write_is_refused()
    {
        var shared = Directory.CreateDirectory(_dir.Path("shared")).FullName;
        var real = _dir.Write("shared/p.conf", WithTrigger);
        File.SetUnixFileMode(shared, Mode0775);
        var link = _dir.Path("p.conf");
        File.CreateSymbolicLink(link, real);
        Assert.Contains($"{shared}, above {link}, is writable by its group", OnlyError(Load(link)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_included_file_others_can_write_is_refused()
    {
        var included = _dir.Write("rules.conf", WithTrigger);
        File.SetUnixFileMode(included, Mode0666);
        var path = _dir.Write("p.conf", "include \"rules.conf\";\n");
        Assert.StartsWith($"{included}: error: {included} is writable by every user", OnlyError(Load(path)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file", "path \"/tmp/alerts.log\";", "writes files")]
    [InlineData("json", "path \"/tmp/alerts.json\";", "writes files")]
    [InlineData("bsm", "directory \"/tmp/evidence\";", "writes files")]
    public void A_policy_with_a_channel_that_writes_files_is_refused_when_others_can_write_it(string kind, string body, string acts)
    {
        var path = _dir.Write("p.conf", $"log-channel $c {kind} {{ {body} }};\nsequence s {{ subject any; log $c; state {{ event any; status any; }}; }};\n");
        File.SetUnixFileMode(path, Mode0666);
        Assert.Contains($"this policy {acts} as bsmtrace's user", OnlyError(Load(path)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_that_only_logs_to_stdout_and_syslog_may_be_writable_by_others()
    {
        var path = _dir.Write("p.conf", "log-channel $j json { path \"-\"; };\nlog-channel $s syslog { priority \"auth.notice\"; };\n" +
            "sequence a { subject any; log $j; state { event any; status any; }; };\nsequence b { subject any; log $s; state { event any; status success; }; };\n");
        File.SetUnixFileMode(path, Mode0666);
        Assert.True(Load(path).Succeeded, string.Join("\n", Load(path).Errors));
    }

    [Fact]
    public void A_trigger_program_others_can_write_is_refused()
    {
        var program = _dir.Write("alert.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(program, Mode0666 | UnixFileMode.UserExecute);
        var path = _dir.Write("p.conf", Policies.WithState($"event any; status any; trigger \"{program} $object\";"));
        Assert.Equal($"{path}:4:41: error: trigger program: {program} is writable by every user; only root and bsmtrace's user may be able to change a program that bsmtrace runs",
            OnlyError(Load(path)));
    }

    [SkippableFact]
    public void A_trigger_program_in_a_directory_of_another_users_is_refused()
    {
        OtherUser.RequireRoot();
        var bin = Directory.CreateDirectory(_dir.Path("bin")).FullName;
        var program = _dir.Write("bin/alert", "#!/bin/sh\n");
        File.SetUnixFileMode(program, Mode0755);
        var path = _dir.Write("p.conf", Policies.WithState("event any; status any; trigger \"alert\";"));
        Assert.True(Load(path, searchPath: bin).Succeeded);
        OtherUser.Give(bin);
        Assert.Contains($"trigger program: {bin}, above {program}, belongs to user {OtherUser.Id}", OnlyError(Load(path, searchPath: bin)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_trigger_program_is_found_in_absolute_directories_of_the_search_path_only()
    {
        // "" and "." in PATH mean wherever bsmtrace was started: never where a program is looked for.
        var path = _dir.Write("p.conf", Policies.WithState("event any; status any; trigger \"true\";"));
        var result = Load(path, searchPath: ":.:bin:/bin:/usr/bin");
        Assert.True(result.Succeeded);
        var trigger = result.Policy!.Sequences[0].States[0].Trigger!;
        Assert.Contains(trigger.ProgramPath, new[] { "/bin/true", "/usr/bin/true" });
    }

    [Fact]
    public void A_trigger_program_that_is_not_found_is_a_warning()
    {
        var path = _dir.Write("p.conf", Policies.WithState("event any; status any; trigger \"no-such-program-here\";"));
        var result = Load(path, searchPath: "/bin");
        Assert.True(result.Succeeded);
        Assert.Equal($"{path}:4:41: warning: trigger program 'no-such-program-here' is not in any directory of PATH; the trigger will fail until it is",
            Assert.Single(result.Warnings).ToString());
    }
}
