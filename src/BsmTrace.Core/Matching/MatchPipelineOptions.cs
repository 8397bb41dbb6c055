namespace BsmTrace.Matching;

/// <summary>How one source is read into batches: their size, how many may wait, and what the reader does when the matchers are behind.</summary>
public sealed record MatchPipelineOptions
{
    /// <summary>
    /// Records per batch handed from the reader to the matchers. Large, because
    /// each hand-off wakes threads (the profile of a 2,000,000-record run showed
    /// the time going to waits, not work, with 1,024); a live source hands a
    /// batch on early anyway, as soon as no record waits behind it.
    /// </summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>
    /// <see cref="BatchSize"/> for a file read to its end: twice the default, half the hand-offs.
    /// Each hand-off costs both threads a wait (spinning, then sleeping); over 2,000,000 records,
    /// alternating runs took 0.84 s of CPU with this against 0.90 s with 8,192, and 0.86 s with
    /// 32,768, whose larger batches are more memory to touch. A live source makes its batches up
    /// front, ten of them, and keeps the default.
    /// </summary>
    public const int FileBatchSize = 16_384;

    /// <summary>
    /// Batches that may wait between the reader and the matchers; a file source waits when they
    /// are all full. Two keep both threads busy on a file (more only touch more memory: 2.5
    /// megabytes a batch of 8,192 records, and 2,600 fewer page faults over the 20,000-user
    /// benchmark run with two than with eight); the service sets its own, with room for bursts
    /// of a live source.
    /// </summary>
    public int QueuedBatches { get; init; } = 2;

    /// <summary>
    /// A live source (a pipe, FIFO or device): a batch is handed on as soon as
    /// no further record is already buffered, so that an alert does not wait for
    /// the batch to fill.
    /// </summary>
    public bool Live { get; init; }

    /// <summary>
    /// Let records go (counted) rather than wait when every batch is taken: for
    /// the audit pipe, whose kernel queue must never be held up. A FIFO or a file
    /// waits instead: its writer can.
    /// </summary>
    public bool DropWhenBehind { get; init; }

    public Bsm.BsmReaderOptions Reader { get; init; } = Bsm.BsmReaderOptions.Default;
}
