namespace BsmTrace.Sources;

/// <summary>What <c>-a</c> names and how it is read.</summary>
public sealed record SourceOptions
{
    /// <summary>A trail file, "-" for stdin, a FIFO, the audit pipe; with <see cref="Follow"/> also an audit directory or its "current" link.</summary>
    public required string Path { get; init; }

    /// <summary>Keep reading: follow a trail as it grows and across rotations; open a FIFO again for its next writer.</summary>
    public bool Follow { get; init; }

    /// <summary>How often a followed trail that has not grown is looked at again.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(250);

    public AuditPipeSettings AuditPipe { get; init; } = new();
}
