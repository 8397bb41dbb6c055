namespace BsmTrace.Bsm;

/// <summary>
/// One piece of damage found while reading a trail: where it starts, how many
/// bytes it cost, and a sentence for the administrator.
/// </summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Offset">Byte offset in the stream where the damage starts.</param>
/// <param name="Length">Bytes passed over because of it (0 when nothing was skipped).</param>
/// <param name="Message">One line that says what was found and what was done.</param>
public sealed record BsmDamage(BsmDamageKind Kind, long Offset, long Length, string Message)
{
    public override string ToString() => $"byte {Offset}: {Message}";
}
