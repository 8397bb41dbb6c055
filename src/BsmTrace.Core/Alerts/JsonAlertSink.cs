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
/// </summary>
public sealed class JsonAlertSink : AlertSink
{
    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly AuditEventTable _events;
    private readonly UserDatabase _users;
    private readonly string _name;

    public JsonAlertSink(Stream output, bool ownsOutput, AuditEventTable events, UserDatabase users, string name = "json")
    {
        _output = output;
        _ownsOutput = ownsOutput;
        _events = events;
        _users = users;
        _name = name;
    }

    /// <summary>A sink appending to <paramref name="path"/> (created 0640), or writing to stdout for "-".</summary>
    public static JsonAlertSink Open(string path, AuditEventTable events, UserDatabase users, string name = "json")
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "-")
            return new JsonAlertSink(Console.OpenStandardOutput(), ownsOutput: false, events, users, name);
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
        });
        return new JsonAlertSink(stream, ownsOutput: true, events, users, name);
    }

    public override string Name => _name;

    public override void Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        using (var json = new Utf8JsonWriter(_output, RecordJson.WriterOptions))
        {
            var s = alert.Sequence;
            json.WriteStartObject();
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
            if (alert.Zone is not null)
                json.WriteString("zone", alert.Zone);
            if (alert.Object is not null)
                json.WriteString("object", alert.Object);
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

        _output.WriteByte((byte)'\n');
    }

    public override void Flush() => _output.Flush();

    protected override void Dispose(bool disposing)
    {
        if (_ownsOutput)
            _output.Dispose();
        else
            _output.Flush();
        base.Dispose(disposing);
    }
}
