namespace BsmTrace.Running;

/// <summary>Why <see cref="DetectorRun.RunAsync"/> returned.</summary>
public enum RunEnd
{
    /// <summary>The source ended (a trail read to its end, a FIFO's writer gone without <c>--follow</c>).</summary>
    EndOfInput,

    /// <summary>Asked to stop (SIGTERM, SIGINT).</summary>
    Stopped,

    /// <summary>The source could not be read, or an output failed for good; the reason has been logged.</summary>
    Failed,
}
