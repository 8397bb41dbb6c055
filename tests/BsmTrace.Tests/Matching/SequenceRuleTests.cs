using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Matching;

/// <summary>Each rule of the spec's matching section, pinned with small trails made by the writer.</summary>
public sealed class SequenceRuleTests
{
    private const long T = Trails.Epoch;

    private const string BruteForce = """
        define set $auth <auditevent> { AUE_openssh; };
        sequence brute {
            subject any;
            timeout 100 seconds;
            state { event $auth; status failure; multiplier 3; };
            state { event $auth; status success; };
        };
        """;

    private const string ExecThenOpenForever = """
        sequence pair {
            subject any;
            state { event <auditevent> { AUE_EXECVE; }; status any; };
            state { event <auditevent> { AUE_OPEN_R; }; status any; };
        };
        """;

    private const string ExecThenOpen = """
        sequence pair {
            subject any;
            timeout 10 seconds;
            state { event <auditevent> { AUE_EXECVE; }; status any; };
            state { event <auditevent> { AUE_OPEN_R; }; status any; };
        };
        """;

    [Fact]
    public void Multiplier_requires_n_consecutive_state_matches()
    {
        var twoFailures = new Engine(BruteForce).Feed(Login(T, 1, false), Login(T + 1, 1, false), Login(T + 2, 1, true));
        Assert.Empty(twoFailures.Alerts);

        var threeFailures = new Engine(BruteForce).Feed(Login(T, 1, false), Login(T + 1, 1, false), Login(T + 2, 1, false), Login(T + 3, 1, true));
        Assert.Equal(["brute 1 3"], threeFailures.Summary);
        Assert.Equal(4, threeFailures.Alerts[0].Records.Count);
    }

    [Fact]
    public void Records_that_do_not_match_are_ignored_between_states()
    {
        var engine = new Engine(BruteForce).Feed(
            Login(T, 1, false), Make(Execve, T + 1, auid: 1), Login(T + 2, 1, false), Login(T + 3, 2, true), Login(T + 4, 1, false), Login(T + 5, 1, true));
        Assert.Equal(["brute 1 5"], engine.Summary);
    }

    [Fact]
    public void Instances_are_per_subject()
    {
        var engine = new Engine(BruteForce).Feed(
            Login(T, 1, false), Login(T, 2, false), Login(T + 1, 1, false), Login(T + 1, 2, false), Login(T + 2, 1, false), Login(T + 3, 1, true), Login(T + 4, 2, true));
        Assert.Equal(["brute 1 3"], engine.Summary);
    }

    [Fact]
    public void Timeout_of_exactly_n_seconds_is_still_inside()
    {
        var inside = new Engine(BruteForce).Feed(Login(T, 1, false), Login(T + 1, 1, false), Login(T + 2, 1, false), Login(T + 100, 1, true));
        Assert.Equal(["brute 1 100"], inside.Summary);

        var outside = new Engine(BruteForce).Feed(Login(T, 1, false), Login(T + 1, 1, false), Login(T + 2, 1, false), Login(T + 101, 1, true));
        Assert.Empty(outside.Alerts);
    }

    [Fact]
    public void Expiry_is_swept_by_any_record_not_only_by_the_same_subject()
    {
        var engine = new Engine(BruteForce).Feed(Login(T, 1, false), Make(Execve, T + 500, auid: 99));
        Assert.Equal(0, engine.Match.LiveInstances);
        Assert.Equal(1, engine.Match.InstancesExpired);
    }

    [Fact]
    public void Expiry_then_restart_on_the_same_record()
    {
        // The failure at T+200 finds the old instance expired, and starts a new one with itself.
        var engine = new Engine(BruteForce).Feed(
            Login(T, 1, false), Login(T + 200, 1, false), Login(T + 201, 1, false), Login(T + 202, 1, false), Login(T + 203, 1, true));
        Assert.Equal(["brute 1 3"], engine.Summary);
    }

