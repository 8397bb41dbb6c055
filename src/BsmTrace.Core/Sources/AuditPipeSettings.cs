namespace BsmTrace.Sources;

/// <summary>How the audit pipe selects records (auditpipe(4)).</summary>
public sealed record AuditPipeSettings
{
    /// <summary>"local": the pipe's own class flags below; "trail": what auditd's audit_control selects.</summary>
    public string Mode { get; init; } = "local";

    /// <summary>Classes of attributable records to take in local mode (audit_control syntax, e.g. "lo,aa,ex,fc,fr,nt").</summary>
    public string Flags { get; init; } = "lo,aa,ex,fc,fr,nt";

    /// <summary>Classes of non-attributable records to take in local mode.</summary>
    public string NonAttributableFlags { get; init; } = "lo,aa";

    /// <summary>The pipe's queue limit in records; 0 for the largest the kernel allows.</summary>
    public int QueueLimit { get; init; }

    /// <summary>The class table the flags name classes of (null: the host's, else the built-in one).</summary>
    public string? ClassFile { get; init; }
}
