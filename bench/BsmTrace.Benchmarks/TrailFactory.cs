using System.Net;
using BsmTrace.Bsm;

namespace BsmTrace.Benchmarks;

/// <summary>
/// Deterministic trails with a realistic mix, made with the project's writer:
/// failed logins, execs, file opens with path and attributes, fd-only calls,
/// network calls, some in jails. Each user's failed logins keep a brute-force
/// instance live, so the number of users is the number of live subjects.
/// </summary>
public static class TrailFactory
{
    private static readonly string[] Paths = ["/usr/bin/ls", "/etc/passwd", "/usr/local/www/index.html", "/tmp/x.sh", "/home/u/notes.txt", "/usr/lib/libc.so.7", "/var/log/messages"];

    /// <summary>
    /// Fifty-one failed logins per user: enough to bring every user's
    /// brute-force instance to its last state, where further failures change
    /// nothing. After it, 20 users and 20,000 do the same matching work per
    /// record and differ only in how many instances are live.
    /// </summary>
    public static IEnumerable<byte[]> WarmUp(int users)
    {
        var builder = new BsmRecordBuilder(32800, 1_700_000_000);
        var terminal = IPAddress.Parse("10.0.0.1");
        for (int round = 0; round < 51; round++)
        {
            for (int u = 0; u < users; u++)
            {
                uint auid = (uint)(1000 + u);
                yield return builder.Clear().Subject32Ex(auid, auid, 20, auid, 20, 100, 100, 4660, terminal).Text("failed login").Return32(1, 0).Build();
            }
        }
    }

    public static List<byte[]> Records(int count, int users, int seed = 1)
    {
        var random = new Random(seed);
        var records = new List<byte[]>(count);
        var builder = new BsmRecordBuilder(0, 0);
        long time = 1_700_000_000;
        var terminal = IPAddress.Parse("10.0.0.1");
        for (int i = 0; i < count; i++)
        {
            uint auid = (uint)(1000 + (i % users));
            if (i % 10 == 0)
                time++;
            int kind = random.Next(100);
            int pathIndex = random.Next(Paths.Length);
            string path = Paths[pathIndex];
            ulong inode = (ulong)(1000 + pathIndex);
            builder.Clear();
            builder.Seconds = time;
            builder.Milliseconds = (uint)(i % 1000);
            if (i < users || kind < 10) // every user fails a login at least once
            {
                builder.EventType = 32800; // AUE_openssh, failed: keeps the user's instance live
                builder.Subject32Ex(auid, auid, 20, auid, 20, (uint)(100 + i % 5000), (uint)(100 + i % 5000), 4660, terminal).Text("failed login").Return32(1, 0);
            }
            else if (kind < 30)
            {
                builder.EventType = 23; // AUE_EXECVE
                builder.ExecArgs(path, "-l").Path(path).Attr32(0x1ed, 0, 0, 90, inode, 0)
                    .Subject32(auid, auid, 20, auid, 20, (uint)i, 77, 0, terminal).Return32(0, 0);
                if (kind < 15)
                    builder.ZoneName("jail-web");
            }
            else if (kind < 65)
            {
                builder.EventType = 72; // AUE_OPEN_R
                builder.Path(path).Attr32(0x81a4, 0, 0, 90, inode, 0).Subject32(auid, auid, 20, auid, 20, (uint)i, 77).Return32(0, 3);
            }
            else if (kind < 85)
            {
                builder.EventType = 39; // AUE_FCHMOD: attribute only
                builder.Attr32(0x81a4, 0, 0, 90, inode, 0).Subject32(auid, auid, 20, auid, 20, (uint)i, 77).Return32(0, 0);
            }
            else
            {
                builder.EventType = 34; // AUE_BIND
                builder.SockInet32(2, 8080, terminal).Subject32(auid, auid, 20, auid, 20, (uint)i, 77).Return32(0, 0);
            }

            records.Add(builder.Build());
        }

        return records;
    }
}
