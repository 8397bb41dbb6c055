using System.Net;
using System.Text;
using BsmTrace.Bsm;
using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Policy.Triggers;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Policy;

/// <summary>Each construct of the language, loaded and compiled, and what it compiles to.</summary>
public sealed class PolicyConstructTests
{
    private static AuditRecord Record(ushort eventType = 23, uint auid = 1001, uint euid = 1001, uint egid = 20, uint ruid = 1001, uint rgid = 20,
        byte status = 0, string? path = null, string? zone = null, bool subject = true)
    {
        var b = new BsmRecordBuilder(eventType, Trails.Epoch);
        if (path is not null)
            b.Path(path);
        if (subject)
            b.Subject32(auid, euid, egid, ruid, rgid, 4242, 77, 0, IPAddress.Loopback);
        if (zone is not null)
            b.ZoneName(zone);
        b.Return32(status, 0);
        Assert.True(AuditRecord.TryParse(b.Build(), 0, out var record, out _));
        return record;
    }

    private static SequenceDefinition Only(CompiledPolicy policy) => Assert.Single(policy.Sequences);

    [Fact]
    public void Subject_sets_of_every_type_select_and_key_by_their_field()
    {
        var policy = Policies.Compile(
            "define set $a <auid> { root, 1001; };\ndefine set $e <euid> { 0; };\ndefine set $r <ruid> { 5; };\n" +
            "define set $g <egid> { 20; };\ndefine set $rg <rgid> { 30; };\n" +
            string.Concat(new[] { "a", "e", "r", "g", "rg" }.Select(n => $"sequence s{n} {{ subject ${n}; state {{ event any; status any; }}; }};\n")));

        var fields = policy.Sequences.Select(s => s.Subject.Field).ToArray();
        Assert.Equal([SubjectField.AuditUid, SubjectField.EffectiveUid, SubjectField.RealUid, SubjectField.EffectiveGid, SubjectField.RealGid], fields);
        Assert.Equal(new uint[] { 0, 1001 }, policy.Sequences[0].Subject.Ids.Order());
        var record = Record(auid: 1001, euid: 0, ruid: 5, egid: 20, rgid: 30);
        Assert.All(policy.Sequences, s => Assert.True(s.Subject.Matches(record)));
        Assert.Equal(30u, policy.Sequences[4].Subject.KeyOf(record.Subject));
    }

    [Fact]
    public void Subject_not_inverts_and_a_record_without_subject_matches_only_any()
    {
        var policy = Policies.Compile(
            "define set $admins <auid> { 0; };\n" +
            "sequence n { subject not $admins; state { event any; status any; }; };\n" +
            "sequence b { subject ! $admins; state { event any; status any; }; };\n" +
            "sequence a { subject any; state { event any; status any; }; };\n");
        var (notAdmins, bang, any) = (policy.Sequences[0].Subject, policy.Sequences[1].Subject, policy.Sequences[2].Subject);

        Assert.True(notAdmins.Matches(Record(auid: 1001)));
        Assert.False(notAdmins.Matches(Record(auid: 0)));
        Assert.True(bang.Negated);
        Assert.False(notAdmins.Matches(Record(subject: false)));
        Assert.True(any.Matches(Record(subject: false)));
    }

    [Fact]
    public void Numbers_stand_for_unknown_users_and_names_resolve_through_the_user_database()
    {
        var policy = Policies.Compile("sequence s { subject <auid> { root, 4000000000 }; state { event any; status any; }; };");
        Assert.Equal(new uint[] { 0, 4_000_000_000 }, Only(policy).Subject.Ids.Order());
    }

    [Fact]
    public void Event_sets_by_name_and_number_and_class_sets_by_mask()
    {
        var policy = Policies.Compile(
            "define set $ex <auditevent> { AUE_EXECVE, 7; };\ndefine set $fr <auditclass> { fr; };\n" +
            "sequence s { subject any; state { event $ex; status any; }; state { event $fr; status any; }; state { event not $ex; status any; }; };");
        var states = Only(policy).States;

        Assert.True(states[0].Event.Matches(23));
        Assert.True(states[0].Event.Matches(7));
        Assert.False(states[0].Event.Matches(72));
        Assert.True(states[1].Event.Matches(72)); // AUE_OPEN_R is in fr
        Assert.False(states[1].Event.Matches(23));
        Assert.False(states[2].Event.Matches(23));
        Assert.True(states[2].Event.Matches(72));
    }

