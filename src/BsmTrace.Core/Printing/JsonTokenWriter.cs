using System.Text;
using System.Text.Json;
using BsmTrace.Bsm;
using BsmTrace.Events;

namespace BsmTrace.Printing;

/// <summary>
/// Writes each token as a JSON object with named fields, for people who pipe
/// trails into jq. Values are what the token holds: numbers stay numbers,
/// strings are text, and none of praudit's quirks are reproduced. A string that
/// is not valid UTF-8 (a file's name is bytes) loses nothing: see <see cref="JsonBytes"/>.
/// </summary>
internal sealed class JsonTokenWriter(Utf8JsonWriter json, AuditEventTable events) : TokenWriter
{
    public override bool IsPraudit => false;

    public override void Begin(byte id, string name, string xmlOpen)
    {
        json.WriteStartObject();
        json.WriteString("type", name);
        json.WriteNumber("id", id);
    }

    public override void End(string xmlClose) => json.WriteEndObject();

    public override void Unsigned(string name, string? xml, ulong value) => json.WriteNumber(name, value);

    public override void Signed(string name, string? xml, long value) => json.WriteNumber(name, value);

    public override void Hex(string name, string? xml, ulong value) => json.WriteNumber(name, value);

    public override void AlternateHex(string name, string? xml, ulong value) => json.WriteNumber(name, value);

    public override void Octal(string name, string? xml, ulong value) => json.WriteString(name, Convert.ToString((long)value, 8));

    // Ids stay unsigned: praudit prints them with %d, but a uid above 2^31 is not negative,
    // and jq users compare numbers. The unset audit id is then 4294967295, as the kernel stores it.
    public override void User(string name, string? xml, uint id) => json.WriteNumber(name, id);

    public override void Group(string name, string? xml, uint id) => json.WriteNumber(name, id);

    public override void Event(string name, string? xml, ushort number)
    {
        json.WriteNumber(name, number);
        if (events.TryGetByNumber(number, out var e))
        {
            json.WriteString(name + "_name", e.Name);
            json.WriteString(name + "_description", e.Description);
        }
    }

    public override void Time(string name, string? xml, ulong seconds) => json.WriteNumber(name, seconds);

    public override void Milliseconds(string name, string? xml, ulong milliseconds) => json.WriteNumber(name, milliseconds);

    public override void String(string name, string? xml, ReadOnlySpan<byte> bytes) =>
        JsonBytes.WriteString(json, name, UpToNul(bytes));

    public override void Memory(string name, string? xml, ReadOnlySpan<byte> bytes) => json.WriteString(name, Convert.ToHexStringLower(bytes));

    public override void Text(string name, string? xml, string text) => json.WriteString(name, text);

    public override void ReturnStatus(string name, string? xml, byte status)
    {
        json.WriteNumber(name, status);
        json.WriteString(name + "_text", status == 0 ? "success" : BsmErrno.Message(status) ?? $"unknown error {status}");
    }

    public override void StringList(string name, string xmlElement, IReadOnlyList<ReadOnlyMemory<byte>> items)
    {
        json.WriteStartArray(name);
        bool allText = true;
        foreach (var item in items)
        {
            var bytes = UpToNul(item.Span);
            allText &= System.Text.Unicode.Utf8.IsValid(bytes);
            json.WriteStringValue(Encoding.UTF8.GetString(bytes));
        }

        json.WriteEndArray();
        if (allText)
            return;
        // As for a single string: the exact bytes of every item, beside the text.
        json.WriteStartArray(name + JsonBytes.HexSuffix);
        foreach (var item in items)
            json.WriteStringValue(Convert.ToHexStringLower(UpToNul(item.Span)));
        json.WriteEndArray();
    }

    public override void NumberList(string name, IReadOnlyList<uint> values)
    {
        json.WriteStartArray(name);
        foreach (uint v in values)
            json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    public override void PrauditVerbatim(string text)
    {
    }

    /// <summary>A BSM string field up to its NUL.</summary>
    private static ReadOnlySpan<byte> UpToNul(ReadOnlySpan<byte> bytes)
    {
        int nul = bytes.IndexOf((byte)0);
        return nul < 0 ? bytes : bytes[..nul];
    }
}
