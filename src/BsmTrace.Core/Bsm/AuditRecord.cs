using System.Buffers.Binary;

namespace BsmTrace.Bsm;

/// <summary>
/// One audit record: a view over its raw bytes with the few fields the matcher
/// needs decoded eagerly, in one pass and without allocating. Everything else
/// is decoded on demand from <see cref="Raw"/> (see <see cref="Printing.TokenDescriber"/>).
/// </summary>
public readonly struct AuditRecord
{
    private readonly int _pathStart;
    private readonly int _pathLength;
    private readonly int _zoneStart;
    private readonly int _zoneLength;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private AuditRecord(ReadOnlyMemory<byte> raw, long offset, ushort eventType, ushort modifier, long seconds, uint milliseconds,
        bool hasSubject, SubjectIds subject, bool hasReturn, byte status, long returnValue, int pathStart, int pathLength,
        bool hasAttribute, uint fileSystemId, ulong inode, int zoneStart, int zoneLength)
    {
        Raw = raw;
        Offset = offset;
        EventType = eventType;
        Modifier = modifier;
        Seconds = seconds;
        Milliseconds = milliseconds;
        HasSubject = hasSubject;
        Subject = subject;
        HasReturn = hasReturn;
        Status = status;
        ReturnValue = returnValue;
        _pathStart = pathStart;
        _pathLength = pathLength;
        HasAttribute = hasAttribute;
        FileSystemId = fileSystemId;
        Inode = inode;
        _zoneStart = zoneStart;
        _zoneLength = zoneLength;
    }

    /// <summary>The whole record, header to trailer, exactly as read.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>Offset of the record's first byte in its source.</summary>
    public long Offset { get; }

    public ushort EventType { get; }
    public ushort Modifier { get; }

    /// <summary>Seconds since the epoch, from the header.</summary>
    public long Seconds { get; }

    /// <summary>The header's millisecond field.</summary>
    public uint Milliseconds { get; }

    /// <summary>Whether the record carries a subject token; when false, <see cref="Subject"/> is all zeros and means nothing.</summary>
    public bool HasSubject { get; }
    public SubjectIds Subject { get; }

    /// <summary>Whether the record carries a return token.</summary>
    public bool HasReturn { get; }

    /// <summary>The return token's error byte (a BSM errno); 0, success, when there is no return token.</summary>
    public byte Status { get; }
    public long ReturnValue { get; }

    public bool IsSuccess => Status == 0;

    /// <summary>Whether the record has a path token.</summary>
    public bool HasPath => _pathStart >= 0;

    /// <summary>The last path token's bytes, without its terminating NUL; empty when there is none.</summary>
    public ReadOnlySpan<byte> Path => HasPath ? Raw.Span.Slice(_pathStart, _pathLength) : default;

    /// <summary>The path's bytes as memory over <see cref="Raw"/>: a batch keeps it without copying.</summary>
    public ReadOnlyMemory<byte> PathMemory => HasPath ? Raw.Slice(_pathStart, _pathLength) : default;

    /// <summary>Whether the record has an attribute token (attr32 or attr64); its fsid and inode then identify the file.</summary>
    public bool HasAttribute { get; }
    public uint FileSystemId { get; }
    public ulong Inode { get; }

    public bool HasZoneName => _zoneStart >= 0;

    /// <summary>The zonename token's bytes without the NUL; empty when there is none.</summary>
    public ReadOnlySpan<byte> ZoneName => HasZoneName ? Raw.Span.Slice(_zoneStart, _zoneLength) : default;

    /// <summary>
    /// Decodes the summary of a record whose framing (header length and trailer)
    /// the reader has already checked. Returns false, with a description of the
    /// first bad token, when a token is unknown or malformed.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> raw, long offset, out AuditRecord record, out RecordProblem problem)
    {
        record = default;
        problem = default;
        var span = raw.Span;

        ushort eventType = 0, modifier = 0;
        long seconds = 0;
        uint msec = 0;
        bool hasSubject = false, hasReturn = false, hasAttr = false;
        SubjectIds subject = default;
        byte status = 0;
        long returnValue = 0;
        int pathStart = -1, pathLength = 0, zoneStart = -1, zoneLength = 0;
        uint fsid = 0;
        ulong inode = 0;

        int at = 0;
        while (at < span.Length)
        {
            var token = span[at..];
            int length = BsmTokenLayout.FixedSize(token[0]);
            if (length == 0 || length > token.Length)
            {
                var measure = BsmTokenLayout.Measure(token, out length);
                if (measure != TokenMeasure.Ok)
                {
                    problem = new RecordProblem(measure, at, token[0]);
                    return false;
                }
            }

            switch ((BsmTokenType)token[0])
            {
                case BsmTokenType.Header32:
                    ReadHeaderStart(token, out eventType, out modifier);
                    seconds = BinaryPrimitives.ReadUInt32BigEndian(token[10..]);
                    msec = BinaryPrimitives.ReadUInt32BigEndian(token[14..]);
                    break;
                case BsmTokenType.Header64:
                    ReadHeaderStart(token, out eventType, out modifier);
                    seconds = (long)BinaryPrimitives.ReadUInt64BigEndian(token[10..]);
                    msec = (uint)BinaryPrimitives.ReadUInt64BigEndian(token[18..]);
                    break;
                case BsmTokenType.Header32Ex:
                {
                    ReadHeaderStart(token, out eventType, out modifier);
                    int timeAt = 14 + (int)BinaryPrimitives.ReadUInt32BigEndian(token[10..]);
                    seconds = BinaryPrimitives.ReadUInt32BigEndian(token[timeAt..]);
                    msec = BinaryPrimitives.ReadUInt32BigEndian(token[(timeAt + 4)..]);
                    break;
                }
                case BsmTokenType.Header64Ex:
                {
                    ReadHeaderStart(token, out eventType, out modifier);
                    int timeAt = 14 + (int)BinaryPrimitives.ReadUInt32BigEndian(token[10..]);
                    seconds = (long)BinaryPrimitives.ReadUInt64BigEndian(token[timeAt..]);
                    msec = (uint)BinaryPrimitives.ReadUInt64BigEndian(token[(timeAt + 8)..]);
                    break;
                }
                case BsmTokenType.Subject32:
                case BsmTokenType.Subject64:
                case BsmTokenType.Subject32Ex:
                case BsmTokenType.Subject64Ex:
                    if (!hasSubject)
                    {
                        hasSubject = true;
                        subject = ReadIds(token);
                    }
                    break;
                case BsmTokenType.Return32:
                    if (!hasReturn)
                    {
                        hasReturn = true;
                        status = token[1];
                        returnValue = BinaryPrimitives.ReadUInt32BigEndian(token[2..]);
                    }
                    break;
                case BsmTokenType.Return64:
                    if (!hasReturn)
                    {
                        hasReturn = true;
                        status = token[1];
                        returnValue = (long)BinaryPrimitives.ReadUInt64BigEndian(token[2..]);
                    }
                    break;
                case BsmTokenType.Path:
                    // The matcher wants the last path of the record (the object after symlinks and lookups).
                    pathStart = at + 3;
                    pathLength = CStringLength(token[3..length]);
                    break;
                case BsmTokenType.ZoneName:
                    zoneStart = at + 3;
                    zoneLength = CStringLength(token[3..length]);
                    break;
                case BsmTokenType.Attr32:
                case BsmTokenType.Attr64:
                    hasAttr = true;
                    fsid = BinaryPrimitives.ReadUInt32BigEndian(token[13..]);
                    inode = BinaryPrimitives.ReadUInt64BigEndian(token[17..]);
                    break;
            }

            at += length;
        }

        record = new AuditRecord(raw, offset, eventType, modifier, seconds, msec, hasSubject, subject, hasReturn, status,
            returnValue, pathStart, pathLength, hasAttr, fsid, inode, zoneStart, zoneLength);
        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void ReadHeaderStart(ReadOnlySpan<byte> token, out ushort eventType, out ushort modifier)
    {
        eventType = BinaryPrimitives.ReadUInt16BigEndian(token[6..]);
        modifier = BinaryPrimitives.ReadUInt16BigEndian(token[8..]);
    }

    /// <summary>The seven ids shared by the subject and process tokens, which all start the same way.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static SubjectIds ReadIds(ReadOnlySpan<byte> token) => new(
        BinaryPrimitives.ReadUInt32BigEndian(token[1..]),
        BinaryPrimitives.ReadUInt32BigEndian(token[5..]),
        BinaryPrimitives.ReadUInt32BigEndian(token[9..]),
        BinaryPrimitives.ReadUInt32BigEndian(token[13..]),
        BinaryPrimitives.ReadUInt32BigEndian(token[17..]),
        BinaryPrimitives.ReadUInt32BigEndian(token[21..]),
        BinaryPrimitives.ReadUInt32BigEndian(token[25..]));

    /// <summary>Length of a string field up to its first NUL (BSM strings carry their NUL inside the counted bytes).</summary>
    internal static int CStringLength(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return nul < 0 ? field.Length : nul;
    }
}
