using System.Text;
using BsmTrace.Matching;
using BsmTrace.Sources;
using BsmTrace.State;

namespace BsmTrace.Tests.State;

/// <summary>The checkpoint file: what is written reads back the same, and no damage to it reads as a checkpoint.</summary>
public sealed class CheckpointFormatTests
{
    private static Checkpoint Sample() => new(
        new ReaderMark(
            new SourcePosition(new TrailIdentity(64769, 1234567, 200, 0xfeedbeefcafe), "/var/audit/20261126000000.not_terminated", 98765, 0, IsFile: true),
            NextRecordIndex: 4242,
            LastRecordSeconds: 1_700_000_123,
            Zones: ["", "(other zones)", "www", "db"],
            Paths: [new RememberedPath(90, 77, Encoding.UTF8.GetBytes("/etc/passwd")), new RememberedPath(91, 78, [0xff, 0xfe, (byte)'/', 0])]),
        [
            new SavedInstance("ssh.brute", "ab12", 1003, 0, 0, false, 3, 1_700_000_000, 1_700_604_800, 17, 49, [[1, 2, 3], [4, 5]]),
            new SavedInstance("jail", "cd34", 0, 4242, 2, true, 1, 1_700_000_050, null, 18, 1, []),
        ],
        Clean: true,
        DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123));

    [Fact]
    public void What_is_written_reads_back_the_same()
    {
        var bytes = CheckpointWriter.Write(Sample());
        var read = CheckpointReader.Read(bytes);

        Assert.False(read.PositionOnly);
        Assert.Equal(CheckpointFormat.Version, read.Version);
        var (expected, actual) = (Sample(), read.Checkpoint);
        Assert.Equal(expected.Reader.Position, actual.Reader.Position);
        Assert.Equal(expected.Reader.NextRecordIndex, actual.Reader.NextRecordIndex);
        Assert.Equal(expected.Reader.LastRecordSeconds, actual.Reader.LastRecordSeconds);
        Assert.Equal(expected.Reader.Zones, actual.Reader.Zones);
        Assert.Equal(expected.Reader.Paths.Select(p => (p.FileSystemId, p.Inode, Convert.ToHexString(p.Path))),
            actual.Reader.Paths.Select(p => (p.FileSystemId, p.Inode, Convert.ToHexString(p.Path))));
        Assert.Equal(expected.Instances.Select(Describe), actual.Instances.Select(Describe));
        Assert.True(actual.Clean);
        Assert.Equal(expected.WrittenAt, actual.WrittenAt);
    }

    private static string Describe(SavedInstance i) =>
        $"{i.Sequence} {i.Fingerprint} {i.Subject} {i.ScopeId} {i.Zone} {i.NoSubject} {i.Next} {i.FirstSeconds} {i.ExpiresAfter} {i.StartIndex} {i.Matched} " +
        string.Join(",", i.Records.Select(Convert.ToHexString));

    [Fact]
    public void Cut_short_anywhere_it_is_refused_with_the_offset()
    {
        var bytes = CheckpointWriter.Write(Sample());
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(bytes.AsSpan(0, length)));
            Assert.InRange(e.Offset, 0, bytes.Length);
        }
    }

    [Fact]
    public void Any_byte_changed_is_refused()
    {
        var bytes = CheckpointWriter.Write(Sample());
        for (int at = 0; at < bytes.Length; at++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= 0x5a;
            Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(damaged));
        }
    }
}
