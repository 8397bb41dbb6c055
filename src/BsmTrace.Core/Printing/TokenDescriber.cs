using System.Net;
using BsmTrace.Bsm;

namespace BsmTrace.Printing;

/// <summary>
/// Walks one measured token and hands its fields, in praudit's order and with
/// praudit's names, to a <see cref="TokenWriter"/>. The field layouts follow
/// audit.log(5) and libbsm's bsm_io.c.
/// </summary>
internal static class TokenDescriber
{
    public static void Describe(ReadOnlySpan<byte> token, TokenWriter w)
    {
        byte id = token[0];
        var c = new BsmCursor(token, 1);
        switch ((BsmTokenType)id)
        {
            case BsmTokenType.Header32:
            case BsmTokenType.Header64:
                Header(id, ref c, w, extended: false, wide: id == (byte)BsmTokenType.Header64);
                break;
            case BsmTokenType.Header32Ex:
            case BsmTokenType.Header64Ex:
                Header(id, ref c, w, extended: true, wide: id == (byte)BsmTokenType.Header64Ex);
                break;
            case BsmTokenType.Trailer:
                w.Begin(id, "trailer", "</record>");
                c.U16(); // magic, checked by the reader
                if (!w.IsXml)
                    w.Unsigned("count", null, c.U32());
                w.End("");
                break;
            case BsmTokenType.OtherFile32:
                w.Begin(id, "file", "<file ");
                w.Time("seconds", "time", c.U32());
                w.Milliseconds("milliseconds", "msec", c.U32());
                w.String("name", null, c.Counted16());
                w.End("</file>");
                break;
            case BsmTokenType.Arg32:
            case BsmTokenType.Arg64:
                w.Begin(id, "argument", "<argument ");
                w.Unsigned("number", "arg-num", c.U8());
                w.Hex("value", "value", id == (byte)BsmTokenType.Arg32 ? c.U32() : c.U64());
                w.String("text", "desc", c.Counted16());
                w.End("/>");
                break;
            case BsmTokenType.ArgUuid:
            case BsmTokenType.ReturnUuid:
            {
                bool arg = id == (byte)BsmTokenType.ArgUuid;
                string name = arg ? "arg_uuid" : "ret_uuid";
                // praudit's XML has no element for these tokens: only their attributes are printed.
                w.Begin(id, name, "");
                w.Unsigned("number", name + "-num", c.U8());
                w.Text("uuid", "uuid", FormatUuid(c.Bytes(16)));
                w.String("text", "desc", c.Counted16());
                w.End("");
                break;
            }
            case BsmTokenType.Data:
                Data(id, ref c, w);
                break;
            case BsmTokenType.Attr32:
            case BsmTokenType.Attr64:
                w.Begin(id, "attribute", "<attribute ");
                w.Octal("mode", "mode", c.U32());
                w.User("uid", "uid", c.U32());
                w.Group("gid", "gid", c.U32());
                w.Unsigned("fsid", "fsid", c.U32());
                w.Signed("nodeid", "nodeid", (long)c.U64());
                w.Unsigned("device", "device", id == (byte)BsmTokenType.Attr32 ? c.U32() : c.U64());
                w.End("/>");
                break;
            case BsmTokenType.Exit:
                w.Begin(id, "exit", "<exit ");
                uint status = c.U32();
                if (w.IsPraudit)
                    w.Text("status", "errval", $"Error {status}");
                else
                    w.Unsigned("status", null, status);
                w.Unsigned("return", "retval", c.U32());
                w.End("/>");
                break;
            case BsmTokenType.ExecArgs:
            case BsmTokenType.ExecEnv:
            {
                bool args = id == (byte)BsmTokenType.ExecArgs;
                w.Begin(id, args ? "exec arg" : "exec env", args ? "<exec_args>" : "<exec_env>");
                uint count = c.U32();
                var items = new List<ReadOnlyMemory<byte>>();
                for (uint i = 0; i < count; i++)
                    items.Add(c.CString().ToArray());
                w.StringList(args ? "args" : "env", args ? "arg" : "env", items);
                w.End(args ? "</exec_args>" : "</exec_env>");
                break;
            }
            case BsmTokenType.NewGroups:
                NewGroups(id, ref c, w);
                break;
            case BsmTokenType.InAddr:
                w.Begin(id, "ip addr", "<ip_address>");
                w.Text("address", null, FormatAddress(c.Bytes(4)));
                w.End("</ip_address>");
                break;
            case BsmTokenType.InAddrEx:
                w.Begin(id, "ip addr ex", "<ip_address>");
                w.Text("address", null, FormatAddress(c.Bytes((int)c.U32())));
                w.End("</ip_address>");
                break;
            case BsmTokenType.Ip:
                w.Begin(id, "ip", "<ip ");
                w.Memory("version", "version", c.Bytes(1));
                w.Memory("service_type", "service_type", c.Bytes(1));
                w.Unsigned("length", "len", c.U16());
                w.Unsigned("ip_id", "id", c.U16());
                w.Unsigned("offset", "offset", c.U16());
                w.Memory("ttl", "time_to_live", c.Bytes(1));
                w.Memory("protocol", "protocol", c.Bytes(1));
                w.Unsigned("checksum", "cksum", c.U16());
                w.Text("source", "src_addr", FormatAddress(c.Bytes(4)));
                w.Text("destination", "dest_addr", FormatAddress(c.Bytes(4)));
                w.End("/>");
                break;
            case BsmTokenType.Ipc:
            {
                w.Begin(id, "IPC", "<IPC");
                byte type = c.U8();
                if (w.IsRaw || !w.IsPraudit)
                    w.Unsigned("ipc_type", "ipc-type", type);
                else
                    w.Text("ipc_type", "ipc-type", type switch { 1 => "Message IPC", 2 => "Semaphore IPC", 3 => "Shared Memory IPC", _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                w.Unsigned("ipc_id", "ipc-id", c.U32());
                w.End("/>");
                break;
            }
            case BsmTokenType.IpcPerm:
                w.Begin(id, "IPC perm", "<IPC_perm ");
                w.User("uid", "uid", c.U32());
                w.Group("gid", "gid", c.U32());
                w.User("creator_uid", "creator-uid", c.U32());
                w.Group("creator_gid", "creator-gid", c.U32());
                w.Octal("mode", "mode", c.U32());
                w.Unsigned("seq", "seq", c.U32());
                w.Unsigned("key", "key", c.U32());
                w.End("/>");
                break;
            case BsmTokenType.IPort:
                w.Begin(id, "ip port", "<ip_port>");
                w.AlternateHex("port", null, c.U16());
                w.End("</ip_port>");
                break;
            case BsmTokenType.Opaque:
            {
                w.Begin(id, "opaque", "<opaque>");
                var data = c.Counted16();
                if (!w.IsXml)
                    w.Unsigned("size", null, (ulong)data.Length);
                w.Memory("data", null, data);
                w.End("</opaque>");
                break;
            }
            case BsmTokenType.Path:
                w.Begin(id, "path", "<path>");
                w.String("path", null, c.Counted16());
                w.End("</path>");
                break;
            case BsmTokenType.Text:
                w.Begin(id, "text", "<text>");
                w.String("text", null, c.Counted16());
                w.End("</text>");
                break;
            case BsmTokenType.ZoneName:
                w.Begin(id, "zone", "<zone ");
                w.String("zone", "name", c.Counted16());
                w.End("/>");
                break;
            case BsmTokenType.Subject32:
            case BsmTokenType.Subject64:
            case BsmTokenType.Subject32Ex:
            case BsmTokenType.Subject64Ex:
            case BsmTokenType.Process32:
            case BsmTokenType.Process64:
            case BsmTokenType.Process32Ex:
            case BsmTokenType.Process64Ex:
                SubjectOrProcess(id, ref c, w);
                break;
            case BsmTokenType.Return32:
            case BsmTokenType.Return64:
                w.Begin(id, "return", "<return ");
                w.ReturnStatus("status", "errval", c.U8());
                if (id == (byte)BsmTokenType.Return32)
                    w.Unsigned("value", "retval", c.U32());
                else
                    w.Signed("value", "retval", (long)c.U64());
                w.End("/>");
                break;
            case BsmTokenType.Seq:
                w.Begin(id, "sequence", "<sequence ");
                w.Unsigned("sequence", "seq-num", c.U32());
                w.End("/>");
                break;
            case BsmTokenType.Socket:
                // libbsm's fetch_socket_tok reads the remote address over the
                // local one and prints a remote address it never read; we print
                // the two addresses the token holds.
                w.Begin(id, "socket", "<socket ");
                w.Unsigned("socket_type", "sock_type", c.U16());
                w.Unsigned("local_port", "lport", c.U16());
                w.Text("local_address", "laddr", FormatAddress(c.Bytes(4)));
                w.Unsigned("remote_port", "fport", c.U16());
                w.Text("remote_address", "faddr", FormatAddress(c.Bytes(4)));
                w.End("/>");
                break;
            case BsmTokenType.SockInet32:
            case BsmTokenType.SockInet128:
            {
                bool v4 = id == (byte)BsmTokenType.SockInet32;
                w.Begin(id, v4 ? "socket-inet" : "socket-inet6", v4 ? "<socket-inet " : "<socket-inet6 ");
                w.Unsigned("family", "type", c.U16());
                w.Unsigned("port", "port", c.U16());
                w.Text("address", "addr", FormatAddress(c.Bytes(v4 ? 4 : 16)));
                w.End("/>");
                break;
            }
            case BsmTokenType.SockUnix:
                w.Begin(id, "socket-unix", "<socket-unix ");
                w.Unsigned("family", "type", c.U16());
                if (w.IsXml)
                    w.Text("port", "port", "");
                w.String("path", "addr", UpToNul(c.Remaining));
                w.End("/>");
                break;
            case BsmTokenType.SocketEx:
            {
                w.Begin(id, "socket", "<socket ");
                w.AlternateHex("domain", "sock_dom", c.U16());
                w.AlternateHex("socket_type", "sock_type", c.U16());
                int size = c.U16();
                ushort localPort = c.U16();
                string local = FormatAddress(c.Bytes(size));
                ushort remotePort = c.U16();
                string remote = FormatAddress(c.Bytes(size));
                w.AlternateHex("local_port", "lport", localPort);
                w.Text("local_address", "laddr", local);
                if (w.IsXml)
                {
                    // praudit's XML puts the remote address before the remote port.
                    w.Text("remote_address", "faddr", remote);
                    w.AlternateHex("remote_port", "fport", remotePort);
                }
                else
                {
                    w.AlternateHex("remote_port", "fport", remotePort);
                    w.Text("remote_address", "faddr", remote);
                }

                w.End("/>");
                break;
            }
            case BsmTokenType.UsePrivilege:
                // praudit's XML has no element for this token: only its attributes are printed.
                w.Begin(id, "use of privilege", "");
                bool succeeded = c.U8() != 0;
                if (w.IsPraudit)
                    w.Text("succeeded", "status", succeeded ? "successful use of priv" : "failed use of priv");
                else
                    w.Text("succeeded", null, succeeded ? "true" : "false");
                w.String("privilege", "name", c.Counted16());
                w.End("");
                break;
            case BsmTokenType.Privilege:
                w.Begin(id, "privilege", "");
                w.String("set_type", "type", c.Counted16());
                w.String("privileges", "priv", c.Counted16());
                w.End("");
                break;
            default:
                throw new ArgumentException($"Token type 0x{id:x2} has no description; unknown tokens are printed by the caller.", nameof(token));
        }
    }

    /// <summary>What praudit prints for a token it does not know: the rest of the record before the trailer, as hex.</summary>
    public static void DescribeUnknown(byte id, ReadOnlySpan<byte> rest, TokenWriter w)
    {
        if (w.IsXml)
            return;
        w.Begin(id, "unknown", "");
        w.Memory("data", null, rest);
        w.End("");
    }

    private static void Header(byte id, ref BsmCursor c, TokenWriter w, bool extended, bool wide)
    {
        w.Begin(id, extended ? "header_ex" : "header", "<record ");
        bool attributes = w.IsXml;
        if (extended && wide == false && w is PrauditTokenWriter praudit)
        {
            attributes = w.IsRaw;
            praudit.UseAttributeStyle(attributes);
        }

        uint size = c.U32();
        if (!attributes)
            w.Unsigned("size", null, size);
        w.Unsigned("version", "version", c.U8());
        w.Event("event", "event", c.U16());
        w.Unsigned("modifier", "modifier", c.U16());
        if (extended)
        {
            uint type = c.U32();
            w.Text("host", "host", FormatAddress(c.Bytes((int)type)));
        }

        w.Time("seconds", "time", wide ? c.U64() : c.U32());
        w.Milliseconds("milliseconds", "msec", wide ? c.U64() : c.U32());
        w.End(">");
    }

    private static void SubjectOrProcess(byte id, ref BsmCursor c, TokenWriter w)
    {
        var type = (BsmTokenType)id;
        bool process = type is BsmTokenType.Process32 or BsmTokenType.Process64 or BsmTokenType.Process32Ex or BsmTokenType.Process64Ex;
        bool extended = type is BsmTokenType.Subject32Ex or BsmTokenType.Subject64Ex or BsmTokenType.Process32Ex or BsmTokenType.Process64Ex;
        bool wide = type is BsmTokenType.Subject64 or BsmTokenType.Subject64Ex or BsmTokenType.Process64 or BsmTokenType.Process64Ex;

        string name = (process ? "process" : "subject") + (extended ? "_ex" : "");
        w.Begin(id, name, process ? "<process " : "<subject ");
        w.User("auid", "audit-uid", c.U32());
        w.User("euid", "uid", c.U32());
        w.Group("egid", "gid", c.U32());
        w.User("ruid", "ruid", c.U32());
        w.Group("rgid", "rgid", c.U32());
        w.Unsigned("pid", "pid", c.U32());
        w.Unsigned("sid", "sid", c.U32());
        ulong port = wide ? c.U64() : c.U32();
        string address = FormatAddress(extended ? c.Bytes((int)c.U32()) : c.Bytes(4));
        if (w.IsXml)
        {
            // One attribute for the terminal; only the plain subject32 printer puts a space between its parts.
            w.Text("terminal", "tid", type == BsmTokenType.Subject32 ? $"{port} {address}" : $"{port}{address}");
        }
        else
        {
            w.Unsigned("terminal_port", null, port);
            w.Text("terminal_address", null, address);
        }

        w.End("/>");
    }

    private static void Data(byte id, ref BsmCursor c, TokenWriter w)
    {
        byte how = c.U8();
        byte unit = c.U8();
        byte count = c.U8();
        int size = BsmTokenLayout.DataUnitSize(unit);
        var data = c.Bytes(size * count);

        w.Begin(id, "arbitrary", "<arbitrary ");
        string? howName = how switch { 0 => "binary", 1 => "octal", 2 => "decimal", 3 => "hex", 4 => "string", _ => null };
        if (!w.IsPraudit)
        {
            w.Text("print", null, howName ?? how.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.Text("unit", null, UnitName(unit));
            w.Unsigned("count", null, count);
            w.Memory("data", null, data);
            w.End("");
            return;
        }

        // praudit prints nothing more for a print style it does not know.
        if (howName is null)
            return;
        w.Text("print", "print", howName);
        if (w.IsXml)
            w.Unsigned("unit", "type", (ulong)size);
        else
            w.Text("unit", null, UnitName(unit));
        w.Unsigned("count", "count", count);
        w.Text("data", null, PrauditDataText(how, size, count, data));
        w.End("</arbitrary>");
    }

    private static string UnitName(byte unit) => unit switch { 0 => "byte", 1 => "short", 2 => "int", _ => "int64" };

    /// <summary>
    /// praudit prints data units with printf, reading multi-byte units in the
    /// host's byte order (little-endian on the hosts praudit runs on) and
    /// passing them through %c, %o, %d or %x, which see the low 32 bits.
    /// </summary>
    private static string PrauditDataText(byte how, int size, int count, ReadOnlySpan<byte> data)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
        {
            var unit = data.Slice(i * size, size);
            ulong value = size switch
            {
                1 => unit[0],
                2 => System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(unit),
                4 => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(unit),
                _ => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(unit),
            };
            uint low = (uint)value;
            switch (how)
            {
                case 0: text.Append(' ').Append((char)(byte)low); break;
                case 1: text.Append(' ').Append(Convert.ToString(low, 8)); break;
                case 2: text.Append(' ').Append(size >= 4 ? ((int)low).ToString(System.Globalization.CultureInfo.InvariantCulture) : low.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                case 3: text.Append(' ').Append(low.ToString("x", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: text.Append((char)(byte)low); break;
            }
        }

        return text.ToString();
    }

    private static void NewGroups(byte id, ref BsmCursor c, TokenWriter w)
    {
        int count = c.U16();
        var gids = new uint[count];
        for (int i = 0; i < count; i++)
            gids[i] = c.U32();

        w.Begin(id, "group", "<group>");
        if (!w.IsPraudit)
        {
            w.NumberList("groups", gids);
        }
        else
        {
            foreach (uint gid in gids)
            {
                if (w.IsXml)
                {
                    // praudit closes the group element after every gid.
                    w.PrauditVerbatim("<gid>");
                    w.Group("gid", null, gid);
                    w.PrauditVerbatim("</gid></group>");
                }
                else
                {
                    w.Group("gid", null, gid);
                }
            }
        }

        w.End("");
    }

    private static ReadOnlySpan<byte> UpToNul(ReadOnlySpan<byte> bytes)
    {
        int nul = bytes.IndexOf((byte)0);
        return nul < 0 ? bytes : bytes[..nul];
    }

    /// <summary>inet_ntoa / inet_ntop for 4 or 16 address bytes.</summary>
    public static string FormatAddress(ReadOnlySpan<byte> bytes) => new IPAddress(bytes).ToString();

    private static string FormatUuid(ReadOnlySpan<byte> b) => new Guid(b, bigEndian: true).ToString("D");
}
