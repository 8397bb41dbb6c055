using System.Net;
using System.Text;
using BsmTrace.Bsm;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Bsm;

/// <summary>The fields a record decodes eagerly for the matcher.</summary>
public sealed class AuditRecordTests
{
    private static AuditRecord Parse(byte[] raw)
    {
        Assert.True(AuditRecord.TryParse(raw, 0, out var record, out var problem), problem.Describe());
        return record;
    }

    [Fact]
    public void The_decoders_fixed_sizes_are_what_measuring_the_token_gives()
    {
        int fixedTypes = 0;
        for (int id = 0; id < 256; id++)
        {
            int size = BsmTokenLayout.FixedSize((byte)id);
            if (size == 0)
                continue;
            fixedTypes++;
            var token = new byte[size];
            token[0] = (byte)id;
            Assert.Equal(TokenMeasure.Ok, BsmTokenLayout.Measure(token, out int measured));
            Assert.Equal(size, measured);
            Assert.Equal(TokenMeasure.Truncated, BsmTokenLayout.Measure(token.AsSpan(0, size - 1), out _));
        }

        Assert.Equal(21, fixedTypes); // trailer, headers 32/64, subjects and processes 32/64, returns, attributes, ...
        Assert.Equal(0, BsmTokenLayout.FixedSize((byte)BsmTokenType.Path)); // sized by its own count
    }

    [Theory]
    [InlineData(BsmHeaderForm.Header32)]
    [InlineData(BsmHeaderForm.Header32Ex)]
    [InlineData(BsmHeaderForm.Header64)]
    [InlineData(BsmHeaderForm.Header64Ex)]
    public void Every_header_form_gives_event_modifier_and_time(BsmHeaderForm form)
    {
        var builder = new BsmRecordBuilder(43, 1_700_000_123, 456) { HeaderForm = form, Modifier = 3 };
        if (form is BsmHeaderForm.Header64Ex)
            builder.HeaderAddress = IPAddress.Parse("2001:db8::1");
        var raw = builder.Subject32(1, 2, 3, 4, 5, 6, 7).Build();

        var record = Parse(raw);
        Assert.Equal(43, record.EventType);
        Assert.Equal(3, record.Modifier);
        Assert.Equal(1_700_000_123, record.Seconds);
        Assert.Equal(456u, record.Milliseconds);

        var (read, damage) = Trails.ReadAll(raw);
        Assert.Empty(damage);
        Assert.Equal(raw, Assert.Single(read).Raw.ToArray());
    }

    [Fact]
    public void Header_ex_forms_print_their_host_address()
    {
        var raw = new BsmRecordBuilder(43, Trails.Epoch) { HeaderForm = BsmHeaderForm.Header32Ex, HeaderAddress = IPAddress.Parse("10.9.8.7") }.Build();
        Assert.StartsWith($"header_ex,{raw.Length},11,truncate(2),0,10.9.8.7,", Print.Text(raw), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Subject_ids_come_from_any_subject_form(bool wide, bool extended)
    {
        var b = new BsmRecordBuilder(23, Trails.Epoch);
        var v6 = IPAddress.Parse("fe80::9");
        _ = (wide, extended) switch
        {
            (false, false) => b.Subject32(11, 12, 13, 14, 15, 16, 17),
            (true, false) => b.Subject64(11, 12, 13, 14, 15, 16, 17),
            (false, true) => b.Subject32Ex(11, 12, 13, 14, 15, 16, 17, 1, v6),
            (true, true) => b.Subject64Ex(11, 12, 13, 14, 15, 16, 17, 1, v6),
        };
        var record = Parse(b.Build());

        Assert.True(record.HasSubject);
        Assert.Equal(new SubjectIds(11, 12, 13, 14, 15, 16, 17), record.Subject);
    }

    [Fact]
    public void A_process_token_is_the_object_not_the_subject()
    {
        // kill(2) records carry the target as a process token and the actor as the subject.
        var record = Parse(new BsmRecordBuilder(37, Trails.Epoch).Process32(1, 1, 1, 1, 1, 500, 500).Subject32(2, 2, 2, 2, 2, 600, 600).Build());
        Assert.Equal(2u, record.Subject.AuditUid);
        Assert.Equal(600u, record.Subject.Pid);
    }

    [Fact]
    public void Record_without_subject_or_return_says_so_and_counts_as_success()
    {
        var record = Parse(new BsmRecordBuilder(23, Trails.Epoch).Text("x").Build());
        Assert.False(record.HasSubject);
        Assert.False(record.HasReturn);
        Assert.True(record.IsSuccess);
        Assert.False(record.HasPath);
        Assert.False(record.HasAttribute);
        Assert.False(record.HasZoneName);
    }

    [Fact]
    public void Return_status_and_value_come_from_the_return_token()
    {
        var failed = Parse(new BsmRecordBuilder(23, Trails.Epoch).Return32(13, uint.MaxValue).Build());
        Assert.True(failed.HasReturn);
        Assert.False(failed.IsSuccess);
        Assert.Equal(13, failed.Status);
        Assert.Equal(uint.MaxValue, failed.ReturnValue);

        var ok = Parse(new BsmRecordBuilder(23, Trails.Epoch).Return64(0, 42).Build());
        Assert.True(ok.IsSuccess);
        Assert.Equal(42, ok.ReturnValue);
    }

    [Fact]
    public void Path_is_the_last_path_token_without_its_nul()
    {
        var record = Parse(new BsmRecordBuilder(23, Trails.Epoch).Path("/usr/bin/first").Path("/usr/local/bin/second").Build());
        Assert.Equal("/usr/local/bin/second", Encoding.UTF8.GetString(record.Path));
    }

    [Fact]
    public void Attribute_gives_file_system_and_inode_in_both_widths()
    {
        var narrow = Parse(new BsmRecordBuilder(23, Trails.Epoch).Attr32(0x81a4, 0, 0, 90, 123456, 0).Build());
        Assert.True(narrow.HasAttribute);
        Assert.Equal(90u, narrow.FileSystemId);
        Assert.Equal(123456ul, narrow.Inode);

        var wide = Parse(new BsmRecordBuilder(23, Trails.Epoch).Attr64(0x81a4, 0, 0, 91, 0x1_0000_0002, 7).Build());
        Assert.Equal(91u, wide.FileSystemId);
        Assert.Equal(0x1_0000_0002ul, wide.Inode);
    }

    [Fact]
    public void Zone_name_is_read_without_its_nul()
    {
        var record = Parse(new BsmRecordBuilder(23, Trails.Epoch).ZoneName("www").Build());
        Assert.True(record.HasZoneName);
        Assert.Equal("www", Encoding.UTF8.GetString(record.ZoneName));
    }
}
