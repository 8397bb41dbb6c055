using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using BsmTrace.Unix;

namespace BsmTrace.Tests.Matching;

public sealed class MatchPlanTests
{
    [Fact]
    public void Each_event_lists_the_sequences_that_can_take_it_in_order_and_equal_lists_are_shared()
    {
        var policy = Policies.Compile("""
            define set $exec <auditevent> { AUE_EXECVE, AUE_EXEC; };
            sequence anything { subject any; state { event any; status any; }; };
            sequence execs { subject any; state { event $exec; status success; }; state { event <auditclass> { fr; }; status any; }; };
            sequence notexec { subject any; state { event not $exec; status any; }; };
            sequence opens { subject any; state { event <auditclass> { fr; }; status any; }; };
            """);
        var plan = new MatchPlan(policy, new UserDatabase(), maxEvidenceRecords: 16);

        for (int e = 0; e <= ushort.MaxValue; e++)
        {
            var expected = Enumerable.Range(0, plan.Sequences.Length)
                .Where(s => plan.Sequences[s].States.Any(state => state.Event.Matches((ushort)e)))
                .ToArray();
            Assert.Equal(expected, plan.Candidates[e]);
        }

        // 65,536 events and three sets of sequences among them (execs: 0 1; fr: 0 1 2 3; the rest: 0 2), one array each.
        Assert.Equal(3, plan.Candidates.Distinct(ReferenceEqualityComparer.Instance).Count());
    }
}