    [Fact]
    public void Merged_subject_sets_hold_each_id_once_in_order()
    {
        var policy = Policies.Compile(
            "define set $x <auid> { 4000000000, 5, 1; };\ndefine set $y <auid> { set $x, 1, 3, 5; };\n" +
            "sequence s { subject $y; state { event any; status any; }; };");

        Assert.Equal(new uint[] { 1, 3, 5, 4_000_000_000 }, Only(policy).Subject.Ids);
        Assert.Contains("[1,3,5,4000000000]", Only(policy).Fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymous_sets_and_set_merging()
    {
        var policy = Policies.Compile(
            "define set $a <path> { /etc; };\ndefine set $b <path> { set $a, /usr/local/etc; };\n" +
            "sequence s { subject any; state { event <auditevent> { AUE_OPEN_R; }; status success; object $b; }; };");
        var state = Only(policy).States[0];

        Assert.True(state.Event.Matches(72));
        Assert.True(state.Object!.Matches(true, "/etc/passwd"u8));
        Assert.True(state.Object.Matches(true, "/usr/local/etc/rc.conf"u8));
        Assert.False(state.Object.Matches(true, "/usr/etc"u8));
    }

    [Fact]
    public void Status_rules()
    {
        var policy = Policies.Compile(Policies.WithState("event any; status failure;"));
        var status = Only(policy).States[0].Status;
        Assert.Equal(StatusRule.Failure, status);
        Assert.True(status.Matches(2));
        Assert.False(status.Matches(0));
        Assert.True(StatusRule.Any.Matches(0));
        Assert.True(StatusRule.Success.Matches(0));
    }

    [Fact]
    public void Object_not_never_matches_a_record_without_a_path()
    {
        var policy = Policies.Compile(Policies.WithState("event any; status any; object not $w;", "define set $w <path> { /usr/local/www; };"));
        var obj = Only(policy).States[0].Object!;

        Assert.True(obj.Matches(true, "/etc/rc.conf"u8));
        Assert.False(obj.Matches(true, "/usr/local/www/index.html"u8));
        Assert.False(obj.Matches(false, default));
    }

    [Fact]
    public void Pcre_objects_match_unanchored()
    {
        var policy = Policies.Compile(Policies.WithState("event any; status any; object $r;", "define set $r <pcre> { \"\\.(sh|pl)$\", \"^/tmp/\"; };"));
        var obj = Only(policy).States[0].Object!;

        Assert.True(obj.Matches(true, "/home/x/run.sh"u8));
        Assert.True(obj.Matches(true, "/tmp/a"u8));
        Assert.False(obj.Matches(true, "/home/x/run.shx"u8));
    }

    [Fact]
    public void Multiplier_expands_into_repeated_states()
    {
        var policy = Policies.Compile("sequence s { subject any; state { event any; status failure; multiplier 5; }; state { event any; status success; }; };");
        var states = Only(policy).States;

        Assert.Equal(6, states.Count);
        Assert.All(states.Take(5), s => Assert.Equal(StatusRule.Failure, s.Status));
        Assert.All(states.Take(5), s => Assert.Equal(0, s.WrittenIndex));
        Assert.Equal(1, states[5].WrittenIndex);
        Assert.Equal([0, 1], Only(policy).WrittenStates.Select(s => s.WrittenIndex));
    }

    [Theory]
    [InlineData("30 seconds", 30L)]
    [InlineData("15 minutes", 900L)]
    [InlineData("2 hours", 7200L)]
    [InlineData("1 days", 86400L)]
    [InlineData("1 weeks", 604800L)]
    [InlineData("none", null)]
    public void Timeouts_in_every_unit(string timeout, long? seconds)
    {
        var policy = Policies.Compile($"sequence s {{ subject any; timeout {timeout}; state {{ event any; status any; }}; }};");
        Assert.Equal(seconds, Only(policy).TimeoutSeconds);
    }

    [Fact]
    public void Sequence_options_compile()
    {
        var policy = Policies.Compile(
            "sequence s {\n subject any;\n timeout 1 hours;\n timeout-window 10 minutes;\n timeout-prob 50;\n priority 9;\n serial 1234;\n scope session;\n zone \"jail-*\";\n" +
            " state { event any; status any; };\n};");
        var s = Only(policy);

        Assert.Equal(3600, s.TimeoutSeconds);
        Assert.Equal(600, s.TimeoutWindowSeconds);
        Assert.Equal(50, s.TimeoutProbability);
        Assert.Equal(9, s.Priority);
        Assert.Equal(1234, s.Serial);
        Assert.Equal(SequenceScope.Session, s.Scope);
        Assert.Equal(ZoneRuleKind.Glob, s.Zone.Kind);
        Assert.True(s.Zone.Matches(true, "jail-web"u8));
        Assert.False(s.Zone.Matches(true, "web"u8));
        Assert.False(s.Zone.Matches(false, default));
        Assert.True(s.Zone.BindsZone);
    }

    [Theory]
    [InlineData("none", false, true)]
    [InlineData("any", true, false)]
    public void Zone_none_and_any(string zone, bool inJail, bool onHost)
    {
        var s = Only(Policies.Compile($"sequence s {{ subject any; zone {zone}; state {{ event any; status any; }}; }};"));
        Assert.Equal(inJail, s.Zone.Matches(true, "www"u8));
        Assert.Equal(onHost, s.Zone.Matches(false, default));
    }

    [Fact]
    public void Scopes_default_to_global()
    {
        foreach (var (word, scope) in new[] { ("global", SequenceScope.Global), ("process", SequenceScope.Process), ("thread", SequenceScope.Thread) })
            Assert.Equal(scope, Only(Policies.Compile($"sequence s {{ subject any; scope {word}; state {{ event any; status any; }}; }};")).Scope);
        Assert.Equal(SequenceScope.Global, Only(Policies.Compile(Policies.WithState("event any; status any;"))).Scope);
    }

    [Fact]
    public void Logfile_applies_to_the_sequences_after_it()
    {
        var policy = Policies.Compile(
            "sequence a { subject any; state { event any; status any; }; };\nlogfile \"web.log\";\n" +
            "sequence b { subject any; state { event any; status any; }; };\n");
        Assert.Null(policy.Sequences[0].LogFile);
        Assert.Equal("web.log", policy.Sequences[1].LogFile);
    }

    [Fact]
    public void Log_channels_of_every_type_and_a_logchannel_set()
    {
        var policy = Policies.Compile(
            "log-channel $err stderr { };\nlog-channel $sys syslog { priority \"local3.warning\"; };\nlog-channel $f file { path \"/var/log/x\"; };\n" +
            "log-channel $ev bsm { directory \"/var/audit/evidence\"; };\nlog-channel $j json { path \"-\"; };\n" +
            "define set $both <logchannel> { $f, j; };\n" +
            "sequence s { subject any; log $err, $sys, $both, $ev; state { event any; status any; }; };");
        var channels = Only(policy).LogChannels;

        Assert.Equal(["$err", "$sys", "$f", "$j", "$ev"], channels.Select(c => c.Name));
        Assert.Equal(("local3", "warning"), (channels[1].SyslogFacility, channels[1].SyslogLevel));
        Assert.Equal("/var/log/x", channels[2].Path);
        Assert.Equal(LogChannelKind.Json, channels[3].Kind);
        Assert.Equal("/var/audit/evidence", channels[4].Directory);
    }

    [Fact]
    public void Trigger_compiles_to_an_argv_template()
    {
        var policy = Policies.Compile(Policies.WithState("event any; status any; trigger \"/usr/bin/logger -t bsmtrace 'user: '$subject \\\"$object\\\"\";"));
        var trigger = Only(policy).States[0].Trigger!;

        var argv = trigger.Expand(v => System.Text.Encoding.UTF8.GetBytes(v switch
        {
            TriggerVariable.Subject => "alice",
            TriggerVariable.Object => "/tmp/a b; rm -rf /",
            _ => "x",
        })).Select(a => System.Text.Encoding.UTF8.GetString(a));
        Assert.Equal(["/usr/bin/logger", "-t", "bsmtrace", "user: alice", "/tmp/a b; rm -rf /"], argv);
        Assert.True(policy.HasTriggers);
    }

    [Fact]
    public void Include_is_relative_to_the_including_file_and_its_sets_are_visible_after()
    {
        using var dir = new TempDirectory();
        dir.Write("conf.d/sets.conf", "define set $admins <auid> { 0; };\n");
        dir.Write("main.conf", "include \"conf.d/sets.conf\";\nsequence s { subject not $admins; state { event any; status any; }; };\n");
        var result = PolicyLoader.Load(dir.Path("main.conf"), PolicyEnvironment.Builtin());

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal([dir.Path("main.conf"), Path.Combine(dir.Root, "conf.d/sets.conf")], result.Policy!.Files);
    }

    [Fact]
    public void A_set_is_not_visible_before_its_definition()
    {
        Assert.StartsWith("test.conf:1:22: error: unknown set $late",
            Policies.Errors("sequence s { subject $late; state { event any; status any; }; };\ndefine set $late <auid> { 0; };")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_items_and_comments()
    {
        var policy = Policies.Compile(
            "# a comment\ndefine set $p <path> { \"/srv/my files\", /etc; }; # trailing\n" + Policies.WithState("event any; status any; object $p;"));
        Assert.True(Only(policy).States[0].Object!.Matches(true, Encoding.UTF8.GetBytes("/srv/my files/a")));
    }

    [Fact]
    public void Fingerprint_changes_with_meaning_and_only_with_meaning()
    {
        string Print(string text) => Only(Policies.Compile(text)).Fingerprint;
        var a = Print("define set $u <auid> { 1; };\nsequence s { subject $u; timeout 1 hours; state { event any; status any; }; };");
        var sameMeaning = Print("define set $users <auid> { 1; };  # renamed set, new comment\nsequence s {\n subject $users;\n timeout 60 minutes;\n state { event any; status any; };\n};");
        var otherUsers = Print("define set $u <auid> { 2; };\nsequence s { subject $u; timeout 1 hours; state { event any; status any; }; };");

        Assert.Equal(a, sameMeaning);
        Assert.NotEqual(a, otherUsers);
    }
}
