namespace BsmTrace.Policy;

/// <summary>What, beside the subject, keys a sequence's instances.</summary>
public enum SequenceScope
{
    /// <summary>The subject alone (the default).</summary>
    Global,
    /// <summary>Subject and process id.</summary>
    Process,
    /// <summary>Subject and audit session id.</summary>
    Session,
    /// <summary>As process: BSM records carry no thread id.</summary>
    Thread,
}
