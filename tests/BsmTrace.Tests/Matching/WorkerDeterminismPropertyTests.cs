using BsmTrace.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Matching;

/// <summary>The same trail and policy give the same alerts, in the same order, for any number of workers.</summary>
public sealed class WorkerDeterminismPropertyTests
{
    private const string Policy = """
        define set $auth <auditevent> { AUE_openssh; };
        define set $www <path> { /usr/local/www; };
        sequence brute { subject any; timeout 20 seconds; state { event $auth; status failure; multiplier 2; }; state { event $auth; status success; }; };
        sequence outside { subject any; state { event <auditclass> { fr; }; status any; object not $www; }; };
        sequence chain { subject any; scope process; timeout 30 seconds; state { event <auditevent> { AUE_EXECVE; }; status any; }; state { event <auditclass> { fr; }; status success; }; };
        sequence jailed { subject any; zone any; state { event any; status failure; }; state { event any; status success; }; };
        """;

    private static Gen<byte[]> RecordGen(int index) =>
        from kind in Gen.Choose(0, 3)
        from auid in Gen.Choose(1, 6)
        from ok in Gen.Elements(true, false)
        from pid in Gen.Choose(1, 3)
        from zone in Gen.Elements<string?>(null, null, "a", "b")
        from path in Gen.Elements("/usr/local/www/i", "/etc/passwd", "/tmp/x")
        select kind switch
        {
            0 => Login(Trails.Epoch + index, (uint)auid, ok),
            1 => Make(Execve, Trails.Epoch + index, auid: (uint)auid, pid: (uint)pid, zone: zone, status: ok ? (byte)0 : (byte)1),
            _ => Make(OpenRead, Trails.Epoch + index, auid: (uint)auid, pid: (uint)pid, zone: zone, path: path, status: ok ? (byte)0 : (byte)1),
        };

    private static Gen<byte[][]> TrailGen =>
        from length in Gen.Choose(1, 200)
        from records in Gen.CollectToArray(Enumerable.Range(0, length), RecordGen)
        select records;

    [Property(MaxTest = 60)]
    public Property Alerts_do_not_depend_on_the_number_of_workers() =>
        Prop.ForAll(TrailGen.ToArbitrary(), trail =>
        {
            string[] Run(int workers) => new Engine(Policy, workers).Feed(trail).Alerts
                .Select(a => $"{a.RecordIndex} {a.Sequence.Name} {a.Subject} {a.Duration} {a.Records.Count}").ToArray();
            var one = Run(1);
            return one.SequenceEqual(Run(3)) && one.SequenceEqual(Run(4));
        });
}
