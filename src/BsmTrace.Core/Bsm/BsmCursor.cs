using System.Buffers.Binary;

namespace BsmTrace.Bsm;

/// <summary>
/// Reads a token's fields in order: big-endian integers with BinaryPrimitives,
/// counted strings, fixed runs of bytes. The token has been measured before it
/// is read, so a read past its end is a bug and throws.
/// </summary>
public ref struct BsmCursor
{
    private readonly ReadOnlySpan<byte> _data;
    private int _at;

    public BsmCursor(ReadOnlySpan<byte> data, int start = 0)
    {
        _data = data;
        _at = start;
    }

    public readonly int Position => _at;

    public readonly ReadOnlySpan<byte> Remaining => _data[_at..];

    public byte U8() => _data[_at++];

    public ushort U16()
    {
        var v = BinaryPrimitives.ReadUInt16BigEndian(_data[_at..]);
        _at += 2;
        return v;
    }

    public uint U32()
    {
        var v = BinaryPrimitives.ReadUInt32BigEndian(_data[_at..]);
        _at += 4;
        return v;
    }

    public ulong U64()
    {
        var v = BinaryPrimitives.ReadUInt64BigEndian(_data[_at..]);
        _at += 8;
        return v;
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        var v = _data.Slice(_at, count);
        _at += count;
        return v;
    }

    /// <summary>A 16-bit count followed by that many bytes.</summary>
    public ReadOnlySpan<byte> Counted16() => Bytes(U16());

    /// <summary>Bytes up to and including the next NUL; the NUL is not returned.</summary>
    public ReadOnlySpan<byte> CString()
    {
        int nul = _data[_at..].IndexOf((byte)0);
        var v = _data.Slice(_at, nul);
        _at += nul + 1;
        return v;
    }
}
