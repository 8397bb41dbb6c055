using System.Net;
using BsmTrace.Bsm;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Bsm;

/// <summary>
/// Every token type libbsm decodes, written by the project's writer and read
/// back by the printer: the praudit -n line pins the decoder's field layout.
/// </summary>
public sealed class TokenRoundTripTests
{
    private static readonly IPAddress V4 = IPAddress.Parse("10.1.2.3");
    private static readonly IPAddress V4b = IPAddress.Parse("192.168.0.9");
    private static readonly IPAddress V6 = IPAddress.Parse("fe80::1:2");
    private static readonly IPAddress V6b = IPAddress.Parse("2001:db8::7");

    public static TheoryData<string, Func<BsmRecordBuilder, BsmRecordBuilder>, string> Tokens() => new()
    {
        { "subject32", b => b.Subject32(1001, 0, 0, 1001, 20, 4242, 77, 5, V4), "subject,1001,0,0,1001,20,4242,77,5,10.1.2.3" },
        { "subject64", b => b.Subject64(1001, 0, 0, 1001, 20, 4242, 77, 0x100000005, V4), "subject,1001,0,0,1001,20,4242,77,4294967301,10.1.2.3" },
        { "subject32_ex v4", b => b.Subject32Ex(1001, 0, 0, 1001, 20, 4242, 77, 5, V4), "subject_ex,1001,0,0,1001,20,4242,77,5,10.1.2.3" },
        { "subject32_ex v6", b => b.Subject32Ex(1001, 0, 0, 1001, 20, 4242, 77, 5, V6), "subject_ex,1001,0,0,1001,20,4242,77,5,fe80::1:2" },
        { "subject64_ex v6", b => b.Subject64Ex(1001, 0, 0, 1001, 20, 4242, 77, 5, V6), "subject_ex,1001,0,0,1001,20,4242,77,5,fe80::1:2" },
        { "process32", b => b.Process32(1, 2, 3, 4, 5, 6, 7, 8, V4), "process,1,2,3,4,5,6,7,8,10.1.2.3" },
        { "process64", b => b.Process64(1, 2, 3, 4, 5, 6, 7, 8, V4), "process,1,2,3,4,5,6,7,8,10.1.2.3" },
        { "process32_ex", b => b.Process32Ex(1, 2, 3, 4, 5, 6, 7, 8, V6), "process_ex,1,2,3,4,5,6,7,8,fe80::1:2" },
        { "process64_ex", b => b.Process64Ex(1, 2, 3, 4, 5, 6, 7, 8, V4), "process_ex,1,2,3,4,5,6,7,8,10.1.2.3" },
        { "return32 success", b => b.Return32(0, 3), "return,success,3" },
        { "return32 failure", b => b.Return32(2, uint.MaxValue), "return,failure : No such file or directory,4294967295" },
        { "return64", b => b.Return64(13, ulong.MaxValue), "return,failure : Permission denied,-1" },
        { "path", b => b.Path("/etc/master.passwd"), "path,/etc/master.passwd" },
        { "text", b => b.Text("hello, world"), "text,hello, world" },
        { "zonename", b => b.ZoneName("www-jail"), "zone,www-jail" },
        { "opaque", b => b.Opaque([0xde, 0xad, 0xbe, 0xef]), "opaque,4,0xdeadbeef" },
        { "attr32", b => b.Attr32(0x81a4, 0, 0, 90, 12345, 0), "attribute,100644,0,0,90,12345,0" },
        { "attr64", b => b.Attr64(0x41ed, 1001, 20, 91, 0x1_0000_0001, 0x2a), "attribute,40755,1001,20,91,4294967297,42" },
        { "arg32", b => b.Arg32(1, 0x1ff, "mode"), "argument,1,0x1ff,mode" },
        { "arg64", b => b.Arg64(2, 0xffff_ffff_ff, "addr"), "argument,2,0xffffffffff,addr" },
        { "arg uuid", b => b.ArgUuid(3, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), "uuid"), "arg_uuid,3,00112233-4455-6677-8899-aabbccddeeff,uuid" },
        { "ret uuid", b => b.ReturnUuid(4, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), "uuid"), "ret_uuid,4,00112233-4455-6677-8899-aabbccddeeff,uuid" },
        { "exec args", b => b.ExecArgs("/bin/sh", "-c", "id"), "exec arg,/bin/sh,-c,id" },
        { "exec env", b => b.ExecEnv("HOME=/root", "PATH=/bin"), "exec env,HOME=/root,PATH=/bin" },
        { "exit", b => b.Exit(0, 1), "exit,Error 0,1" },
        { "newgroups", b => b.NewGroups(0, 5, 20), "group,0,5,20" },
        { "in_addr", b => b.InAddr(V4), "ip addr,10.1.2.3" },
        { "in_addr_ex v6", b => b.InAddrEx(V6), "ip addr ex,fe80::1:2" },
        { "ip", b => b.Ip(0x45, 0, 84, 1, 0, 64, 6, 0xbeef, V4, V4b), "ip,0x45,0x00,84,1,0,0x40,0x06,48879,10.1.2.3,192.168.0.9" },
        { "ipc", b => b.Ipc(2, 65536), "IPC,Semaphore IPC,65536" },
        { "ipc_perm", b => b.IpcPerm(1, 2, 3, 4, 0x1b6, 6, 7), "IPC perm,1,2,3,4,666,6,7" },
        { "iport", b => b.IPort(8080), "ip port,0x1f90" },
        { "seq", b => b.Seq(99), "sequence,99" },
        { "socket", b => b.Socket(1, 22, V4, 40000, V4b), "socket,1,22,10.1.2.3,40000,192.168.0.9" },
        { "socket_ex v4", b => b.SocketEx(2, 1, 22, V4, 40000, V4b), "socket,0x2,0x1,0x16,10.1.2.3,0x9c40,192.168.0.9" },
        { "socket_ex v6", b => b.SocketEx(28, 1, 22, V6, 40000, V6b), "socket,0x1c,0x1,0x16,fe80::1:2,0x9c40,2001:db8::7" },
        { "sockinet32", b => b.SockInet32(2, 80, V4), "socket-inet,2,80,10.1.2.3" },
        { "sockinet128", b => b.SockInet128(28, 443, V6), "socket-inet6,28,443,fe80::1:2" },
        { "sockunix", b => b.SockUnix(1, "/var/run/log"), "socket-unix,1,/var/run/log" },
        { "data string", b => b.Data(4, 0, "abc"u8), "arbitrary,string,byte,3,abc" },
        { "data hex shorts", b => b.Data(3, 1, [0x00, 0x01, 0xff, 0xfe]), "arbitrary,hex,short,2, 100 feff" },
        { "use of privilege", b => b.UsePrivilege(true, "PRIV_NET_RAWACCESS"), "use of privilege,successful use of priv,PRIV_NET_RAWACCESS" },
        { "privilege set", b => b.Privilege("effective", "file_read"), "privilege,effective,file_read" },
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public void Token_reads_back_as_praudit_prints_it(string token, Func<BsmRecordBuilder, BsmRecordBuilder> add, string expected)
    {
        var record = add(new BsmRecordBuilder(23, Trails.Epoch)).Build();
        var lines = Print.BodyLines(record);
        Assert.True(lines.Length == 1, $"{token}: expected one token line, got {lines.Length}");
        Assert.Equal(expected, lines[0]);
    }
}
