using System.Buffers.Binary;

namespace BsmTrace.Bsm;

/// <summary>
/// The length of each token type, computed from its fixed fields and its own
/// length fields, without decoding anything else. This is what lets the reader
/// walk a record on the hot path without allocating.
/// </summary>
public static class BsmTokenLayout
{
    /// <summary>OpenBSM bounds a socket-unix path at 104 bytes before its NUL.</summary>
    public const int SockUnixPathMax = 104;

    /// <summary>Measures the token that starts at <paramref name="data"/>[0].</summary>
    public static TokenMeasure Measure(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.IsEmpty)
            return TokenMeasure.Truncated;

        switch ((BsmTokenType)data[0])
        {
            case BsmTokenType.Header32Ex:
                return WithAddress(data, typeAt: 10, typeSize: 4, fixedSize: 22, out length);
            case BsmTokenType.Header64Ex:
                return WithAddress(data, typeAt: 10, typeSize: 4, fixedSize: 30, out length);
            case BsmTokenType.OtherFile32: return Counted16(data, countAt: 9, out length);
            case BsmTokenType.Path:
            case BsmTokenType.Text:
            case BsmTokenType.Opaque:
            case BsmTokenType.ZoneName:
                return Counted16(data, countAt: 1, out length);
            case BsmTokenType.Arg32: return Counted16(data, countAt: 6, out length);
            case BsmTokenType.Arg64: return Counted16(data, countAt: 10, out length);
            case BsmTokenType.ArgUuid:
            case BsmTokenType.ReturnUuid:
                return Counted16(data, countAt: 18, out length);
            case BsmTokenType.UsePrivilege: return Counted16(data, countAt: 2, out length);
            case BsmTokenType.Subject32Ex:
            case BsmTokenType.Process32Ex:
                return WithAddress(data, typeAt: 33, typeSize: 4, fixedSize: 37, out length);
            case BsmTokenType.Subject64Ex:
            case BsmTokenType.Process64Ex:
                return WithAddress(data, typeAt: 37, typeSize: 4, fixedSize: 41, out length);
            case BsmTokenType.InAddrEx:
                return WithAddress(data, typeAt: 1, typeSize: 4, fixedSize: 5, out length);
            case BsmTokenType.Data: return MeasureData(data, out length);
            case BsmTokenType.NewGroups: return MeasureGroups(data, out length);
            case BsmTokenType.ExecArgs:
            case BsmTokenType.ExecEnv:
                return MeasureStrings(data, out length);
            case BsmTokenType.SocketEx: return MeasureSocketEx(data, out length);
            case BsmTokenType.SockUnix: return MeasureSockUnix(data, out length);
            case BsmTokenType.Privilege: return MeasurePrivilege(data, out length);
            default:
                int size = FixedSizes[data[0]];
                return size == 0 ? TokenMeasure.Unknown : Fits(data, size, out length);
        }
    }

    /// <summary>
    /// The size of a token type whose size is fixed; 0 for a type whose size is in the token
    /// (or an unknown type). The decoder's fast path: most tokens of a record are of fixed size,
    /// and need no measuring beyond this lookup.
    /// </summary>
    public static int FixedSize(byte tokenId) => FixedSizes[tokenId];

    // Indexed by token id; 0 where the size is not fixed or the id unknown. Constant data in the
    // assembly (no static constructor), so the lookup inlines to one load in every compilation tier.
    private static ReadOnlySpan<byte> FixedSizes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x00
        0, 0, 0, 7, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x10: Trailer, Header32
        0, 0, 6, 0, 37, 0, 37, 6, 0, 0, 5, 21, 3, 0, 15, 5, // 0x20: Ipc, Subject32, Process32, Return32, InAddr, Ip, IPort, Socket, Seq
        0, 0, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 29, 0, // 0x30: IpcPerm, Attr32
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x40
        0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x50: Exit
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x60
        0, 0, 10, 33, 26, 41, 0, 41, 0, 0, 0, 0, 0, 0, 0, 0, // 0x70: Return64, Attr64, Header64, Subject64, Process64
        9, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x80: SockInet32, SockInet128
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x90
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xa0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xb0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xc0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xd0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xe0
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0xf0
    ];

    private static TokenMeasure Fits(ReadOnlySpan<byte> data, long need, out int length)
    {
        length = 0;
        if (need > data.Length)
            return TokenMeasure.Truncated;
        length = (int)need;
        return TokenMeasure.Ok;
    }

    /// <summary>A token whose last field is a 16-bit byte count followed by that many bytes.</summary>
    private static TokenMeasure Counted16(ReadOnlySpan<byte> data, int countAt, out int length)
    {
        length = 0;
        if (data.Length < countAt + 2)
            return TokenMeasure.Truncated;
        int count = BinaryPrimitives.ReadUInt16BigEndian(data[countAt..]);
        return Fits(data, countAt + 2 + count, out length);
    }

    /// <summary>A token with a 4-byte address type (4 or 16) followed by that many address bytes.</summary>
    private static TokenMeasure WithAddress(ReadOnlySpan<byte> data, int typeAt, int typeSize, int fixedSize, out int length)
    {
        length = 0;
        if (data.Length < typeAt + typeSize)
            return TokenMeasure.Truncated;
        uint type = typeSize == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(data[typeAt..])
            : BinaryPrimitives.ReadUInt16BigEndian(data[typeAt..]);
        if (type is not (BsmTokenTypes.AddressIPv4 or BsmTokenTypes.AddressIPv6))
            return TokenMeasure.Malformed;
        return Fits(data, fixedSize + type, out length);
    }

    private static TokenMeasure MeasureData(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < 4)
            return TokenMeasure.Truncated;
        int unit = DataUnitSize(data[2]);
        if (unit == 0)
            return TokenMeasure.Malformed;
        return Fits(data, 4 + unit * data[3], out length);
    }

    /// <summary>Bytes in one unit of a data token's basic unit, or 0 for an unknown unit.</summary>
    public static int DataUnitSize(byte basicUnit) => basicUnit switch
    {
        0 => 1, // byte / char
        1 => 2, // short
        2 => 4, // int32
        3 => 8, // int64
        _ => 0,
    };

    private static TokenMeasure MeasureGroups(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < 3)
            return TokenMeasure.Truncated;
        int count = BinaryPrimitives.ReadUInt16BigEndian(data[1..]);
        return Fits(data, 3 + 4L * count, out length);
    }

    private static TokenMeasure MeasureStrings(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < 5)
            return TokenMeasure.Truncated;
        uint count = BinaryPrimitives.ReadUInt32BigEndian(data[1..]);
        int at = 5;
        for (uint i = 0; i < count; i++)
        {
            int nul = data[at..].IndexOf((byte)0);
            if (nul < 0)
                return TokenMeasure.Truncated;
            at += nul + 1;
        }
        length = at;
        return TokenMeasure.Ok;
    }

    private static TokenMeasure MeasureSocketEx(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < 7)
            return TokenMeasure.Truncated;
        uint type = BinaryPrimitives.ReadUInt16BigEndian(data[5..]);
        if (type is not (BsmTokenTypes.AddressIPv4 or BsmTokenTypes.AddressIPv6))
            return TokenMeasure.Malformed;
        return Fits(data, 7 + 2 + type + 2 + type, out length);
    }

    private static TokenMeasure MeasureSockUnix(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < 3)
            return TokenMeasure.Truncated;
        var path = data[3..];
        int nul = path[..Math.Min(path.Length, SockUnixPathMax)].IndexOf((byte)0);
        if (nul < 0 && path.Length < SockUnixPathMax)
            return TokenMeasure.Truncated;
        int pathBytes = (nul < 0 ? SockUnixPathMax : nul) + 1;
        return Fits(data, 3 + pathBytes, out length);
    }

    private static TokenMeasure MeasurePrivilege(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < 3)
            return TokenMeasure.Truncated;
        int first = BinaryPrimitives.ReadUInt16BigEndian(data[1..]);
        int secondAt = 3 + first;
        if (data.Length < secondAt + 2)
            return TokenMeasure.Truncated;
        int second = BinaryPrimitives.ReadUInt16BigEndian(data[secondAt..]);
        return Fits(data, secondAt + 2 + second, out length);
    }
}
