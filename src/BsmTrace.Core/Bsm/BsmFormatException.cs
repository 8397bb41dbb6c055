namespace BsmTrace.Bsm;

/// <summary>
/// Damaged or malformed BSM data, with the byte offset in the stream where the
/// damage begins. Raised only where a caller asked for strictness; the record
/// reader reports damage as <see cref="BsmDamage"/> values and keeps going.
/// </summary>
public sealed class BsmFormatException : Exception
{
    public BsmFormatException() { }

    public BsmFormatException(string message) : base(message) { }

    public BsmFormatException(string message, Exception innerException) : base(message, innerException) { }

    public BsmFormatException(string message, long byteOffset) : base(message) => ByteOffset = byteOffset;

    /// <summary>Offset of the damaged byte from the start of the stream, or -1 when unknown.</summary>
    public long ByteOffset { get; } = -1;
}
