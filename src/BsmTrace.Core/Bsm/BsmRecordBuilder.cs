using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BsmTrace.Bsm;

/// <summary>
/// Encodes one audit record, token by token, in the layout libbsm writes
/// (audit.log(5)): the header is written when the record is built, because its
/// length field covers the whole record, and the trailer closes it. Tests and
/// benchmarks build their trails with this rather than with byte arrays.
/// </summary>
public sealed class BsmRecordBuilder
{
    private byte[] _body = new byte[256];
    private int _length;

    public BsmRecordBuilder(ushort eventType, long seconds, uint milliseconds = 0)
    {
        EventType = eventType;
        Seconds = seconds;
        Milliseconds = milliseconds;
    }

    public ushort EventType { get; set; }
    public ushort Modifier { get; set; }
    public long Seconds { get; set; }
    public uint Milliseconds { get; set; }
    public byte Version { get; set; } = 11;
    public BsmHeaderForm HeaderForm { get; set; } = BsmHeaderForm.Header32;

    /// <summary>The host address of the _ex header forms.</summary>
    public IPAddress HeaderAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Forgets the tokens added so far, keeping the header settings, so one builder can write many records.</summary>
    public BsmRecordBuilder Clear()
    {
        _length = 0;
        return this;
    }

    public BsmRecordBuilder Subject32(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, uint port = 0, IPAddress? terminal = null) =>
        Ids(BsmTokenType.Subject32, auid, euid, egid, ruid, rgid, pid, sid).U32(port).Address4(terminal);

    public BsmRecordBuilder Subject64(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, ulong port = 0, IPAddress? terminal = null) =>
        Ids(BsmTokenType.Subject64, auid, euid, egid, ruid, rgid, pid, sid).U64(port).Address4(terminal);

    public BsmRecordBuilder Subject32Ex(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, uint port, IPAddress terminal) =>
        Ids(BsmTokenType.Subject32Ex, auid, euid, egid, ruid, rgid, pid, sid).U32(port).TypedAddress(terminal);

    public BsmRecordBuilder Subject64Ex(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, ulong port, IPAddress terminal) =>
        Ids(BsmTokenType.Subject64Ex, auid, euid, egid, ruid, rgid, pid, sid).U64(port).TypedAddress(terminal);

    public BsmRecordBuilder Process32(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, uint port = 0, IPAddress? terminal = null) =>
        Ids(BsmTokenType.Process32, auid, euid, egid, ruid, rgid, pid, sid).U32(port).Address4(terminal);

    public BsmRecordBuilder Process64(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, ulong port = 0, IPAddress? terminal = null) =>
        Ids(BsmTokenType.Process64, auid, euid, egid, ruid, rgid, pid, sid).U64(port).Address4(terminal);

    public BsmRecordBuilder Process32Ex(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, uint port, IPAddress terminal) =>
        Ids(BsmTokenType.Process32Ex, auid, euid, egid, ruid, rgid, pid, sid).U32(port).TypedAddress(terminal);

    public BsmRecordBuilder Process64Ex(uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid, ulong port, IPAddress terminal) =>
        Ids(BsmTokenType.Process64Ex, auid, euid, egid, ruid, rgid, pid, sid).U64(port).TypedAddress(terminal);

    public BsmRecordBuilder Return32(byte status, uint value) => Id(BsmTokenType.Return32).U8(status).U32(value);

    public BsmRecordBuilder Return64(byte status, ulong value) => Id(BsmTokenType.Return64).U8(status).U64(value);

    public BsmRecordBuilder Path(string path) => Id(BsmTokenType.Path).Counted(path);

    /// <summary>A path as bytes: the kernel records a file's name as it was given, UTF-8 or not.</summary>
    public BsmRecordBuilder Path(ReadOnlySpan<byte> path) => Id(BsmTokenType.Path).Counted(path);

    public BsmRecordBuilder Text(string text) => Id(BsmTokenType.Text).Counted(text);

    public BsmRecordBuilder ZoneName(string zone) => Id(BsmTokenType.ZoneName).Counted(zone);

    public BsmRecordBuilder Opaque(ReadOnlySpan<byte> data) => Id(BsmTokenType.Opaque).U16((ushort)data.Length).Bytes(data);

