using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Policy;

/// <summary>Each mistake a policy can hold, with the exact FILE:LINE:COLUMN and wording it is reported with.</summary>
public sealed class PolicyErrorTests
{
    [Fact]
    public void Wrong_type_in_a_set_reference()
    {
        Assert.Equal("test.conf:4:16: error: event needs an auditevent or auditclass set; set $p is a <path> set",
            Policies.Error(Policies.WithState("event $p; status any;", "define set $p <path> { /etc; };")));
    }

    [Fact]
    public void Wrong_type_when_merging_sets()
    {
        Assert.Equal("test.conf:2:32: error: set $a is a <auid> set and cannot be merged into a <path> set",
            Policies.Errors("define set $a <auid> { 0; };\ndefine set $b <path> { /x, set $a; };\nsequence s { subject $a; state { event any; status any; object $b; }; };")[0]);
    }

    [Fact]
    public void Unknown_set_suggests_the_nearest()
    {
        Assert.Equal("test.conf:4:16: error: unknown set $admin (did you mean '$admins'?)",
            Policies.Error(Policies.WithState("event $admin; status any;", "define set $admins <auditevent> { AUE_EXECVE; };")));
    }

    [Fact]
    public void Unknown_event_suggests_the_nearest()
    {
        Assert.Equal("test.conf:1:30: error: unknown audit event 'AUE_EXECVEE' (not in built-in audit_event) (did you mean 'AUE_EXECVE'?)",
            Policies.Error("define set $e <auditevent> { AUE_EXECVEE; };\n" + Policies.WithState("event $e; status any;")));
    }

    [Fact]
    public void Unknown_class_user_and_group()
    {
        var errors = Policies.Errors(
            "define set $c <auditclass> { fx; };\ndefine set $u <auid> { no-such-user-here; };\ndefine set $g <egid> { no-such-group-here; };\n");
        Assert.Equal(
        [
            "test.conf:1:30: error: unknown audit class 'fx' (not in built-in audit_class) (did you mean 'fr'?)",
            "test.conf:2:24: error: unknown user 'no-such-user-here': not in the user database and not a number",
            "test.conf:3:24: error: unknown group 'no-such-group-here': not in the group database and not a number",
        ], errors);
    }

    [Fact]
    public void Unterminated_string()
    {
        Assert.Equal("test.conf:2:24: error: unterminated string: no closing '\"' before the end of the file",
            Policies.Error("define set $a <path> { /x; };\ndefine set $b <path> { \"/never closed; };\n"));
    }

    [Fact]
    public void Missing_status()
    {
        Assert.Equal("test.conf:4:2: error: state 1 of sequence s has no status; add 'status success;', 'status failure;' or 'status any;'",
            Policies.Error(Policies.WithState("event any;")));
    }

    [Fact]
    public void Missing_event()
    {
        Assert.Equal("test.conf:4:2: error: state 1 of sequence s has no event; add 'event $SET;' or 'event any;'",
            Policies.Error(Policies.WithState("status any;")));
    }

    [Fact]
    public void Missing_subject()
    {
        Assert.Equal("test.conf:2:1: error: sequence nosubject has no subject; add 'subject any;' or 'subject $SET;'",
            Policies.Error("\nsequence nosubject {\n\tstate { event any; status any; };\n};\n"));
    }

    [Fact]
    public void Sequence_without_states()
    {
        Assert.Equal("test.conf:1:1: error: sequence empty has no states; a sequence needs at least one 'state { event …; status …; };'",
            Policies.Error("sequence empty { subject any; };"));
    }

    [Fact]
    public void Bad_unit_suggests_the_nearest()
    {
        Assert.Equal("test.conf:1:38: error: unknown time unit 'minuts' for timeout; expected seconds, minutes, hours, days or weeks (did you mean 'minutes'?)",
            Policies.Error("sequence s { subject any; timeout 15 minuts; state { event any; status any; }; };"));
    }

    [Fact]
    public void Include_cycle_is_reported_at_the_include_line()
    {
        using var dir = new TempDirectory();
        dir.Write("a.conf", "define set $a <auid> { 0; };\ninclude \"b.conf\";\n");
        dir.Write("b.conf", "\n\ninclude \"a.conf\";\n");
        var result = BsmTrace.Policy.Binding.PolicyLoader.Load(dir.Path("a.conf"), BsmTrace.Policy.PolicyEnvironment.Builtin());
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{dir.Path("b.conf")}:3:1: error: include cycle: a.conf includes b.conf includes a.conf", error.ToString());
    }