    [Fact]
    public void A_record_that_completes_an_instance_does_not_start_another()
    {
        const string policy = """
            sequence twice {
                subject any;
                state { event any; status failure; };
                state { event any; status failure; };
            };
            """;
        // Records 1+2 complete; record 2 must not also start an instance, so 3 starts, 4 completes.
        var engine = new Engine(policy).Feed(
            Make(Execve, T, status: 1), Make(Execve, T + 1, status: 1), Make(Execve, T + 2, status: 1), Make(Execve, T + 3, status: 1));
        Assert.Equal(["twice 1001 1", "twice 1001 1"], engine.Summary);
        Assert.Equal(0, engine.Match.LiveInstances);
    }

    [Fact]
    public void One_live_instance_per_sequence_and_key()
    {
        // The second exec does not start a second instance: one open completes one alert, the first exec's.
        var engine = new Engine(ExecThenOpenForever).Feed(Make(Execve, T), Make(Execve, T + 5), Make(OpenRead, T + 7, path: "/x"), Make(OpenRead, T + 8, path: "/y"));
        Assert.Equal(["pair 1001 7"], engine.Summary);
    }

    [Fact]
    public void A_single_state_sequence_alerts_at_once_with_duration_0()
    {
        var engine = new Engine("sequence one { subject any; priority 4; state { event <auditevent> { AUE_EXECVE; }; status success; }; };")
            .Feed(Make(Execve, T, msec: 45), Make(Execve, T + 1, status: 1));
        var alert = Assert.Single(engine.Alerts);
        Assert.Equal("1700000000.45 state machine: one subject: auid 1001 completed: duration 0 seconds priority: 4 source: test.bsm", alert.ClassicLine);
    }

    [Fact]
    public void Classic_line_is_written_as_it_is_formatted_even_for_names_too_long_for_the_stack()
    {
        foreach (string name in new[] { "short", new string('n', 3000) })
        {
            var engine = new Engine($"sequence {name} {{ subject any; state {{ event <auditevent> {{ AUE_EXECVE; }}; status any; }}; }};").Feed(Make(Execve, T, msec: 7));
            var alert = Assert.Single(engine.Alerts);
            Assert.Equal($"1700000000.7 state machine: {name} subject: auid 1001 completed: duration 0 seconds priority: 0 source: test.bsm", alert.ClassicLine);
            var written = new StringWriter { NewLine = "\n" };
            alert.WriteClassicLine(written);
            Assert.Equal(alert.ClassicLine + "\n", written.ToString());
        }
    }

    [Fact]
    public void Subject_sets_select_and_key_by_their_field()
    {
        const string policy = """
            define set $nobody <euid> { 65534; };
            sequence web { subject $nobody; state { event any; status any; }; };
            """;
        var engine = new Engine(policy).Feed(Make(Execve, T, auid: 1001, euid: 65534), Make(Execve, T, auid: 65534, euid: 1001));
        var alert = Assert.Single(engine.Alerts);
        Assert.Equal(65534u, alert.Subject);
        Assert.Equal(1001u, alert.Ids.AuditUid);
    }

