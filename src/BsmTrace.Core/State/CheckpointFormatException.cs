namespace BsmTrace.State;

/// <summary>A checkpoint file that cannot be read: what is wrong, and at which byte.</summary>
public sealed class CheckpointFormatException(long offset, string problem) : Exception($"byte {offset}: {problem}")
{
    public long Offset { get; } = offset;

    public string Problem { get; } = problem;
}