    [Fact]
    public void Missing_include_is_reported_at_the_include_line()
    {
        using var dir = new TempDirectory();
        dir.Write("main.conf", "\ninclude \"missing.conf\";\n");
        var result = BsmTrace.Policy.Binding.PolicyLoader.Load(dir.Path("main.conf"), BsmTrace.Policy.PolicyEnvironment.Builtin());
        Assert.Equal($"{dir.Path("main.conf")}:2:1: error: cannot read included file '{dir.Path("missing.conf")}': no such file", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Duplicate_set_and_sequence_names()
    {
        var errors = Policies.Errors(
            "define set $a <auid> { 0; };\ndefine set $a <auid> { 1; };\n" +
            "sequence s { subject $a; state { event any; status any; }; };\nsequence s { subject any; state { event any; status any; }; };\n");
        Assert.Equal(
        [
            "test.conf:2:1: error: set $a is already defined at test.conf:1:1",
            "test.conf:4:1: error: sequence s is already defined at test.conf:3:1",
        ], errors);
    }

    [Fact]
    public void Bad_regular_expression_gives_pcre2s_reason()
    {
        Assert.Equal("test.conf:1:24: error: bad regular expression '(unclosed': missing closing parenthesis at offset 9",
            Policies.Error("define set $r <pcre> { \"(unclosed\"; };"));
    }

    [Fact]
    public void Unknown_trigger_variable()
    {
        Assert.Equal("test.conf:4:41: error: unknown trigger variable '$user'; a trigger may use $subject, $esubject and $object",
            Policies.Error(Policies.WithState("event any; status any; trigger \"/bin/echo $user\";")));
    }

    [Theory]
    [InlineData("-5", "'-5'")]
    [InlineData("0", "'0'")]
    [InlineData("two", "'two'")]
    public void Multiplier_must_be_a_positive_whole_number(string value, string shown)
    {
        Assert.Equal($"test.conf:4:44: error: multiplier must be a whole number of at least 1, found {shown}",
            Policies.Error(Policies.WithState($"event any; status any; multiplier {value};")));
    }

    [Fact]
    public void Misspelt_keyword_is_named_with_a_suggestion()
    {
        Assert.Equal("test.conf:4:21: error: expected a state option (event, status, object, multiplier or trigger), found 'statsu' (did you mean 'status'?)",
            Policies.Error(Policies.WithState("event any; statsu any;")));
    }

    [Fact]
    public void Missing_semicolon_says_what_was_expected()
    {
        Assert.Equal("test.conf:2:1: error: expected ';' after the set's '}', found 'sequence'",
            Policies.Errors("define set $a <auid> { 0; }\nsequence s { subject $a; state { event any; status any; }; };")[0]);
    }

    [Fact]
    public void Every_error_in_a_file_is_reported_not_only_the_first()
    {
        var errors = Policies.Errors(
            "define set $a <auid> { nobody-here; };\n" +
            "sequence s {\n\tsubject $b;\n\ttimeout 3 eons;\n\tstate { event any; status maybe; };\n};\n");
        Assert.Equal(4, errors.Length);
        Assert.Equal(["test.conf:1", "test.conf:3", "test.conf:4", "test.conf:5"], errors.Select(e => string.Join(':', e.Split(':')[..2])));
    }

    [Fact]
    public void Errors_stop_at_the_limit_with_a_note()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"define set $s{i} <auid> {{ no-user-{i}; }};\n"));
        var errors = Policies.Errors(text);
        Assert.Equal(51, errors.Length);
        Assert.EndsWith("too many errors (50); stopped looking", errors[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Other_option_errors()
    {
        var errors = Policies.Errors(
            "sequence s {\n\tsubject not any;\n\tscope galaxy;\n\ttimeout-prob 0;\n\tlog $nowhere;\n\tstate { event not any; status any; object any; };\n};\n");
        Assert.Equal(
        [
            "test.conf:2:10: error: 'subject not any' matches no record; write 'subject any;' or name a set",
            "test.conf:3:8: error: unknown scope 'galaxy'; expected global, process, session or thread",
            "test.conf:4:15: error: timeout-prob must be a percentage from 1 to 100, found 0",
            "test.conf:5:6: error: unknown log channel $nowhere",
            "test.conf:6:16: error: 'event not any' matches no record",
            "test.conf:6:44: error: object needs a path or pcre set; leave the object out to match any record",
        ], errors);
    }

    [Fact]
    public void Log_channel_errors()
    {
        var errors = Policies.Errors(
            "log-channel $a syslg { };\nlog-channel $b syslog { priority \"auth.loud\"; };\nlog-channel $c file { };\nlog-channel $d bsm { path \"/x\"; };\n");
        Assert.Equal(
        [
            "test.conf:1:16: error: unknown log channel type 'syslg'; expected stderr, syslog, file, bsm or json (did you mean 'syslog'?)",
            "test.conf:2:25: error: syslog priority 'auth.loud' must be FACILITY.LEVEL, such as auth.notice or local3.warning",
            "test.conf:3:1: error: log channel $c needs a path (path \"FILE\")",
            "test.conf:4:1: error: log channel $d needs a directory (directory \"DIR\")",
            "test.conf:4:22: error: unknown option 'path' for log channel $d: a bsm channel takes directory",
        ], errors);
    }

    [Fact]
    public void Logfile_must_stay_inside_the_log_directory()
    {
        Assert.Equal("test.conf:1:1: error: logfile '../../etc/passwd' must be a relative file name inside the log directory, without '..'",
            Policies.Error("logfile \"../../etc/passwd\";"));
    }

    [Fact]
    public void Relative_path_item_is_refused()
    {
        Assert.Equal("test.conf:1:24: error: path 'etc/passwd' is not absolute: path items start with '/'",
            Policies.Error("define set $p <path> { etc/passwd; };"));
    }
}
