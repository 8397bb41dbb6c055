using BsmTrace.Events;
using BsmTrace.Sources;

namespace BsmTrace.Tests.Sources;

/// <summary>The audit pipe's preselection masks from audit_control-style flags.</summary>
public sealed class AuditPipeFlagsTests
{
    [Fact]
    public void Plain_classes_select_success_and_failure_plus_and_minus_one_of_them()
    {
        var classes = AuditClassTable.Builtin;
        Assert.True(classes.TryGetByName("lo", out var lo));
        Assert.True(classes.TryGetByName("fc", out var fc));
        Assert.True(classes.TryGetByName("fr", out var fr));

        var (success, failure) = AuditPipeMonitor.Masks("lo,+fc,-fr", classes);
        Assert.Equal(lo.Mask | fc.Mask, success);
        Assert.Equal(lo.Mask | fr.Mask, failure);
    }

    [Fact]
    public void An_unknown_class_is_an_error_naming_it()
    {
        var e = Assert.Throws<IOException>(() => AuditPipeMonitor.Masks("lo,zz", AuditClassTable.Builtin));
        Assert.Equal("audit pipe flags: unknown audit class 'zz'", e.Message);
    }
}
