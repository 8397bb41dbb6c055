using System.Buffers.Binary;

namespace BsmTrace.Bsm;

/// <summary>
/// Reads a BSM trail record by record from any stream (a file, a pipe, stdin, a
/// FIFO or an audit pipe device) without loading it whole: the header gives each
/// record's length, and the trailer at that length must agree.
/// </summary>
/// <remarks>
/// Damage never stops the reader. A record whose length is impossible or whose
/// trailer does not match is reported through <see cref="Damaged"/> with its byte
/// offset, and the reader resynchronises on the next offset where a header and a
/// matching trailer (magic 0xb105 and the same length) line up, so a damaged
/// record costs that record and never the rest of the trail.
/// </remarks>
public sealed class BsmRecordReader : IDisposable
{
    private const int MinimumRecordSize = 18 + BsmTokenTypes.TrailerSize; // header32 + trailer
    private const int FileTokenFixedSize = 11;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly BsmReaderOptions _options;
    // Large enough that a trail file is read in few system calls and the partial record at the
    // end of each read is moved back to the start rarely (64 KB read the benchmark trail ~5% slower).
    private byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private long _bufferBase; // stream offset of _buffer[0]
    private bool _endOfStream;

    /// <param name="startOffset">Where in its file the stream begins (a trail read on from a checkpoint): offsets count from the file's start.</param>
    public BsmRecordReader(Stream stream, BsmReaderOptions? options = null, bool leaveOpen = false, long startOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? BsmReaderOptions.Default;
        _bufferBase = startOffset;
    }

    /// <summary>Called for every piece of damage, in stream order.</summary>
    public event Action<BsmDamage>? Damaged;

    /// <summary>How many pieces of damage were reported so far.</summary>
    public long DamageCount { get; private set; }

    /// <summary>Bytes the reader's buffer holds room for (for the tests of its bound).</summary>
    internal int BufferCapacity => _buffer.Length;

    /// <summary>Offset in the stream of the next byte to frame.</summary>
    public long Position => _bufferBase + _start;