    public BsmRecordBuilder Attr32(uint mode, uint uid, uint gid, uint fsid, ulong inode, uint device) =>
        Id(BsmTokenType.Attr32).U32(mode).U32(uid).U32(gid).U32(fsid).U64(inode).U32(device);

    public BsmRecordBuilder Attr64(uint mode, uint uid, uint gid, uint fsid, ulong inode, ulong device) =>
        Id(BsmTokenType.Attr64).U32(mode).U32(uid).U32(gid).U32(fsid).U64(inode).U64(device);

    public BsmRecordBuilder Arg32(byte number, uint value, string text) => Id(BsmTokenType.Arg32).U8(number).U32(value).Counted(text);

    public BsmRecordBuilder Arg64(byte number, ulong value, string text) => Id(BsmTokenType.Arg64).U8(number).U64(value).Counted(text);

    public BsmRecordBuilder ArgUuid(byte number, Guid uuid, string text) => Id(BsmTokenType.ArgUuid).U8(number).Uuid(uuid).Counted(text);

    public BsmRecordBuilder ReturnUuid(byte number, Guid uuid, string text) => Id(BsmTokenType.ReturnUuid).U8(number).Uuid(uuid).Counted(text);

    public BsmRecordBuilder ExecArgs(params string[] args) => Strings(BsmTokenType.ExecArgs, args);

    public BsmRecordBuilder ExecEnv(params string[] variables) => Strings(BsmTokenType.ExecEnv, variables);

    public BsmRecordBuilder Exit(uint status, uint value) => Id(BsmTokenType.Exit).U32(status).U32(value);

    public BsmRecordBuilder NewGroups(params uint[] groups)
    {
        Id(BsmTokenType.NewGroups).U16((ushort)groups.Length);
        foreach (uint g in groups)
            U32(g);
        return this;
    }

    public BsmRecordBuilder InAddr(IPAddress address) => Id(BsmTokenType.InAddr).Address4(address);

    public BsmRecordBuilder InAddrEx(IPAddress address) => Id(BsmTokenType.InAddrEx).TypedAddress(address);

    /// <summary>An IP header token: the fields of an IPv4 header, in network order.</summary>
    public BsmRecordBuilder Ip(byte versionAndLength, byte typeOfService, ushort totalLength, ushort id, ushort fragmentOffset,
        byte ttl, byte protocol, ushort checksum, IPAddress source, IPAddress destination) =>
        Id(BsmTokenType.Ip).U8(versionAndLength).U8(typeOfService).U16(totalLength).U16(id).U16(fragmentOffset)
            .U8(ttl).U8(protocol).U16(checksum).Address4(source).Address4(destination);

    public BsmRecordBuilder Ipc(byte type, uint id) => Id(BsmTokenType.Ipc).U8(type).U32(id);

    public BsmRecordBuilder IpcPerm(uint uid, uint gid, uint creatorUid, uint creatorGid, uint mode, uint seq, uint key) =>
        Id(BsmTokenType.IpcPerm).U32(uid).U32(gid).U32(creatorUid).U32(creatorGid).U32(mode).U32(seq).U32(key);

    public BsmRecordBuilder IPort(ushort port) => Id(BsmTokenType.IPort).U16(port);

    public BsmRecordBuilder Seq(uint sequence) => Id(BsmTokenType.Seq).U32(sequence);

    /// <summary>The old socket token (0x2e): type, local port and address, remote port and address.</summary>
    public BsmRecordBuilder Socket(ushort type, ushort localPort, IPAddress localAddress, ushort remotePort, IPAddress remoteAddress) =>
        Id(BsmTokenType.Socket).U16(type).U16(localPort).Address4(localAddress).U16(remotePort).Address4(remoteAddress);

    public BsmRecordBuilder SocketEx(ushort domain, ushort type, ushort localPort, IPAddress localAddress, ushort remotePort, IPAddress remoteAddress)
    {
        if (localAddress.AddressFamily != remoteAddress.AddressFamily)
            throw new ArgumentException("A socket_ex token holds two addresses of one family.", nameof(remoteAddress));
        var local = localAddress.GetAddressBytes();
        Id(BsmTokenType.SocketEx).U16(domain).U16(type).U16((ushort)local.Length);
        return U16(localPort).Bytes(local).U16(remotePort).Bytes(remoteAddress.GetAddressBytes());
    }

