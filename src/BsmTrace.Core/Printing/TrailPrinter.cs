using System.Text.Encodings.Web;
using System.Text.Json;
using BsmTrace.Bsm;
using BsmTrace.Events;
using BsmTrace.Unix;

namespace BsmTrace.Printing;

/// <summary>
/// Prints trails the way praudit does (or as JSON lines), record by record,
/// flushing after each record so that a live pipe can be watched. Damage is
/// reported through the callback and printing goes on with the next intact
/// record.
/// </summary>
public sealed class TrailPrinter
{
    private readonly PrintOptions _options;
    private readonly AuditEventTable _events;
    private readonly ByteOutput _buffer = new();
    private readonly PrauditTokenWriter _praudit;

    public TrailPrinter(PrintOptions options, AuditEventTable events, UserDatabase? users, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _events = events;
        _praudit = new PrauditTokenWriter(_buffer, options, events, users, zone);
    }

    /// <summary>What praudit prints before the first record in XML mode.</summary>
    public void WriteStart(Stream output)
    {
        if (_options.Xml && !_options.Json)
            Write(output, "<?xml version='1.0' ?>\n<audit>\n");
    }

    /// <summary>What praudit prints after the last record in XML mode.</summary>
    public void WriteEnd(Stream output)
    {
        if (_options.Xml && !_options.Json)
            Write(output, "</audit>\n");
        output.Flush();
    }

    /// <summary>Prints every record of <paramref name="input"/>. Returns how many pieces of damage were reported.</summary>
    public long Print(Stream input, Stream output, Action<BsmDamage> damaged, BsmReaderOptions? readerOptions = null)
    {
        using var reader = new BsmRecordReader(input, readerOptions, leaveOpen: true);
        reader.Damaged += damaged;
        while (reader.TryReadFrame(out var frame))
        {
            _buffer.Clear();
            if (_options.Json)
                WriteJson(frame, reader);
            else
                WritePraudit(frame, reader);
            output.Write(_buffer.WrittenSpan);
            output.Flush();
        }

        return reader.DamageCount;
    }

    private void WritePraudit(BsmFrame frame, BsmRecordReader reader)
    {
        var bytes = frame.Bytes.Span;
        int at = 0;
        while (at < bytes.Length)
        {
            var token = bytes[at..];
            var measure = BsmTokenLayout.Measure(token, out int length);
            if (measure == TokenMeasure.Unknown && frame.Kind == BsmFrameKind.Record && at < bytes.Length - BsmTokenTypes.TrailerSize)
            {
                // Like libbsm, take everything up to the trailer as the unknown token, then go on with the trailer.
                var rest = bytes[(at + 1)..^BsmTokenTypes.TrailerSize];
                TokenDescriber.DescribeUnknown(token[0], rest, _praudit);
                reader.Report(new BsmDamage(BsmDamageKind.UnknownToken, frame.Offset + at, rest.Length + 1,
                    $"unknown token type 0x{token[0]:x2} in the record at byte {frame.Offset}; printed the rest of the record as data"));
                length = bytes.Length - BsmTokenTypes.TrailerSize - at;
            }
            else if (measure != TokenMeasure.Ok)
            {
                var problem = new RecordProblem(measure, at, token[0]);
                reader.Report(new BsmDamage(BsmDamageKind.MalformedToken, frame.Offset + at, bytes.Length - at,
                    $"{problem.Describe()} in the record at byte {frame.Offset}; the rest of the record is not printed"));
                break;
            }
            else
            {
                TokenDescriber.Describe(token[..length], _praudit);
            }

            at += length;
            if (_options.OneLine)
            {
                if (!_options.Xml)
                    _buffer.Write(_options.Delimiter);
            }
            else
            {
                _buffer.Write((byte)'\n');
            }
        }

        if (_options.OneLine)
            _buffer.Write((byte)'\n');
    }

    private void WriteJson(BsmFrame frame, BsmRecordReader reader)
    {
        var sink = new JsonBufferSink(_buffer);
        using (var json = new Utf8JsonWriter(sink, RecordJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("offset", frame.Offset);
            json.WriteString("kind", frame.Kind == BsmFrameKind.Record ? "record" : "file");
            var problem = RecordJson.WriteTokens(json, frame.Bytes.Span, frame.Kind == BsmFrameKind.Record, _events);
            if (problem is { } p)
            {
                reader.Report(new BsmDamage(p.Kind, frame.Offset + p.At, p.Length, p.Kind == BsmDamageKind.UnknownToken
                    ? $"{p.What} in the record at byte {frame.Offset}; printed the rest of the record as data"
                    : $"{p.What} in the record at byte {frame.Offset}; the rest of the record is not printed"));
            }

            json.WriteEndObject();
        }

        _buffer.Write((byte)'\n');
    }

    private static void Write(Stream output, string text) => output.Write(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Lets Utf8JsonWriter write straight into the record's output buffer.</summary>
    private sealed class JsonBufferSink(ByteOutput output) : System.Buffers.IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[1024];

        public void Advance(int count) => output.Write(_scratch.AsSpan(0, count));

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (sizeHint > _scratch.Length)
                _scratch = new byte[Math.Max(sizeHint, _scratch.Length * 2)];
            return _scratch;
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
