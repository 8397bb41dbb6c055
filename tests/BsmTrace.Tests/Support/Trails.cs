using System.Net;
using BsmTrace.Bsm;

namespace BsmTrace.Tests.Support;

/// <summary>Small trails made with the project's own writer.</summary>
public static class Trails
{
    public const long Epoch = 1_700_000_000;

    /// <summary>An execve by the given user: exec args, path, attribute, subject, return.</summary>
    public static byte[] Exec(uint auid, string path, long seconds = Epoch, uint msec = 0, byte status = 0) =>
        new BsmRecordBuilder(23, seconds, msec)
            .ExecArgs(path, "-v")
            .Path(path)
            .Attr32(0x1ed, 0, 0, 90, 1597, 0)
            .Subject32(auid, auid, 20, auid, 20, 4242, 4242, 0, IPAddress.Parse("10.0.0.2"))
            .Return32(status, status == 0 ? 0u : uint.MaxValue)
            .Build();

    /// <summary>A login record without a path.</summary>
    public static byte[] Login(uint auid, byte status, long seconds = Epoch) =>
        new BsmRecordBuilder(32800, seconds)
            .Subject32Ex(auid, auid, 20, auid, 20, 100, 100, 4660, IPAddress.Parse("192.168.1.1"))
            .Text(status == 0 ? "successful login" : "failed login")
            .Return32(status, 0)
            .Build();

    /// <summary>A run of distinct exec records, one second apart, each by its own user.</summary>
    public static byte[][] Execs(int count, long start = Epoch) =>
        Enumerable.Range(0, count).Select(i => Exec((uint)(1000 + i), $"/usr/bin/tool{i}", start + i)).ToArray();

    /// <summary>Offsets of each record in the concatenation of <paramref name="records"/>.</summary>
    public static long[] Offsets(byte[][] records)
    {
        var offsets = new long[records.Length];
        for (int i = 1; i < records.Length; i++)
            offsets[i] = offsets[i - 1] + records[i - 1].Length;
        return offsets;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Reads every record and every piece of damage from a trail held in memory.</summary>
    public static (List<AuditRecord> Records, List<BsmDamage> Damage) ReadAll(byte[] trail, BsmReaderOptions? options = null) =>
        ReadAll(new MemoryStream(trail), options);

    /// <summary>Reads every record and every piece of damage from a stream.</summary>
    public static (List<AuditRecord> Records, List<BsmDamage> Damage) ReadAll(Stream trail, BsmReaderOptions? options = null)
    {
        var damage = new List<BsmDamage>();
        var records = new List<AuditRecord>();
        using var reader = new BsmRecordReader(trail, options);
        reader.Damaged += damage.Add;
        while (reader.TryRead(out var record))
        {
            // Records point into the reader's buffer; keep copies.
            AuditRecord.TryParse(record.Raw.ToArray(), record.Offset, out var copy, out _);
            records.Add(copy);
        }

        return (records, damage);
    }
}
