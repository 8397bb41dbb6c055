namespace BsmTrace.Printing;

/// <summary>
/// Receives one token's fields in order, each with its JSON name and its
/// praudit XML attribute (null where praudit prints the value as the element's
/// content). <see cref="TokenDescriber"/> walks a token once and drives any of
/// the output forms through this.
/// </summary>
internal abstract class TokenWriter
{
    /// <summary>praudit's XML form.</summary>
    public virtual bool IsXml => false;

    /// <summary>praudit's raw (-r) form.</summary>
    public virtual bool IsRaw => false;

    /// <summary>
    /// True for the forms that reproduce praudit byte for byte, quirks included;
    /// false for JSON, which reports what the token holds.
    /// </summary>
    public virtual bool IsPraudit => true;

    /// <param name="id">The token id.</param>
    /// <param name="name">praudit's name for the token (also the JSON "type").</param>
    /// <param name="xmlOpen">What praudit's XML prints to open it ("" where praudit prints nothing).</param>
    public abstract void Begin(byte id, string name, string xmlOpen);

    /// <param name="xmlClose">What praudit's XML prints to close it.</param>
    public abstract void End(string xmlClose);

    /// <summary>printf %u.</summary>
    public abstract void Unsigned(string json, string? xml, ulong value);

    /// <summary>printf %d of an unsigned field (ids print signed: auid -1).</summary>
    public abstract void Signed(string json, string? xml, long value);

    /// <summary>printf 0x%x.</summary>
    public abstract void Hex(string json, string? xml, ulong value);

    /// <summary>printf %#x: like 0x%x, but a zero prints as "0".</summary>
    public abstract void AlternateHex(string json, string? xml, ulong value);

    /// <summary>printf %o.</summary>
    public abstract void Octal(string json, string? xml, ulong value);

    public abstract void User(string json, string? xml, uint id);

    public abstract void Group(string json, string? xml, uint id);

    public abstract void Event(string json, string? xml, ushort number);

    public abstract void Time(string json, string? xml, ulong seconds);

    public abstract void Milliseconds(string json, string? xml, ulong milliseconds);

    /// <summary>Bytes printed as they are, NULs left out (praudit's print_string).</summary>
    public abstract void String(string json, string? xml, ReadOnlySpan<byte> bytes);

    /// <summary>Bytes as "0x" and two hex digits each.</summary>
    public abstract void Memory(string json, string? xml, ReadOnlySpan<byte> bytes);

    /// <summary>Text that is already formatted: an address, a literal word.</summary>
    public abstract void Text(string json, string? xml, string text);

    /// <summary>A return token's error byte.</summary>
    public abstract void ReturnStatus(string json, string? xml, byte status);

    /// <summary>A list of strings (exec arguments, environment): praudit XML wraps each in the element named.</summary>
    public abstract void StringList(string json, string xmlElement, IReadOnlyList<ReadOnlyMemory<byte>> items);

    /// <summary>A list of numbers: only JSON prints lists this way; praudit prints each number as its own field.</summary>
    public virtual void NumberList(string json, IReadOnlyList<uint> values)
    {
    }

    /// <summary>Bytes written as they are to the praudit forms and ignored by JSON: for the few places where praudit's output has no field behind it.</summary>
    public abstract void PrauditVerbatim(string text);
}
