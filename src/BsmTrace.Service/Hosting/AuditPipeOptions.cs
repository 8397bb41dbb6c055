namespace BsmTrace.Service.Hosting;

/// <summary>How the audit pipe selects records (auditpipe(4)).</summary>
public sealed class AuditPipeOptions
{
    /// <summary>"local": the pipe's own class flags below; "trail": what auditd's audit_control selects.</summary>
    public string Mode { get; set; } = "local";

    /// <summary>Classes of attributable records to take in local mode (audit_control syntax, e.g. "lo,aa,ex,fc,fr,nt").</summary>
    public string Flags { get; set; } = "lo,aa,ex,fc,fr,nt";

    /// <summary>Classes of non-attributable records to take in local mode.</summary>
    public string NonAttributableFlags { get; set; } = "lo,aa";

    /// <summary>The pipe's queue limit in records; 0 for the largest the kernel allows.</summary>
    public int QueueLimit { get; set; }
}
