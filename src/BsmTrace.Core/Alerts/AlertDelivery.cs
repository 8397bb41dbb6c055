namespace BsmTrace.Alerts;

/// <summary>What publishing does when an output's queue is full.</summary>
public enum AlertDelivery
{
    /// <summary>
    /// Wait for room: matching, and through it the reader, wait for the output. For every source
    /// that can wait (a file, stdin, a FIFO): no alert is ever let go.
    /// </summary>
    Wait,

    /// <summary>
    /// Let the alert go for that output, count it and say so: for the audit pipe, whose kernel
    /// queue drops records (and blames no one) when bsmtrace stops reading.
    /// </summary>
    DropWhenFull,
}
