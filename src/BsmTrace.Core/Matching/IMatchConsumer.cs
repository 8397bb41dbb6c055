namespace BsmTrace.Matching;

/// <summary>
/// What a <see cref="MatchPipeline"/> hands its findings to: called on the matcher's thread, batch
/// by batch in stream order. Matching knows nothing of where alerts go; the run that owns the
/// pipeline does.
/// </summary>
public interface IMatchConsumer
{
    /// <summary>Before each batch is matched: the one place to swap what matching uses (a reloaded policy).</summary>
    void BeforeBatch(MatchPipeline pipeline);

    /// <summary>
    /// What one batch found. The next batch is matched only when this completes, so an output that
    /// makes it wait holds up matching and, through the pool of batches, the reader (backpressure).
    /// </summary>
    ValueTask ConsumeAsync(BatchResult result, RecordBatch batch, string source);
}
