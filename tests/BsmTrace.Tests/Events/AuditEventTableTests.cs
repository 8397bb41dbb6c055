using BsmTrace.Events;

namespace BsmTrace.Tests.Events;

public sealed class AuditEventTableTests
{
    private static AuditClassTable Classes(string text) => AuditClassTable.Parse(new StringReader(text), "audit_class");

    [Fact]
    public void Builtin_table_knows_execve_and_its_classes()
    {
        var table = AuditEventTable.Builtin;
        Assert.True(table.TryGetByName("AUE_EXECVE", out var execve));
        Assert.Equal(23, execve.Number);
        Assert.Equal("execve(2)", execve.Description);
        Assert.True(AuditClassTable.Builtin.TryGetByName("pc", out var pc));
        Assert.True(AuditClassTable.Builtin.TryGetByName("ex", out var ex));
        Assert.Equal(pc.Mask | ex.Mask, table.ClassMask(23));
    }

    [Fact]
    public void Empty_fields_are_skipped_as_strtok_does()
    {
        // OpenBSM's own table has "43082:AUE_RTPRIO::rtprio(2):pc"; getauevent reads it with strtok,
        // which folds the empty field away.
        Assert.True(AuditEventTable.Builtin.TryGetByNumber(43082, out var rtprio));
        Assert.Equal("AUE_RTPRIO", rtprio.Name);
        Assert.Equal("rtprio(2)", rtprio.Description);
    }

    [Fact]
    public void Host_table_is_read_with_comments_and_its_own_classes()
    {
        var classes = Classes("# comment\n0x00000001:fr:file read\n0x00000080:pc:process\n0x00010000:zz:site class\n");
        var table = AuditEventTable.Parse(new StringReader("# header\n\n23:AUE_EXECVE:execve(2):pc,zz\n72:AUE_OPEN_R:open(2) - read:fr\n"), "audit_event", classes);

        Assert.Empty(table.Warnings);
        Assert.Equal(0x10080u, table.ClassMask(23));
        Assert.Equal(1u, table.ClassMask(72));
        Assert.Equal(0u, table.ClassMask(9999));
        Assert.False(table.TryGetByNumber(9999, out _));
    }

    [Fact]
    public void The_first_line_for_a_number_wins()
    {
        var table = AuditEventTable.Parse(new StringReader("100:AUE_FIRST:first:fr\n100:AUE_SECOND:second:fw\n"), "audit_event", AuditClassTable.Builtin);
        Assert.True(table.TryGetByNumber(100, out var e));
        Assert.Equal("AUE_FIRST", e.Name);
        Assert.True(table.TryGetByName("AUE_SECOND", out _));
    }

    [Fact]
    public void Bad_lines_become_warnings_with_file_and_line()
    {
        var table = AuditEventTable.Parse(new StringReader("23:AUE_EXECVE:execve(2):pc\nnot-a-number:AUE_X:x:pc\n24:AUE_Y:y:nosuchclass\n"), "events", AuditClassTable.Builtin);
        Assert.Equal(2, table.Warnings.Count);
        Assert.StartsWith("events:2:", table.Warnings[0], StringComparison.Ordinal);
        Assert.Equal("events:3: event AUE_Y names unknown class 'nosuchclass'", table.Warnings[1]);
        Assert.True(table.TryGetByNumber(24, out _));
    }

    [Fact]
    public void Missing_host_table_falls_back_to_the_builtin_one()
    {
        var table = AuditEventTable.LoadDefault(Path.Combine(Path.GetTempPath(), "no-such-dir", "audit_event"));
        Assert.Same(AuditEventTable.Builtin, table);
    }

    [Fact]
    public void Class_table_reads_masks_names_and_descriptions()
    {
        var classes = Classes("0x00001000:lo:login_logout\n0xffffffff:all:all classes\n");
        Assert.True(classes.TryGetByName("lo", out var lo));
        Assert.Equal(0x1000u, lo.Mask);
        Assert.Equal("login_logout", lo.Description);
        Assert.True(classes.TryGetByName("all", out var all));
        Assert.Equal(uint.MaxValue, all.Mask);
    }
}
