using BsmTrace.Bsm;
using BsmTrace.Events;
using BsmTrace.Unix;

namespace BsmTrace.Printing;

/// <summary>
/// Writes tokens exactly as OpenBSM's praudit does (libbsm's bsm_io.c print
/// routines): the delimited form, or the XML form, with numbers, names and
/// times formatted the same way.
/// </summary>
internal sealed class PrauditTokenWriter : TokenWriter
{
    private readonly ByteOutput _out;
    private readonly PrintOptions _options;
    private readonly AuditEventTable _events;
    private readonly UserDatabase? _users;
    private readonly TimeZoneInfo _zone;
    private bool _attributeStyle;
    private bool _openTagPending;

    public PrauditTokenWriter(ByteOutput output, PrintOptions options, AuditEventTable events, UserDatabase? users, TimeZoneInfo zone)
    {
        _out = output;
        _options = options;
        _events = events;
        _users = options.Raw || options.NoResolve ? null : users;
        _zone = zone;
    }

    public override bool IsXml => _options.Xml;

    public override bool IsRaw => _options.Raw;

    /// <summary>
    /// Switches the current token between praudit's attribute (XML) and
    /// delimited forms. libbsm's header32_ex printer tests the raw flag where it
    /// means the XML flag, so under -r that token comes out as XML attributes and
    /// under -x as delimited fields; praudit's output is the contract.
    /// </summary>
    public void UseAttributeStyle(bool attributes) => _attributeStyle = attributes;

    public override void Begin(byte id, string name, string xmlOpen)
    {
        _attributeStyle = _options.Xml;
        if (_options.Xml)
        {
            _out.Write(xmlOpen);
            _openTagPending = xmlOpen.EndsWith(' ');
        }
        else if (_options.Raw)
        {
            _out.Write((ulong)id);
        }
        else
        {
            _out.Write(name);
        }
    }

    public override void End(string xmlClose)
    {
        if (_attributeStyle)
            _out.Write(xmlClose);
    }

    public override void Unsigned(string json, string? xml, ulong value) { Open(xml); _out.Write(value); Close(xml); }

    public override void Signed(string json, string? xml, long value) { Open(xml); _out.Write(value); Close(xml); }

    public override void Hex(string json, string? xml, ulong value)
    {
        Open(xml);
        _out.Write("0x");
        _out.WriteFormatted(value, "x");
        Close(xml);
    }

    public override void AlternateHex(string json, string? xml, ulong value)
    {
        Open(xml);
        if (value != 0)
            _out.Write("0x");
        _out.WriteFormatted(value, "x");
        Close(xml);
    }

    public override void Octal(string json, string? xml, ulong value)
    {
        Open(xml);
        _out.Write(Convert.ToString((long)value, 8));
        Close(xml);
    }

    public override void User(string json, string? xml, uint id) => Id(xml, id, _users?.UserName(id));

    public override void Group(string json, string? xml, uint id) => Id(xml, id, _users?.GroupName(id));

    private void Id(string? xml, uint id, string? name)
    {
        Open(xml);
        if (name is not null)
            _out.Write(name);
        else
            _out.Write((long)(int)id);
        Close(xml);
    }

    public override void Event(string json, string? xml, ushort number)
    {
        Open(xml);
        if (_options.Raw || !_events.TryGetByNumber(number, out var e))
            _out.Write((ulong)number);
        else
            _out.Write(_options.ShortEvents ? e.Name : e.Description);
        Close(xml);
    }

    public override void Time(string json, string? xml, ulong seconds)
    {
        Open(xml);
        if (_options.Raw)
            _out.Write((ulong)(uint)seconds);
        else
            _out.Write(CTime.Format((long)seconds, _zone));
        Close(xml);
    }

    public override void Milliseconds(string json, string? xml, ulong milliseconds)
    {
        Open(xml);
        if (!_options.Raw)
            _out.Write(" + ");
        _out.Write((ulong)(uint)milliseconds);
        if (!_options.Raw)
            _out.Write(" msec");
        Close(xml);
    }

    public override void String(string json, string? xml, ReadOnlySpan<byte> bytes)
    {
        Open(xml);
        if (_options.Xml && !XmlEscaper.IsXmlText(bytes))
        {
            // Not text XML can hold (a name that is not UTF-8, a control character): written as
            // praudit writes exec arguments in XML, so that the document stays well-formed.
            XmlEscaper.Write(_out, bytes);
            Close(xml);
            return;
        }

        foreach (byte b in bytes)
        {
            if (b == 0)
                continue;
            // praudit writes paths and texts into its XML unescaped, so a file named
            // "</path>" breaks the document; we escape what XML requires and so differ
            // from praudit only where praudit's output would not be XML at all.
            if (_options.Xml && (b is (byte)'&' or (byte)'<' or (byte)'>' || (b == (byte)'"' && _attributeStyle)) && XmlEscaper.TryGetEntity(b, out var entity))
                _out.Write(entity);
            else
                _out.Write(b);
        }

        Close(xml);
    }

    public override void Memory(string json, string? xml, ReadOnlySpan<byte> bytes)
    {
        Open(xml);
        if (!bytes.IsEmpty)
        {
            _out.Write("0x");
            foreach (byte b in bytes)
                _out.WriteFormatted(b, "x2");
        }

        Close(xml);
    }

    public override void Text(string json, string? xml, string text) { Open(xml); _out.Write(text); Close(xml); }

    public override void ReturnStatus(string json, string? xml, byte status)
    {
        Open(xml);
        if (_options.Raw)
        {
            _out.Write((ulong)status);
        }
        else if (status == 0)
        {
            _out.Write("success");
        }
        else if (BsmErrno.Message(status) is { } message)
        {
            _out.Write("failure : ");
            _out.Write(message);
        }
        else
        {
            _out.Write("failure: Unknown error: ");
            _out.Write((ulong)status);
        }

        Close(xml);
    }

    public override void StringList(string json, string xmlElement, IReadOnlyList<ReadOnlyMemory<byte>> items)
    {
        // praudit stops at OpenBSM's AUDIT_MAX_ARGS; JSON shows every string.
        int count = Math.Min(items.Count, BsmTokenTypes.MaxExecStrings);
        for (int i = 0; i < count; i++)
        {
            if (_attributeStyle)
            {
                _out.Write($"<{xmlElement}>");
                XmlEscaper.Write(_out, items[i].Span);
                _out.Write($"</{xmlElement}>");
            }
            else
            {
                String(json, xml: null, items[i].Span);
            }
        }
    }

    public override void PrauditVerbatim(string text) => _out.Write(text);

    private void Open(string? xml)
    {
        if (!_attributeStyle)
        {
            _out.Write(_options.Delimiter);
        }
        else if (xml is not null)
        {
            _out.Write(xml);
            _out.Write("=\"");
        }
        else if (_openTagPending)
        {
            _out.Write(">");
            _openTagPending = false;
        }
    }

    private void Close(string? xml)
    {
        if (_attributeStyle && xml is not null)
            _out.Write("\" ");
    }
}
