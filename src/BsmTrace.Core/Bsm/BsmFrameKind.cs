namespace BsmTrace.Bsm;

/// <summary>What a frame read from a trail is.</summary>
public enum BsmFrameKind
{
    /// <summary>An audit record, from its header to its trailer.</summary>
    Record,
    /// <summary>A stand-alone file token, which auditd writes at the start and end of every trail file.</summary>
    FileToken,
}
