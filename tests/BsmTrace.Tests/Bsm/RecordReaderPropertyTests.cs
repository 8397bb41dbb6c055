using BsmTrace.Bsm;
using BsmTrace.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Bsm;

/// <summary>
/// Mutated trails: whatever a single damaged byte does, reading never throws,
/// always ends, and costs at most the record that holds the byte.
/// </summary>
public sealed class RecordReaderPropertyTests
{
    private static readonly byte[][] Records = Trails.Execs(8);
    private static readonly byte[] Trail = Trails.Concat(Records);
    private static readonly long[] Offsets = Trails.Offsets(Records);

    private static int RecordAt(long position) => Array.FindLastIndex(Offsets, o => o <= position);

    [Property(MaxTest = 2000)]
    public Property One_damaged_byte_costs_at_most_its_own_record() =>
        Prop.ForAll(
            Gen.Choose(0, Trail.Length - 1).Zip(Gen.Choose(0, 255)).ToArbitrary(),
            ((int Position, int Value) m) =>
            {
                var trail = (byte[])Trail.Clone();
                trail[m.Position] = (byte)m.Value;
                var (read, _) = Trails.ReadAll(trail);
                var auids = read.Select(r => r.Subject.AuditUid).ToHashSet();
                int damaged = RecordAt(m.Position);
                return Enumerable.Range(0, Records.Length)
                    .Where(i => i != damaged)
                    .All(i => auids.Contains((uint)(1000 + i)));
            });

    [Property(MaxTest = 500)]
    public Property Any_truncation_keeps_every_whole_record_before_it() =>
        Prop.ForAll(
            Gen.Choose(0, Trail.Length).ToArbitrary(),
            cut =>
            {
                var (read, damage) = Trails.ReadAll(Trail[..cut]);
                int whole = Offsets.Count(o => o < cut) - (Offsets.Contains(cut) || cut == Trail.Length ? 0 : 1);
                bool clean = cut == Trail.Length || Offsets.Contains(cut);
                return read.Count == whole && (clean ? damage.Count == 0 : damage.Count == 1);
            });

    [Property(MaxTest = 300)]
    public Property Random_bytes_never_throw_and_always_end() =>
        Prop.ForAll(
            Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).ToArbitrary(),
            bytes =>
            {
                // Splice random bytes into the middle of a valid trail.
                var trail = Trails.Concat(Records[0], bytes, Records[1]);
                var (read, _) = Trails.ReadAll(trail);
                return read.Count <= 2 + bytes.Length && read.Any(r => r.Subject.AuditUid == 1000);
            });

    /// <summary>One kind of damage to one record: bit flips, a huge or wrong length, an unknown token id, garbage spliced into it.</summary>
    private static byte[] Damaged(int kind, int record, int at, int value, int flips)
    {
        var copies = Records.Select(r => (byte[])r.Clone()).ToArray();
        var target = copies[record];
        switch (kind)
        {
            case 0:
                for (int f = 0; f < flips; f++)
                    target[(at + f * 7) % target.Length] ^= (byte)(1 << ((value + f) % 8));
                break;
            case 1:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(target.AsSpan(1), (uint)value << 24 | (uint)at);
                break;
            case 2:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(target.AsSpan(1), uint.MaxValue - (uint)at);
                break;
            case 3:
                target[18] = (byte)(0xe0 | (value & 0x0f)); // the first token after the header: an id libbsm does not know
                break;
            default:
                copies[record] = [.. target.AsSpan(0, at % target.Length), .. Enumerable.Repeat((byte)value, flips * 3), .. target.AsSpan(at % target.Length)];
                break;
        }

        return Trails.Concat(copies);
    }

    [Property(MaxTest = 3000)]
    public Property Damage_to_one_record_costs_at_most_it_and_its_neighbour() =>
        Prop.ForAll(
            Gen.Choose(0, Records.Length - 1).Zip(Gen.Choose(0, 4)).Zip(Gen.Choose(0, 1000)).Zip(Gen.Choose(0, 255)).Zip(Gen.Choose(1, 8)).ToArbitrary(),
            t =>
            {
                var ((((record, kind), at), value), flips) = t;
                var (read, _) = Trails.ReadAll(Damaged(kind, record, at, value, flips), new BsmReaderOptions { MaxRecordSize = 64 * 1024 });
                var auids = read.Select(r => r.Subject.AuditUid).ToHashSet();
                return Enumerable.Range(0, Records.Length)
                    .Where(i => i != record && i != record + 1)
                    .All(i => auids.Contains((uint)(1000 + i)));
            });
}
