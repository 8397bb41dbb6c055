using System.Buffers;
using System.Globalization;
using System.Text.Json;
using BsmTrace.Events;
using BsmTrace.Matching;
using BsmTrace.Printing;
using BsmTrace.Unix;

namespace BsmTrace.Alerts;

/// <summary>
/// One JSON object per alert, per line: every field of the alert, and the
/// records that matched, decoded token by token as <c>print --json</c> does.
/// A file gets each line in one write(2) on an O_APPEND descriptor.
/// </summary>
public sealed class JsonAlertSink : AlertSink
{
    private readonly OutputDirectory? _directory;
    private readonly string? _fileName;
    private AppendFile? _file;
    private readonly Stream? _stdout;
    private readonly AuditEventTable _events;
    private readonly UserDatabase _users;
    private readonly string _name;
    private readonly string _destination;
    private readonly ArrayBufferWriter<byte> _line = new(4096);

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private JsonAlertSink(OutputDirectory? directory, string? fileName, Stream? stdout, AuditEventTable events, UserDatabase users, string name, string destination)
    {
        _directory = directory;
        _fileName = fileName;
        _file = directory?.OpenAppend(fileName!, FileMode);
        _stdout = stdout;
        _events = events;
        _users = users;
        _name = name;
        _destination = destination;
    }

    /// <summary>
    /// A sink appending to <paramref name="path"/> (created 0640, opened relative to its directory,
    /// which others must not be able to write: see <see cref="OutputDirectory"/>), or writing to
    /// stdout for "-".
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened: one line naming it.</exception>
    public static JsonAlertSink Open(string path, AuditEventTable events, UserDatabase users, string name = "json", ServiceAccount? account = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "-")
            return new JsonAlertSink(null, null, Console.OpenStandardOutput(), events, users, name, "stdout");
        string full = Path.GetFullPath(path);
        var directory = OutputDirectory.Open(Path.GetDirectoryName(full)!, create: false, account);
        try
        {
            return new JsonAlertSink(directory, Path.GetFileName(full), null, events, users, name, "json:" + full);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public override string Name => _name;

    public override string DestinationOf(Policy.SequenceDefinition sequence) => _destination;

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        _line.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_line, RecordJson.WriterOptions))
        {
            var s = alert.Sequence;
            json.WriteStartObject();
            json.WriteString("id", alert.Id);
            json.WriteString("time", DateTimeOffset.FromUnixTimeSeconds(alert.Seconds).AddMilliseconds(alert.Milliseconds).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteNumber("seconds", alert.Seconds);
            json.WriteNumber("milliseconds", alert.Milliseconds);
            json.WriteString("sequence", s.Name);
            json.WriteNumber("serial", s.Serial);
            json.WriteNumber("priority", s.Priority);
            json.WriteString("subject_field", s.Subject.FieldName);
            if (alert.HasSubject)
            {
                json.WriteNumber("subject", alert.Subject);
                WriteName("subject_name", alert.Subject, s.Subject.Field is Policy.SubjectField.EffectiveGid or Policy.SubjectField.RealGid);
                json.WriteNumber("auid", alert.Ids.AuditUid);
                json.WriteNumber("euid", alert.Ids.EffectiveUid);
                json.WriteNumber("egid", alert.Ids.EffectiveGid);
                json.WriteNumber("ruid", alert.Ids.RealUid);
                json.WriteNumber("rgid", alert.Ids.RealGid);
                json.WriteNumber("pid", alert.Ids.Pid);
                json.WriteNumber("sid", alert.Ids.SessionId);
            }
            else
            {
                json.WriteNull("subject");
            }

            json.WriteNumber("duration", alert.Duration);
            json.WriteString("source", alert.Source);
            if (alert.ZoneBytes is not null)
                JsonBytes.WriteString(json, "zone", alert.ZoneBytes);
            if (alert.ObjectBytes is not null)
                JsonBytes.WriteString(json, "object", alert.ObjectBytes);
            if (alert.OmittedRecords > 0)
                json.WriteNumber("omitted_records", alert.OmittedRecords);
            json.WriteStartArray("records");
            foreach (var record in alert.Records)
            {
                json.WriteStartObject();
                RecordJson.WriteTokens(json, record.Span, isRecord: true, _events);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();

            void WriteName(string field, uint id, bool group)
            {
                if ((group ? _users.GroupName(id) : _users.UserName(id)) is { } n)
                    json.WriteString(field, n);
            }
        }

        _line.Write("\n"u8);
        if (_directory is not null)
            (_file ??= _directory.OpenAppend(_fileName!, FileMode)).Append(_line.WrittenSpan); // reopened here if a reopen failed
        else
            _stdout!.Write(_line.WrittenSpan);
    }

    public override void Flush() => _stdout?.Flush();

    /// <summary>Opens the file again by name: one newsyslog moved aside is started anew.</summary>
    public override void Reopen()
    {
        if (_directory is null)
            return;
        // Opened anew before the old one closes: if it cannot be, alerts go on where they went.
        var fresh = _directory.OpenAppend(_fileName!, FileMode);
        _file?.Dispose();
        _file = fresh;
    }

    public override void Sync()
    {
        _file?.Sync();
        _stdout?.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        _file?.Dispose();
        _directory?.Dispose();
        _stdout?.Flush();
        base.Dispose(disposing);
    }
}
