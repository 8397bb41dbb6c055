namespace BsmTrace.Bsm;

/// <summary>
/// The first byte of every BSM token (audit.log(5), OpenBSM's audit_record.h).
/// Only the types that OpenBSM's libbsm can decode are named here; any other
/// byte is an unknown token.
/// </summary>
public enum BsmTokenType : byte
{
    OtherFile32 = 0x11,
    Trailer = 0x13,
    Header32 = 0x14,
    Header32Ex = 0x15,
    Data = 0x21,
    Ipc = 0x22,
    Path = 0x23,
    Subject32 = 0x24,
    Process32 = 0x26,
    Return32 = 0x27,
    Text = 0x28,
    Opaque = 0x29,
    InAddr = 0x2a,
    Ip = 0x2b,
    IPort = 0x2c,
    Arg32 = 0x2d,
    Socket = 0x2e,
    Seq = 0x2f,
    IpcPerm = 0x32,
    Privilege = 0x38,
    UsePrivilege = 0x39,
    NewGroups = 0x3b,
    ExecArgs = 0x3c,
    ExecEnv = 0x3d,
    Attr32 = 0x3e,
    Exit = 0x52,
    ZoneName = 0x60,
    Arg64 = 0x71,
    Return64 = 0x72,
    Attr64 = 0x73,
    Header64 = 0x74,
    Subject64 = 0x75,
    Process64 = 0x77,
    Header64Ex = 0x79,
    Subject32Ex = 0x7a,
    Process32Ex = 0x7b,
    Subject64Ex = 0x7c,
    Process64Ex = 0x7d,
    InAddrEx = 0x7e,
    SocketEx = 0x7f,
    SockInet32 = 0x80,
    SockInet128 = 0x81,
    SockUnix = 0x82,
    ArgUuid = 0x84,
    ReturnUuid = 0x85,
}

/// <summary>Facts about token types that more than one part needs.</summary>
public static class BsmTokenTypes
{
    /// <summary>Address type/length values used by the _ex tokens.</summary>
    public const uint AddressIPv4 = 4;
    public const uint AddressIPv6 = 16;

    /// <summary>The trailer's magic number.</summary>
    public const ushort TrailerMagic = 0xb105;

    /// <summary>Size of a trailer token: id, magic, count.</summary>
    public const int TrailerSize = 7;

    /// <summary>OpenBSM stops reading exec argument and environment lists at these counts.</summary>
    public const int MaxExecStrings = 128;

    public static bool IsHeader(byte id) =>
        id is (byte)BsmTokenType.Header32 or (byte)BsmTokenType.Header32Ex
            or (byte)BsmTokenType.Header64 or (byte)BsmTokenType.Header64Ex;

    public static bool IsKnown(byte id) => Enum.IsDefined((BsmTokenType)id);
}
