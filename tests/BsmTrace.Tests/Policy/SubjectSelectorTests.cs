using BsmTrace.Bsm;
using BsmTrace.Policy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Policy;

public sealed class SubjectSelectorTests
{
    private static AuditRecord RecordOf(uint euid)
    {
        Assert.True(AuditRecord.TryParse(Make(Execve, 0, auid: 1, euid: euid), 0, out var record, out var problem), problem.Describe());
        return record;
    }

    // Ids drawn from a small range, so that the probe is often in the set; and from the whole range.
    private static Gen<uint> Ids => Gen.OneOf(Gen.Choose(0, 40).Select(i => (uint)i), ArbMap.Default.GeneratorFor<uint>());

    [Property(MaxTest = 500)]
    public Property A_set_takes_exactly_the_records_whose_field_is_in_it_or_not_when_negated() =>
        Prop.ForAll(Ids.ArrayOf().ToArbitrary(), Ids.ToArbitrary(), ArbMap.Default.ArbFor<bool>(), (ids, probe, negated) =>
        {
            var selector = SubjectSelector.For(SubjectField.EffectiveUid, negated, ids, "test");
            return selector.Matches(RecordOf(probe)) == (ids.Contains(probe) != negated);
        });
}