    public BsmRecordBuilder SockInet32(ushort family, ushort port, IPAddress address) =>
        Id(BsmTokenType.SockInet32).U16(family).U16(port).Address4(address);

    public BsmRecordBuilder SockInet128(ushort family, ushort port, IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException("sockinet128 holds an IPv6 address.", nameof(address));
        return Id(BsmTokenType.SockInet128).U16(family).U16(port).Bytes(address.GetAddressBytes());
    }

    public BsmRecordBuilder SockUnix(ushort family, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length > BsmTokenLayout.SockUnixPathMax)
            throw new ArgumentException($"A socket-unix path holds at most {BsmTokenLayout.SockUnixPathMax} bytes.", nameof(path));
        return Id(BsmTokenType.SockUnix).U16(family).Bytes(bytes).U8(0);
    }

    /// <summary>An arbitrary-data token: how to print it, its basic unit (0 byte, 1 short, 2 int32, 3 int64), and the units' bytes in the writer's order.</summary>
    public BsmRecordBuilder Data(byte howToPrint, byte basicUnit, ReadOnlySpan<byte> units)
    {
        int size = BsmTokenLayout.DataUnitSize(basicUnit);
        if (size == 0 || units.Length % size != 0 || units.Length / size > byte.MaxValue)
            throw new ArgumentException("The data does not divide into at most 255 units of that size.", nameof(units));
        return Id(BsmTokenType.Data).U8(howToPrint).U8(basicUnit).U8((byte)(units.Length / size)).Bytes(units);
    }

    public BsmRecordBuilder UsePrivilege(bool succeeded, string privilege) => Id(BsmTokenType.UsePrivilege).U8(succeeded ? (byte)1 : (byte)0).Counted(privilege);

    public BsmRecordBuilder Privilege(string setType, string privileges) => Id(BsmTokenType.Privilege).Counted(setType).Counted(privileges);

    /// <summary>
    /// Appends bytes as they are: for tokens this writer has no method for, such
    /// as one of a type libbsm does not know, which is what tests of the reader's
    /// handling of unknown tokens need.
    /// </summary>
    public BsmRecordBuilder Raw(ReadOnlySpan<byte> bytes) => Bytes(bytes);

    /// <summary>The whole record: header, the tokens added, trailer.</summary>
    public byte[] Build()
    {
        int headerSize = HeaderSize();
        int total = headerSize + _length + BsmTokenTypes.TrailerSize;
        var record = new byte[total];
        WriteHeader(record, total);
        _body.AsSpan(0, _length).CopyTo(record.AsSpan(headerSize));
        var trailer = record.AsSpan(total - BsmTokenTypes.TrailerSize);
        trailer[0] = (byte)BsmTokenType.Trailer;
        BinaryPrimitives.WriteUInt16BigEndian(trailer[1..], BsmTokenTypes.TrailerMagic);
        BinaryPrimitives.WriteUInt32BigEndian(trailer[3..], (uint)total);
        return record;
    }

    /// <summary>A stand-alone file token, as auditd writes at the start and end of each trail.</summary>
    public static byte[] FileToken(uint seconds, uint milliseconds, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var token = new byte[11 + nameBytes.Length + 1];
        token[0] = (byte)BsmTokenType.OtherFile32;
        BinaryPrimitives.WriteUInt32BigEndian(token.AsSpan(1), seconds);
        BinaryPrimitives.WriteUInt32BigEndian(token.AsSpan(5), milliseconds);
        BinaryPrimitives.WriteUInt16BigEndian(token.AsSpan(9), (ushort)(nameBytes.Length + 1));
        nameBytes.CopyTo(token.AsSpan(11));
        return token;
    }

    private int HeaderAddressSize => HeaderAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;

    private int HeaderSize() => HeaderForm switch
    {
        BsmHeaderForm.Header32 => 18,
        BsmHeaderForm.Header64 => 26,
        BsmHeaderForm.Header32Ex => 18 + 4 + HeaderAddressSize,
        BsmHeaderForm.Header64Ex => 26 + 4 + HeaderAddressSize,
        _ => throw new InvalidOperationException($"Unknown header form {HeaderForm}."),
    };

    private void WriteHeader(Span<byte> record, int total)
    {
        record[0] = HeaderForm switch
        {
            BsmHeaderForm.Header32 => (byte)BsmTokenType.Header32,
            BsmHeaderForm.Header32Ex => (byte)BsmTokenType.Header32Ex,
            BsmHeaderForm.Header64 => (byte)BsmTokenType.Header64,
            _ => (byte)BsmTokenType.Header64Ex,
        };
        BinaryPrimitives.WriteUInt32BigEndian(record[1..], (uint)total);
        record[5] = Version;
        BinaryPrimitives.WriteUInt16BigEndian(record[6..], EventType);
        BinaryPrimitives.WriteUInt16BigEndian(record[8..], Modifier);
        int at = 10;
        if (HeaderForm is BsmHeaderForm.Header32Ex or BsmHeaderForm.Header64Ex)
        {
            var address = HeaderAddress.GetAddressBytes();
            BinaryPrimitives.WriteUInt32BigEndian(record[at..], (uint)address.Length);
            address.CopyTo(record[(at + 4)..]);
            at += 4 + address.Length;
        }

        if (HeaderForm is BsmHeaderForm.Header32 or BsmHeaderForm.Header32Ex)
        {
            BinaryPrimitives.WriteUInt32BigEndian(record[at..], (uint)Seconds);
            BinaryPrimitives.WriteUInt32BigEndian(record[(at + 4)..], Milliseconds);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(record[at..], (ulong)Seconds);
            BinaryPrimitives.WriteUInt64BigEndian(record[(at + 8)..], Milliseconds);
        }
    }

    private BsmRecordBuilder Ids(BsmTokenType type, uint auid, uint euid, uint egid, uint ruid, uint rgid, uint pid, uint sid) =>
        Id(type).U32(auid).U32(euid).U32(egid).U32(ruid).U32(rgid).U32(pid).U32(sid);

    private BsmRecordBuilder Strings(BsmTokenType type, string[] strings)
    {
        Id(type).U32((uint)strings.Length);
        foreach (var s in strings)
            Bytes(Encoding.UTF8.GetBytes(s)).U8(0);
        return this;
    }

    /// <summary>A 16-bit count, then the string's UTF-8 bytes and a NUL, which the count includes (as libbsm writes them).</summary>
    private BsmRecordBuilder Counted(string text) => Counted(Encoding.UTF8.GetBytes(text));

    private BsmRecordBuilder Counted(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length + 1 > ushort.MaxValue)
            throw new ArgumentException("A counted string holds at most 65534 bytes.", nameof(bytes));
        return U16((ushort)(bytes.Length + 1)).Bytes(bytes).U8(0);
    }

    private BsmRecordBuilder Uuid(Guid uuid)
    {
        Span<byte> bytes = stackalloc byte[16];
        uuid.TryWriteBytes(bytes, bigEndian: true, out _);
        return Bytes(bytes);
    }

    private BsmRecordBuilder Address4(IPAddress? address)
    {
        address ??= IPAddress.Any;
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException("This field holds an IPv4 address.", nameof(address));
        return Bytes(address.GetAddressBytes());
    }

    private BsmRecordBuilder TypedAddress(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return U32((uint)bytes.Length).Bytes(bytes);
    }

    private BsmRecordBuilder Id(BsmTokenType type) => U8((byte)type);

    private BsmRecordBuilder U8(byte value)
    {
        Grow(1)[0] = value;
        return this;
    }

    private BsmRecordBuilder U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Grow(2), value);
        return this;
    }

    private BsmRecordBuilder U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Grow(4), value);
        return this;
    }

    private BsmRecordBuilder U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(Grow(8), value);
        return this;
    }

    private BsmRecordBuilder Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Grow(bytes.Length));
        return this;
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _body.Length)
            Array.Resize(ref _body, Math.Max(_body.Length * 2, _length + count));
        var span = _body.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
