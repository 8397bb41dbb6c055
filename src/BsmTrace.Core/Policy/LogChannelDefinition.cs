using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy;

/// <summary>
/// <c>log-channel $NAME TYPE { … };</c>: where a sequence's alerts go.
/// Syslog channels carry a facility and level (default auth.notice), file and
/// json channels a path (<c>-</c> is stdout for json), bsm channels a directory.
/// </summary>
public sealed record LogChannelDefinition(
    string Name,
    LogChannelKind Kind,
    SourceLocation Location,
    string SyslogFacility = "auth",
    string SyslogLevel = "notice",
    string? Path = null,
    string? Directory = null)
{
    /// <summary>Whether the channel writes an alert's records (evidence files, json), so that instances must keep them.</summary>
    public bool WritesRecords => Kind is LogChannelKind.Bsm or LogChannelKind.Json;
}
