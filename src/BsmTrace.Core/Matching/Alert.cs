using System.Globalization;
using BsmTrace.Bsm;
using BsmTrace.Policy;

namespace BsmTrace.Matching;

/// <summary>A sequence completed: everything the sinks report about it.</summary>
public sealed record Alert
{
    public required SequenceDefinition Sequence { get; init; }

    /// <summary>The alert's id (<see cref="AlertId"/>): the same when the same record completes the same instance again, after an unclean stop.</summary>
    public string Id { get; init; } = "";

    /// <summary>The keyed subject field's value (auid for <c>subject any</c>).</summary>
    public required uint Subject { get; init; }

    /// <summary>Whether the records had a subject token; when not, <see cref="Subject"/> is -1 (no audit id).</summary>
    public required bool HasSubject { get; init; }

    /// <summary>The subject ids of the completing record.</summary>
    public required SubjectIds Ids { get; init; }

    /// <summary>Time of the completing record.</summary>
    public required long Seconds { get; init; }

    public required uint Milliseconds { get; init; }

    /// <summary>Completing record's seconds minus the first record's (0 for one-state sequences).</summary>
    public required long Duration { get; init; }

    /// <summary>The source's base name; "stdin" for standard input.</summary>
    public required string Source { get; init; }

    /// <summary>The zone (jail) of the completing record, as the record holds it, or null.</summary>
    public byte[]? ZoneBytes { get; init; }

    /// <summary>The object path of the completing record, as the record holds it (a file's name need not be UTF-8), or null.</summary>
    public byte[]? ObjectBytes { get; init; }

    /// <summary>The zone for people to read (logs): bytes that are not UTF-8 shown as U+FFFD.</summary>
    public string? Zone => ZoneBytes is null ? null : System.Text.Encoding.UTF8.GetString(ZoneBytes);

    /// <summary>The object path for people to read (logs): bytes that are not UTF-8 shown as U+FFFD.</summary>
    public string? Object => ObjectBytes is null ? null : System.Text.Encoding.UTF8.GetString(ObjectBytes);

    /// <summary>The records that matched a state, in order, as read: all of them, or the first and the latest when there were more than the evidence bound.</summary>
    public required IReadOnlyList<ReadOnlyMemory<byte>> Records { get; init; }

    /// <summary>Matched records left out of <see cref="Records"/> (from the middle of a long run, or all of them when no output of the alert writes records).</summary>
    public long OmittedRecords { get; init; }

    /// <summary>Every record that matched a state, kept or not.</summary>
    public long MatchedRecords => Records.Count + OmittedRecords;

    /// <summary>Position of the completing record in the stream (orders alerts deterministically).</summary>
    public required long RecordIndex { get; init; }

    /// <summary>
    /// The original's log line, byte for byte: seconds, a dot, the header's
    /// milliseconds unpadded, the subject as a signed number.
    /// </summary>
    public string ClassicLine
    {
        get
        {
            Span<char> line = stackalloc char[ClassicLineRoom];
            return TryFormatClassicLine(line, out int written) ? new string(line[..written]) : FormatClassicLine();
        }
    }

    // Room enough for the line with a sequence name and a source name of 400 characters between them.
    private const int ClassicLineRoom = 512;

    /// <summary>
    /// Writes <see cref="ClassicLine"/> and a newline to <paramref name="writer"/> without making a
    /// string of it: what the stderr and log file sinks do for every alert.
    /// </summary>
    public void WriteClassicLine(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> line = stackalloc char[ClassicLineRoom];
        if (TryFormatClassicLine(line, out int written))
            writer.WriteLine(line[..written]);
        else
            writer.WriteLine(FormatClassicLine());
    }

    /// <summary>
    /// Writes <see cref="ClassicLine"/> and a newline as UTF-8 into <paramref name="destination"/>
    /// without making a string of it; false when it does not fit.
    /// </summary>
    public bool TryWriteClassicLineUtf8(Span<byte> destination, out int written)
    {
        Span<char> line = stackalloc char[ClassicLineRoom];
        written = 0;
        if (!TryFormatClassicLine(line, out int chars))
            return false;
        if (!System.Text.Encoding.UTF8.TryGetBytes(line[..chars], destination, out written) || written == destination.Length)
            return false;
        destination[written++] = (byte)'\n';
        return true;
    }

    /// <summary>The classic line and a newline as UTF-8, for lines too long for <see cref="TryWriteClassicLineUtf8"/>.</summary>
    public byte[] ClassicLineUtf8() => System.Text.Encoding.UTF8.GetBytes(ClassicLine + "\n");

    // Piece by piece rather than an interpolated TryWrite: its number appends are generic methods
    // that precompiled code reaches only through unoptimised JIT code, which boxed every number
    // (three objects per alert) until the method was compiled again.
    private bool TryFormatClassicLine(Span<char> destination, out int written)
    {
        var line = new LineBuilder(destination);
        bool fits = line.Append(Seconds) && line.Append(".") && line.Append(Milliseconds)
            && line.Append(" state machine: ") && line.Append(Sequence.Name)
            && line.Append(" subject: auid ") && line.Append((int)Subject)
            && line.Append(" completed: duration ") && line.Append(Duration)
            && line.Append(" seconds priority: ") && line.Append(Sequence.Priority)
            && line.Append(" source: ") && line.Append(Source);
        written = line.Length;
        return fits;
    }

    /// <summary>Text appended into a span; false once it does not fit.</summary>
    private ref struct LineBuilder(Span<char> destination)
    {
        private readonly Span<char> _destination = destination;

        public int Length { get; private set; }

        public bool Append(string text)
        {
            if (!text.TryCopyTo(_destination[Length..]))
                return false;
            Length += text.Length;
            return true;
        }

        public bool Append(long value)
        {
            if (!value.TryFormat(_destination[Length..], out int n, default, CultureInfo.InvariantCulture))
                return false;
            Length += n;
            return true;
        }
    }

    /// <summary>The line of an alert whose names are too long for the stack: on the heap, in as much room as it takes.</summary>
    private string FormatClassicLine()
    {
        for (int room = ClassicLineRoom * 4; ; room *= 2)
        {
            var buffer = new char[room];
            if (TryFormatClassicLine(buffer, out int written))
                return new string(buffer, 0, written);
        }
    }
}