    /// <summary>
    /// Whether the next record can be framed from what is already buffered,
    /// without reading the stream. A live source hands its batch on when this
    /// is false, since the next read may wait for the kernel.
    /// </summary>
    public bool HasBufferedFrame
    {
        get
        {
            int available = _end - _start;
            if (available < 5)
                return false;
            byte id = _buffer[_start];
            if (BsmTokenTypes.IsHeader(id))
                return BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + 1)) <= (uint)available;
            return id == (byte)BsmTokenType.OtherFile32
                && available >= FileTokenFixedSize
                && FileTokenFixedSize + BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 9)) <= available;
        }
    }

    /// <summary>
    /// Frames the next record or file token. Returns false at the end of the
    /// stream. The frame's bytes stay valid until the next call.
    /// </summary>
    public bool TryReadFrame(out BsmFrame frame)
    {
        while (true)
        {
            frame = default;
            if (!Ensure(1))
                return false;

            byte id = _buffer[_start];
            long offset = Position;

            if (BsmTokenTypes.IsHeader(id))
            {
                if (!Ensure(5))
                {
                    ReportTruncated(offset, declared: null, discarded: 0);
                    return false;
                }

                uint declared = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + 1));
                if (declared < MinimumRecordSize || declared > (uint)_options.MaxRecordSize)
                {
                    Resynchronise(offset, $"record declares a length of {declared} bytes, " +
                        (declared < MinimumRecordSize ? $"less than the {MinimumRecordSize} a record needs" : $"more than the maximum of {_options.MaxRecordSize}"),
                        BsmDamageKind.ImpossibleLength);
                    continue;
                }

                int length = (int)declared;
                if (!Ensure(length))
                {
                    // Either the trail was cut short (a crash, a full disk) or the
                    // length is wrong and a good record follows: look before deciding.
                    if (Resynchronise(offset, $"record declares {length} bytes but the trail ends after {_end - _start}", BsmDamageKind.TrailerMismatch, out long passed, reportIfNothingFound: false))
                        continue;
                    ReportTruncated(offset, declared: length, passed);
                    return false;
                }

                if (!TrailerMatches(_buffer.AsSpan(_start, length)))
                {
                    Resynchronise(offset, $"record of {length} bytes does not end in a trailer of the same length", BsmDamageKind.TrailerMismatch);
                    continue;
                }

                frame = new BsmFrame(BsmFrameKind.Record, offset, _buffer.AsMemory(_start, length));
                _start += length;
                return true;
            }

            if (id == (byte)BsmTokenType.OtherFile32)
            {
                // Framed only when it is whole and well formed, as resynchronisation judges one: a
                // stray 0x11 with a large length would otherwise pass whole records by unreported.
                if (IsRecordStart(0))
                {
                    int length = FileTokenFixedSize + BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 9));
                    frame = new BsmFrame(BsmFrameKind.FileToken, offset, _buffer.AsMemory(_start, length));
                    _start += length;
                    return true;
                }

                int? declared = Ensure(FileTokenFixedSize) ? FileTokenFixedSize + BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 9)) : null;
                if (Resynchronise(offset, "file token is not whole or not well formed", BsmDamageKind.Garbage, out long passed, reportIfNothingFound: false))
                    continue;
                ReportTruncated(offset, declared, passed);
                return false;
            }

            Resynchronise(offset, $"byte 0x{id:x2} does not start a record", BsmDamageKind.Garbage);
        }
    }

    /// <summary>
    /// Reads the next audit record and decodes its summary, skipping file tokens.
    /// A record with an unknown or malformed token is reported and skipped by its
    /// header's length.
    /// </summary>
    public bool TryRead(out AuditRecord record)
    {
        while (TryReadFrame(out var frame))
        {
            if (frame.Kind != BsmFrameKind.Record)
                continue;
            if (AuditRecord.TryParse(frame.Bytes, frame.Offset, out record, out var problem))
                return true;
            ReportUndecodable(frame, problem);
        }

        record = default;
        return false;
    }

    /// <summary>Reports a framed record that could not be decoded (skipped by its header's length), for a caller that decodes frames itself.</summary>
    public void ReportUndecodable(in BsmFrame frame, in RecordProblem problem)
    {
        var kind = problem.Measure == TokenMeasure.Unknown ? BsmDamageKind.UnknownToken : BsmDamageKind.MalformedToken;
        Report(new BsmDamage(kind, frame.Offset + problem.OffsetInRecord, frame.Bytes.Length,
            $"{problem.Describe()} in the record at byte {frame.Offset}; skipped the record ({frame.Bytes.Length} bytes)"));
    }

    /// <summary>Reports damage found by a caller that walks tokens itself (the printer), so that counts stay in one place.</summary>
    public void Report(BsmDamage damage)
    {
        DamageCount++;
        Damaged?.Invoke(damage);
    }

    private static bool TrailerMatches(ReadOnlySpan<byte> record)
    {
        var trailer = record[^BsmTokenTypes.TrailerSize..];
        return trailer[0] == (byte)BsmTokenType.Trailer
            && BinaryPrimitives.ReadUInt16BigEndian(trailer[1..]) == BsmTokenTypes.TrailerMagic
            && BinaryPrimitives.ReadUInt32BigEndian(trailer[3..]) == (uint)record.Length;
    }

    /// <summary>
    /// Skips forward from the damaged offset to the next place where a record
    /// (header and matching trailer) or a file token begins, and reports the
    /// bytes skipped. Returns false when the stream ended first.
    /// </summary>
    /// <remarks>
    /// What is buffered is looked at first: a candidate that needs bytes not read yet is put off,
    /// and one later in the buffer that proves itself (its trailer agrees) is taken. Only when
    /// nothing buffered proves itself is the stream read on to decide the first candidate put off.
    /// A live stream (a quiet FIFO) may not send those bytes for a long time, and a record that
    /// followed the damage, whole in the buffer, must not wait for them.
    /// </remarks>
    private bool Resynchronise(long damagedAt, string what, BsmDamageKind kind, bool reportIfNothingFound = true) =>
        Resynchronise(damagedAt, what, kind, out _, reportIfNothingFound);

    /// <param name="discarded">Bytes let go from the buffer while scanning (when nothing is found, the caller's report counts them).</param>
    private bool Resynchronise(long damagedAt, string what, BsmDamageKind kind, out long discarded, bool reportIfNothingFound)
    {
        int scan = 1;
        int putOff = -1;
        // Skipped bytes are dropped from the buffer as the scan passes them, so that a long run of
        // damage (oversized records, garbage) costs at most a record's worth of memory, not the
        // run's; and "skipped" counts them all.
        discarded = 0;
        while (true)
        {
            if (scan >= _end - _start)
            {
                if (putOff >= 0)
                {
                    // Nothing buffered proved itself: read on to decide the first candidate put off.
                    Discard(putOff, ref discarded);
                    scan = 0;
                    putOff = -1;
                    if (IsRecordStart(scan))
                        return Resynchronised(damagedAt, what, kind, scan, discarded);
                    scan++;
                    continue;
                }

                Discard(scan, ref discarded);
                scan = 0;
                if (!Ensure(scan + 1))
                {
                    if (!reportIfNothingFound)
                        return false;
                    long skipped = discarded + (_end - _start);
                    Report(new BsmDamage(kind, damagedAt, skipped, $"{what}; no intact record follows, skipped the last {skipped} bytes"));
                    _start = _end;
                    return false;
                }
            }

            switch (Candidate(scan))
            {
                case Verdict.Record:
                    return Resynchronised(damagedAt, what, kind, scan, discarded);
                case Verdict.Undecided when putOff < 0:
                    putOff = scan;
                    break;
            }

            scan++;
        }
    }

    /// <summary>Lets go of the first <paramref name="count"/> buffered bytes, judged to be damage.</summary>
    private void Discard(int count, ref long discarded)
    {
        _start += count;
        discarded += count;
    }

    private bool Resynchronised(long damagedAt, string what, BsmDamageKind kind, int scan, long discarded)
    {
        long skipped = discarded + scan;
        Report(new BsmDamage(kind, damagedAt, skipped, $"{what}; skipped {skipped} bytes to the next intact record at byte {damagedAt + skipped}"));
        _start += scan;
        return true;
    }

    private enum Verdict
    {
        NotRecord,
        Record,
        Undecided,
    }

    /// <summary>Whether a record or file token starts at <c>_start + at</c>, judged from the bytes buffered alone.</summary>
    private Verdict Candidate(int at)
    {
        int available = _end - _start;
        byte id = _buffer[_start + at];
        if (BsmTokenTypes.IsHeader(id))
        {
            if (available < at + 5)
                return Verdict.Undecided;
            uint declared = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + at + 1));
            if (declared < MinimumRecordSize || declared > (uint)_options.MaxRecordSize)
                return Verdict.NotRecord;
            if (available < at + (int)declared)
                return Verdict.Undecided;
            return TrailerMatches(_buffer.AsSpan(_start + at, (int)declared)) ? Verdict.Record : Verdict.NotRecord;
        }

        if (id == (byte)BsmTokenType.OtherFile32)
        {
            if (available < at + FileTokenFixedSize)
                return Verdict.Undecided;
            int nameLength = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + at + 9));
            if (nameLength == 0 || nameLength > _options.MaxFileNameLength)
                return Verdict.NotRecord;
            int length = FileTokenFixedSize + nameLength;
            if (available < at + length + 1)
                return Verdict.Undecided;
            if (_buffer[_start + at + length - 1] != 0)
                return Verdict.NotRecord;
            byte next = _buffer[_start + at + length];
            return BsmTokenTypes.IsHeader(next) || next == (byte)BsmTokenType.OtherFile32 ? Verdict.Record : Verdict.NotRecord;
        }

        return Verdict.NotRecord;
    }

    /// <summary>Whether a record or file token starts at <c>_start + at</c>, judged by its framing alone, reading on as far as it takes.</summary>
    private bool IsRecordStart(int at)
    {
        byte id = _buffer[_start + at];
        if (BsmTokenTypes.IsHeader(id))
        {
            if (!Ensure(at + 5))
                return false;
            uint declared = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + at + 1));
            if (declared < MinimumRecordSize || declared > (uint)_options.MaxRecordSize)
                return false;
            return Ensure(at + (int)declared) && TrailerMatches(_buffer.AsSpan(_start + at, (int)declared));
        }

        if (id == (byte)BsmTokenType.OtherFile32)
        {
            // A file token has no trailer; accept it only when its name is a NUL-terminated
            // string and it is followed by a header, another file token (trails joined: the
            // closing one of a trail, the opening one of the next) or the end.
            if (!Ensure(at + FileTokenFixedSize))
                return false;
            int nameLength = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + at + 9));
            if (nameLength == 0 || nameLength > _options.MaxFileNameLength)
                return false;
            int length = FileTokenFixedSize + nameLength;
            if (!Ensure(at + length) || _buffer[_start + at + length - 1] != 0)
                return false;
            return !Ensure(at + length + 1) || BsmTokenTypes.IsHeader(_buffer[_start + at + length]) || _buffer[_start + at + length] == (byte)BsmTokenType.OtherFile32;
        }

        return false;
    }

    private void ReportTruncated(long offset, int? declared, long discarded)
    {
        long available = discarded + (_end - _start);
        string what = declared is { } d
            ? $"trail ends inside a record: it declares {d} bytes, only {available} are there"
            : $"trail ends inside a record after {available} bytes";
        Report(new BsmDamage(BsmDamageKind.Truncated, offset, available, what));
        _start = _end;
    }

    /// <summary>Makes sure at least <paramref name="count"/> bytes are buffered from <c>_start</c>; false at the end of the stream.</summary>
    private bool Ensure(int count)
    {
        if (_end - _start >= count)
            return true;
        if (_endOfStream)
            return false;

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _bufferBase += _start;
            _end -= _start;
            _start = 0;
        }

        if (count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(count, _buffer.Length * 2));

        while (_end < count)
        {
            int read = _stream.ReadAtLeast(_buffer.AsSpan(_end), count - _end, throwOnEndOfStream: false);
            _end += read;
            if (_end < count)
            {
                _endOfStream = true;
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
            _stream.Dispose();
    }
}