    [Fact]
    public void A_record_without_a_subject_matches_only_subject_any()
    {
        const string policy = """
            define set $root <auid> { 0; };
            sequence any.subject { subject any; state { event any; status any; }; };
            sequence not.root { subject not $root; state { event any; status any; }; };
            """;
        var engine = new Engine(policy).Feed(Make(Execve, T, subject: false));
        var alert = Assert.Single(engine.Alerts);
        Assert.Equal("any.subject", alert.Sequence.Name);
        Assert.False(alert.HasSubject);
        Assert.Contains("subject: auid -1 ", alert.ClassicLine, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_scope_keys_by_pid_and_session_scope_by_session()
    {
        string Policy(string scope) => $$"""
            sequence s {
                subject any;
                scope {{scope}};
                state { event <auditevent> { AUE_EXECVE; }; status any; };
                state { event <auditevent> { AUE_OPEN_R; }; status any; };
            };
            """;
        byte[][] trail = [Make(Execve, T, pid: 10, sid: 1), Make(OpenRead, T + 1, pid: 11, sid: 1, path: "/a"), Make(OpenRead, T + 2, pid: 10, sid: 2, path: "/b")];

        Assert.Equal(["s 1001 1"], new Engine(Policy("global")).Feed(trail).Summary);
        Assert.Equal(["s 1001 2"], new Engine(Policy("process")).Feed(trail).Summary);
        Assert.Equal(["s 1001 1"], new Engine(Policy("session")).Feed(trail).Summary);
    }

    [Fact]
    public void Zone_glob_binds_an_instance_to_the_zone_that_started_it()
    {
        const string policy = """
            sequence jail {
                subject any;
                zone "jail-*";
                state { event <auditevent> { AUE_EXECVE; }; status any; };
                state { event <auditevent> { AUE_OPEN_R; }; status any; };
            };
            """;
        var engine = new Engine(policy).Feed(
            Make(Execve, T, zone: "jail-a"),
            Make(OpenRead, T + 1, zone: "jail-b", path: "/x"),   // another jail: starts nothing, advances nothing
            Make(OpenRead, T + 2, path: "/x"),                   // the host: outside the rule
            Make(OpenRead, T + 3, zone: "jail-a", path: "/x"));
        var alert = Assert.Single(engine.Alerts);
        Assert.Equal(3, alert.Duration);
        Assert.Equal("jail-a", alert.Zone);
    }

    [Fact]
    public void Zone_none_takes_only_host_records()
    {
        var engine = new Engine("sequence host { subject any; zone none; state { event any; status any; }; };")
            .Feed(Make(Execve, T, zone: "www"), Make(Execve, T + 1));
        Assert.Equal(T + 1, Assert.Single(engine.Alerts).Seconds);
    }

    [Fact]
    public void Negated_object_does_not_match_a_record_without_a_path()
    {
        const string policy = """
            define set $www <path> { /usr/local/www; };
            sequence outside { subject any; state { event any; status any; object not $www; }; };
            """;
        var engine = new Engine(policy).Feed(
            Make(Execve, T), Make(Execve, T + 1, path: "/usr/local/www/x"), Make(Execve, T + 2, path: "/usr/local/wwwx"));
        Assert.Equal(T + 2, Assert.Single(engine.Alerts).Seconds);
    }

    [Fact]
    public void Inode_memory_gives_a_pathless_record_the_path_last_seen_for_its_file()
    {
        const string policy = """
            define set $secret <path> { /etc/secret; };
            sequence chmod.secret { subject any; state { event <auditevent> { AUE_FCHMOD; }; status any; object $secret; }; };
            """;
        var engine = new Engine(policy).Feed(
            Make(OpenRead, T, path: "/etc/secret", attr: (90, 1234)),
            Make(Fchmod, T + 1, attr: (90, 1234)),     // same file, no path: remembered
            Make(Fchmod, T + 2, attr: (91, 1234)),     // another file system: unknown
            Make(OpenRead, T + 3, path: "/etc/other", attr: (90, 1234)),
            Make(Fchmod, T + 4, attr: (90, 1234)));    // the latest path for the inode wins
        var alert = Assert.Single(engine.Alerts);
        Assert.Equal(T + 1, alert.Seconds);
        Assert.Equal("/etc/secret", alert.Object);
    }

    [Fact]
    public void Inode_memory_is_bounded_least_recently_used_first()
    {
        const string policy = """
            define set $secret <path> { /etc/secret; };
            sequence chmod.secret { subject any; state { event <auditevent> { AUE_FCHMOD; }; status any; object $secret; }; };
            """;
        var engine = new Engine(policy, rememberedPaths: 2).Feed(
            Make(OpenRead, T, path: "/etc/secret", attr: (90, 1)),
            Make(OpenRead, T, path: "/a", attr: (90, 2)),
            Make(OpenRead, T, path: "/b", attr: (90, 3)),    // pushes out inode 1
            Make(Fchmod, T + 1, attr: (90, 1)));
        Assert.Empty(engine.Alerts);
    }

    [Fact]
    public void Class_sets_match_every_event_of_the_class()
    {
        const string policy = "sequence reads { subject any; state { event <auditclass> { fr; }; status any; object <path> { /etc/shadow; }; }; };";
        var engine = new Engine(policy).Feed(Make(OpenRead, T, path: "/etc/shadow"), Make(Execve, T + 1, path: "/etc/shadow"), Make(OpenAtRead, T + 2, path: "/etc/shadow"));
        Assert.Equal([T, T + 2], engine.Alerts.Select(a => a.Seconds));
    }

    [Fact]
    public void Pcre_objects_match_the_path_anywhere()
    {
        const string policy = """
            define set $scripts <pcre> { "\\.(sh|pl)$"; };
            sequence script { subject any; state { event any; status any; object $scripts; }; };
            """;
        var engine = new Engine(policy).Feed(Make(Execve, T, path: "/tmp/x.sh"), Make(Execve, T + 1, path: "/tmp/x.shy"), Make(Execve, T + 2, path: "/srv/a.pl"));
        Assert.Equal([T, T + 2], engine.Alerts.Select(a => a.Seconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not ")]
    public void A_path_crafted_to_exhaust_a_pattern_raises_the_alert_rather_than_hiding_the_record(string negation)
    {
        // (\w+\.?)+ tries every split of the a-run before it can fail at '!': without a step limit
        // each such record cost tens of milliseconds, and the limit PCRE2 hit read as "no match".
        string policy = $$"""
            define set $scripts <pcre> { "(\\w+\\.?)+\\.sh$"; };
            sequence script { subject any; state { event any; status any; object {{negation}}$scripts; }; };
            """;
        string crafted = "/tmp/" + new string('a', 4000) + "!/evil.sh";
        string ordinary = negation == "" ? "/tmp/run.py" : "/tmp/run.sh";

        var engine = new Engine(policy).Feed(Make(Execve, T, path: ordinary), Make(Execve, T + 1, path: crafted));

        Assert.Equal([T + 1], engine.Alerts.Select(a => a.Seconds));
        var failure = Assert.Single(engine.PatternFailures);
        Assert.Equal("script", failure.Sequence.Name);
        Assert.Equal(1, failure.RecordIndex);
    }

    [Fact]
    public void A_pattern_that_gives_up_does_not_overrule_another_that_excludes_the_path_for_sure()
    {
        const string policy = """
            define set $allowed <pcre> { "(\\w+\\.?)+\\.sh$"; "^/tmp/a+!/evil\\.sh$"; };
            sequence script { subject any; state { event any; status any; object not $allowed; }; };
            """;
        var engine = new Engine(policy).Feed(Make(Execve, T, path: "/tmp/" + new string('a', 4000) + "!/evil.sh"));

        Assert.Empty(engine.Alerts);
        Assert.Empty(engine.PatternFailures);
    }

    [Fact]
    public void Sequences_found_by_subject_and_those_for_any_subject_alert_in_the_policys_order()
    {
        const string policy = """
            define set $me <auid> { 1001; };
            define set $them <euid> { 1001; };
            define set $others <auid> { 7; };
            sequence by.auid { subject $me; state { event any; status any; }; };
            sequence for.any { subject any; state { event any; status any; }; };
            sequence by.euid { subject $them; state { event any; status any; }; };
            sequence not.mine { subject $others; state { event any; status any; }; };
            sequence all.but { subject not $others; state { event any; status any; }; };
            """;
        var engine = new Engine(policy).Feed(Make(Execve, T), Make(Execve, T + 1, auid: 7, euid: 7));

        Assert.Equal(["by.auid", "for.any", "by.euid", "all.but", "for.any", "not.mine"], engine.Alerts.Select(a => a.Sequence.Name));
    }

    [Fact]
    public void The_first_states_trigger_runs_whether_or_not_an_instance_starts()
    {
        const string policy = """
            sequence s {
                subject any;
                state { event <auditevent> { AUE_EXECVE; }; status any; trigger "/bin/echo first $object"; };
                state { event <auditevent> { AUE_OPEN_R; }; status any; trigger "/bin/echo second $subject"; };
            };
            """;
        var engine = new Engine(policy).Feed(Make(Execve, T, path: "/a"), Make(Execve, T + 1, path: "/b"), Make(OpenRead, T + 2, auid: 0, path: "/c"), Make(OpenRead, T + 3, path: "/d"));
        // The second exec matches the first state while the instance waits for an open: its trigger runs,
        // no instance starts; the open by root matches nothing of auid 1001's instance; the last open completes it.
        Assert.Equal(["/bin/echo first /a", "/bin/echo first /b", "/bin/echo second 1001"], engine.Triggers.Select(t => t.CommandLine));
    }

    [Fact]
    public void Live_instances_are_capped_and_the_oldest_evicted_first()
    {
        var engine = new Engine(ExecThenOpenForever, maxInstances: 2).Feed(
            Make(Execve, T, auid: 1), Make(Execve, T, auid: 2), Make(Execve, T, auid: 3),  // auid 1 evicted
            Make(OpenRead, T + 1, auid: 1, path: "/x"), Make(OpenRead, T + 1, auid: 3, path: "/x"));
        Assert.Equal(["pair 3 1"], engine.Summary);
        Assert.Equal(1, engine.Match.InstancesEvicted);
        Assert.Equal(1, engine.Match.LiveInstances);
    }

    [Fact]
    public void Matching_records_are_reported_for_the_raw_dump_once_each()
    {
        var engine = new Engine(BruteForce).Feed(Login(T, 1, false), Make(Execve, T), Login(T + 1, 1, false));
        Assert.Equal([0L, 2L], engine.Matched);
    }

    [Fact]
    public void Evidence_keeps_the_first_and_the_latest_records_of_a_long_run()
    {
        const string policy = """
            sequence long { subject any; state { event any; status failure; multiplier 30; }; state { event any; status success; }; };
            """;
        var records = Enumerable.Range(0, 30).Select(i => Login(T + i, 1, false)).Append(Login(T + 30, 1, true)).ToArray();
        var alert = Assert.Single(new Engine(policy).Feed(records).Alerts);

        Assert.Equal(16, alert.Records.Count);
        Assert.Equal(15, alert.OmittedRecords);
        Assert.Equal(records[..8], alert.Records.Take(8).Select(r => r.ToArray()));
        Assert.Equal(records[^8..], alert.Records.Skip(8).Select(r => r.ToArray()));
    }

    [Fact]
    public void Without_an_output_that_writes_records_instances_count_them_and_keep_none()
    {
        var records = new[] { Login(T, 1, false), Login(T + 1, 1, false), Login(T + 2, 1, false) };
        var engine = new Engine(BruteForce, keepEvidence: false).Feed(records);
        Assert.Equal(1, engine.Match.LiveInstances);
        Assert.Equal(0, engine.Match.EvidenceRecords);

        engine.Feed(Login(T + 3, 1, true));
        var alert = Assert.Single(engine.Alerts);
        Assert.Empty(alert.Records);
        Assert.Equal(4, alert.OmittedRecords);
        Assert.Equal(4, alert.MatchedRecords);
    }

    [Fact]
    public void A_sequence_logging_to_a_json_or_bsm_channel_keeps_its_evidence_when_the_others_do_not()
    {
        string policy = """
            log-channel $json json { path "/dev/null"; };
            log-channel $bsm bsm { directory "/tmp"; };
            sequence viajson { subject any; log $json; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            sequence viabsm { subject any; log $bsm; state { event <auditevent> { AUE_EXECVE; }; status any; }; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };
            sequence plain { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            """;
        var exec = Make(Execve, T, auid: 1);
        var open = Make(OpenRead, T + 1, auid: 1, path: "/x");
        var alerts = new Engine(policy, keepEvidence: false).Feed(exec, open).Alerts.ToDictionary(a => a.Sequence.Name);

        Assert.Equal([exec], alerts["viajson"].Records.Select(r => r.ToArray()));
        Assert.Equal([exec, open], alerts["viabsm"].Records.Select(r => r.ToArray()));
        Assert.Empty(alerts["plain"].Records);
        Assert.Equal(1, alerts["plain"].MatchedRecords);
    }

    [Fact]
    public void Instances_give_their_evidence_back_when_they_complete_expire_or_are_evicted()
    {
        var engine = new Engine(ExecThenOpen, maxInstances: 2).Feed(
            Make(Execve, T, auid: 1), Make(Execve, T, auid: 2), Make(Execve, T, auid: 3)); // the third evicts the first
        Assert.Equal(2, engine.Match.EvidenceRecords);

        engine.Feed(Make(OpenRead, T + 1, auid: 2, path: "/x")); // completes one
        Assert.Equal(1, engine.Match.EvidenceRecords);

        engine.Feed(Make(OpenRead, T + 20, auid: 9, path: "/x")); // expires the other
        Assert.Equal(0, engine.Match.LiveInstances);
        Assert.Equal(0, engine.Match.EvidenceRecords);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_reload_carries_an_instance_over_with_its_evidence(int workers)
    {
        const string other = """
            sequence other { subject any; state { event <auditevent> { AUE_BIND; }; status any; }; };

            """;
        var records = new[] { Login(T, 1, false), Login(T + 1, 1, false), Login(T + 2, 1, false), Login(T + 3, 1, true) };
        var engine = new Engine(BruteForce, workers).Feed(records[..3]);

        // A new sequence ahead of it: the carried instance's sequence gets a new index, and so maybe another partition.
        engine.Reload(other + BruteForce).Feed(records[3]);

        var alert = Assert.Single(engine.Alerts);
        Assert.Equal(records, alert.Records.Select(r => r.ToArray()));
        Assert.Equal(0, engine.Match.EvidenceRecords);
    }

    [Fact]
    public void A_reused_instance_is_not_expired_by_the_entry_of_its_previous_life()
    {
        var engine = new Engine(ExecThenOpen).Feed(
            Make(Execve, T, auid: 1), Make(OpenRead, T + 1, auid: 1, path: "/x"),   // completes: the instance is pooled
            Make(Execve, T + 2, auid: 2),                                           // reuses it, expiring after T + 12
            Make(Execve, T + 11, auid: 3),                                          // past the first life's expiry
            Make(OpenRead, T + 12, auid: 2, path: "/x"));
        Assert.Equal(["pair 1 1", "pair 2 10"], engine.Summary);
    }

    [Fact]
    public void An_instance_from_a_record_out_of_time_order_expires_at_its_own_time()
    {
        var engine = new Engine(ExecThenOpen).Feed(
            Make(Execve, T + 20, auid: 1),                      // expires after T + 30
            Make(Execve, T + 5, auid: 2),                       // earlier than the one before it: expires after T + 15
            Make(OpenRead, T + 16, auid: 3, path: "/x"),        // sweeps user 2's instance, not user 1's
            Make(OpenRead, T + 17, auid: 2, path: "/x"),        // too late for user 2
            Make(OpenRead, T + 25, auid: 1, path: "/x"));       // in time for user 1
        Assert.Equal(["pair 1 5"], engine.Summary);
    }
}
