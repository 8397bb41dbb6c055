using System.Buffers.Binary;
using System.Text;
using BsmTrace.Bsm;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Bsm;

/// <summary>
/// Damaged trails: each kind of damage is reported with its byte offset and
/// costs the damaged record, never the records around it.
/// </summary>
public sealed class RecordReaderDamageTests
{
    private static uint[] Auids(IEnumerable<AuditRecord> records) => records.Select(r => r.Subject.AuditUid).ToArray();

    [Fact]
    public void Intact_trail_reads_every_record_in_order_with_offsets()
    {
        var records = Trails.Execs(5);
        var (read, damage) = Trails.ReadAll(Trails.Concat(records));
        Assert.Empty(damage);
        Assert.Equal([1000u, 1001, 1002, 1003, 1004], Auids(read));
        Assert.Equal(Trails.Offsets(records), read.Select(r => r.Offset).ToArray());
        Assert.Equal(records[3], read[3].Raw.ToArray());
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(3u)]
    [InlineData(0u)]
    public void Impossible_length_costs_only_that_record(uint length)
    {
        var records = Trails.Execs(3);
        BinaryPrimitives.WriteUInt32BigEndian(records[1].AsSpan(1), length);
        var (read, damage) = Trails.ReadAll(Trails.Concat(records));

        Assert.Equal([1000u, 1002], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.ImpossibleLength, d.Kind);
        Assert.Equal(records[0].Length, d.Offset);
        Assert.Equal(records[1].Length, d.Length);
        Assert.Contains($"declares a length of {length} bytes", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_larger_than_the_maximum_is_refused_not_allocated()
    {
        var big = new BsmRecordBuilder(23, Trails.Epoch).Text(new string('x', 5000)).Build();
        var after = Trails.Exec(7, "/bin/ls");
        var (read, damage) = Trails.ReadAll(Trails.Concat(big, after), new BsmReaderOptions { MaxRecordSize = 4096 });

        Assert.Equal([7u], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.ImpossibleLength, d.Kind);
        Assert.Equal(0, d.Offset);
        Assert.Contains("more than the maximum of 4096", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_exec_a_kernel_writes_is_read_not_refused()
    {
        // macOS lets arguments and environment reach ARG_MAX, 1 MiB, and audits them all.
        var args = Enumerable.Range(0, 1024).Select(i => new string((char)('a' + (i % 26)), 1023)).ToArray();
        var exec = new BsmRecordBuilder(23, Trails.Epoch).ExecArgs(args).Path("/bin/" + new string('p', 1000)).Path("/usr/bin/" + new string('q', 1000))
            .Subject32(1001, 1001, 20, 1001, 20, 1, 1, 0, System.Net.IPAddress.Loopback).Return32(0, 0).Build();
        Assert.True(exec.Length > 1 << 20);

        var (read, damage) = Trails.ReadAll(Trails.Concat(exec, Trails.Exec(7, "/bin/ls")));

        Assert.Empty(damage);
        Assert.Equal([1001u, 7u], Auids(read));
    }

    [Fact]
    public void Skipping_a_long_run_of_oversized_records_keeps_the_readers_memory_bounded()
    {
        // 16 MB of records each over the maximum, then one that is not: the reader must skip
        // through them without holding what it skipped (it held all of it: 1.6 GB for a big trail).
        const int max = 4096;
        var big = new BsmRecordBuilder(23, Trails.Epoch).Text(new string('x', 5000)).Build();
        var after = Trails.Exec(7, "/bin/ls");
        var trail = Trails.Concat([.. Enumerable.Repeat(big, 16 * 1024 * 1024 / big.Length), after]);
        var damage = new List<BsmDamage>();
        var auids = new List<uint>();
        int capacity;
        using (var reader = new BsmRecordReader(new MemoryStream(trail), new BsmReaderOptions { MaxRecordSize = max }))
        {
            reader.Damaged += damage.Add;
            while (reader.TryRead(out var record))
                auids.Add(record.Subject.AuditUid);
            capacity = reader.BufferCapacity;
        }

        Assert.Equal([7u], auids);
        var d = Assert.Single(damage);
        Assert.Equal(trail.Length - after.Length, d.Length);
        Assert.Contains($"next intact record at byte {trail.Length - after.Length}", d.Message, StringComparison.Ordinal);
        Assert.InRange(capacity, 0, 1024 * 1024);
    }

    [Fact]
    public void Trailer_that_does_not_match_the_header_costs_only_that_record()
    {
        var records = Trails.Execs(3);
        records[1][^5] ^= 0xff; // the trailer's magic
        var (read, damage) = Trails.ReadAll(Trails.Concat(records));

        Assert.Equal([1000u, 1002], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.TrailerMismatch, d.Kind);
        Assert.Equal(records[0].Length, d.Offset);
        Assert.Equal(records[1].Length, d.Length);
    }

    [Fact]
    public void Length_that_overshoots_into_the_next_record_costs_only_that_record()
    {
        var records = Trails.Execs(3);
        BinaryPrimitives.WriteUInt32BigEndian(records[1].AsSpan(1), (uint)records[1].Length + 10);
        var (read, damage) = Trails.ReadAll(Trails.Concat(records));

        Assert.Equal([1000u, 1002], Auids(read));
        Assert.Equal(BsmDamageKind.TrailerMismatch, Assert.Single(damage).Kind);
    }

    [Fact]
    public void Truncated_last_record_is_reported_and_the_rest_kept()
    {
        var records = Trails.Execs(3);
        var trail = Trails.Concat(records);
        var (read, damage) = Trails.ReadAll(trail[..^10]);

        Assert.Equal([1000u, 1001], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.Truncated, d.Kind);
        Assert.Equal(records[0].Length + records[1].Length, d.Offset);
        Assert.Equal(records[2].Length - 10, d.Length);
        Assert.Contains($"declares {records[2].Length} bytes", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trail_cut_inside_a_header_is_reported_as_truncated()
    {
        var first = Trails.Exec(1, "/bin/ls");
        var (read, damage) = Trails.ReadAll(Trails.Concat(first, Trails.Exec(2, "/bin/ls")[..3]));

        Assert.Equal([1u], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.Truncated, d.Kind);
        Assert.Equal(first.Length, d.Offset);
    }

    [Fact]
    public void Garbage_between_records_is_skipped_and_reported()
    {
        var a = Trails.Exec(1, "/bin/ls");
        var garbage = Encoding.ASCII.GetBytes("garbage");
        var (read, damage) = Trails.ReadAll(Trails.Concat(a, garbage, Trails.Exec(2, "/bin/ls")));

        Assert.Equal([1u, 2], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.Garbage, d.Kind);
        Assert.Equal(a.Length, d.Offset);
        Assert.Equal(garbage.Length, d.Length);
    }

    [Fact]
    public void Garbage_at_the_end_is_reported_with_what_was_skipped()
    {
        var a = Trails.Exec(1, "/bin/ls");
        var (read, damage) = Trails.ReadAll(Trails.Concat(a, [0x00, 0x01, 0x02, 0x03]));

        Assert.Equal([1u], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.Garbage, d.Kind);
        Assert.Equal(4, d.Length);
    }

    [Fact]
    public void Record_with_an_unknown_token_is_skipped_by_its_length_and_reported()
    {
        var a = Trails.Exec(1, "/bin/ls");
        var unknown = new BsmRecordBuilder(23, Trails.Epoch).Subject32(9, 9, 9, 9, 9, 9, 9).Raw([0xee, 1, 2, 3]).Build();
        var (read, damage) = Trails.ReadAll(Trails.Concat(a, unknown, Trails.Exec(2, "/bin/ls")));

        Assert.Equal([1u, 2], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.UnknownToken, d.Kind);
        Assert.Contains("unknown token type 0xee", d.Message, StringComparison.Ordinal);
        Assert.Equal(unknown.Length, d.Length);
    }

    [Fact]
    public void Record_with_a_malformed_token_is_skipped_and_reported()
    {
        // An in_addr_ex whose address type is neither 4 nor 16.
        var bad = new BsmRecordBuilder(23, Trails.Epoch).Raw([(byte)BsmTokenType.InAddrEx, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7]).Build();
        var (read, damage) = Trails.ReadAll(Trails.Concat(bad, Trails.Exec(2, "/bin/ls")));

        Assert.Equal([2u], Auids(read));
        Assert.Equal(BsmDamageKind.MalformedToken, Assert.Single(damage).Kind);
    }

    [Fact]
    public void Token_that_runs_past_its_record_is_malformed()
    {
        // A path token whose length field claims more bytes than the record holds.
        var bad = new BsmRecordBuilder(23, Trails.Epoch).Raw([(byte)BsmTokenType.Path, 0x10, 0, (byte)'/']).Build();
        var (read, damage) = Trails.ReadAll(Trails.Concat(bad, Trails.Exec(2, "/bin/ls")));

        Assert.Equal([2u], Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(BsmDamageKind.MalformedToken, d.Kind);
        Assert.Contains("runs past the end of its record", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_tokens_at_the_start_and_end_of_a_trail_are_not_records_and_not_damage()
    {
        var trail = Trails.Concat(
            BsmRecordBuilder.FileToken(1_700_000_000, 0, "20231114221320.not_terminated"),
            Trails.Exec(1, "/bin/ls"),
            Trails.Exec(2, "/bin/ls"),
            BsmRecordBuilder.FileToken(1_700_000_100, 0, "20231114221320.20231114222000"));
        var (read, damage) = Trails.ReadAll(trail);

        Assert.Empty(damage);
        Assert.Equal([1u, 2], Auids(read));
    }

    [Fact]
    public void Trails_of_several_files_joined_read_as_one()
    {
        byte[] File(uint auid) => Trails.Concat(BsmRecordBuilder.FileToken(1, 0, "a"), Trails.Exec(auid, "/x"), BsmRecordBuilder.FileToken(2, 0, "b"));
        var (read, damage) = Trails.ReadAll(Trails.Concat(File(1), File(2), File(3)));

        Assert.Empty(damage);
        Assert.Equal([1u, 2, 3], Auids(read));
    }

    [Fact]
    public void A_stream_that_trickles_one_byte_per_read_gives_the_same_records_and_damage()
    {
        var records = Trails.Execs(4);
        records[2][^5] ^= 0xff;
        var trail = Trails.Concat(records);

        var (whole, wholeDamage) = Trails.ReadAll(trail);
        var (trickled, trickledDamage) = Trails.ReadAll(new TrickleStream(trail));

        Assert.Equal(Auids(whole), Auids(trickled));
        Assert.Equal([1000u, 1001, 1003], Auids(trickled));
        Assert.Equal(wholeDamage, trickledDamage);
    }

    [Fact]
    public void Offsets_stay_exact_past_the_reader_buffer()
    {
        // Far more than the reader's 64 KiB buffer, so offsets must account for what was discarded.
        var records = Trails.Execs(3000);
        var garbageAt = Trails.Offsets(records)[2500];
        var trail = Trails.Concat(Trails.Concat(records[..2500]), [0x00, 0x00, 0x00], Trails.Concat(records[2500..]));
        var (read, damage) = Trails.ReadAll(trail);

        Assert.Equal(3000, read.Count);
        var d = Assert.Single(damage);
        Assert.Equal(garbageAt, d.Offset);
        Assert.Equal(garbageAt + 3, read[2500].Offset);
    }

    [Fact]
    public void Each_damaged_record_is_reported_once_and_the_count_agrees()
    {
        var records = Trails.Execs(10);
        foreach (int i in new[] { 1, 4, 7 })
            records[i][^1] ^= 0x01; // the trailer's length
        using var reader = new BsmRecordReader(new MemoryStream(Trails.Concat(records)));
        int read = 0;
        while (reader.TryRead(out _))
            read++;

        Assert.Equal(7, read);
        Assert.Equal(3, reader.DamageCount);
    }

    [Fact]
    public void Bytes_that_look_like_a_file_token_running_past_the_end_cost_only_themselves()
    {
        // 0x11 opens a file token whose name length (0x1111) runs past the end of the trail. Taken as a
        // truncated last token, it cost every record after it (a case the damage property found).
        var records = Trails.Execs(8);
        records[3] = [.. Enumerable.Repeat((byte)0x11, 18), .. records[3]];
        var (read, damage) = Trails.ReadAll(Trails.Concat(records));

        Assert.Equal(Enumerable.Range(1000, 8).Select(i => (uint)i), Auids(read));
        var d = Assert.Single(damage);
        Assert.Equal(Trails.Offsets(records)[3], d.Offset);
        Assert.Equal(18, d.Length);
    }

    [Fact]
    public void Bytes_that_look_like_a_file_token_are_not_allowed_to_swallow_records()
    {
        // A stray 0x11 whose name length spans the next two records: framed as a file token, it passed them by unreported.
        var records = Trails.Execs(5);
        int span = records[2].Length + records[3].Length;
        byte[] stray = [0x11, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(span >> 8), (byte)span];
        var (read, damage) = Trails.ReadAll(Trails.Concat(records[0], records[1], stray, records[2], records[3], records[4]));

        Assert.Equal(Enumerable.Range(1000, 5).Select(i => (uint)i), Auids(read));
        Assert.Equal(stray.Length, Assert.Single(damage).Length);
    }

    /// <summary>A live stream: the bytes it was given, and then nothing more until it is disposed (a quiet FIFO).</summary>
    private sealed class QuietAfter(byte[] bytes) : Stream
    {
        private readonly ManualResetEventSlim _closed = new();
        private int _at;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_at == bytes.Length)
            {
                _closed.Wait();
                return 0;
            }

            int n = Math.Min(count, bytes.Length - _at);
            Array.Copy(bytes, _at, buffer, offset, n);
            _at += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _closed.Set();
            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task On_a_live_stream_a_record_after_damage_is_read_without_waiting_for_more_input()
    {
        // Resynchronising looked at each candidate in turn, reading on as far as it declared: a byte
        // of the damaged record that looked like a header held the good record back until more came.
        var damaged = Records.Make(Records.Execve, Trails.Epoch, auid: 1);
        damaged[^1] ^= 0xff;
        using var stream = new QuietAfter(Trails.Concat(damaged, Records.Make(Records.Execve, Trails.Epoch + 1, auid: 2)));
        using var reader = new BsmRecordReader(stream);
        var read = Task.Run(() => reader.TryRead(out var record) ? record.Subject.AuditUid : 0u);

        Assert.Equal(2u, await read.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
