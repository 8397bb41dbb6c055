using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using BsmTrace.Sources;

namespace BsmTrace.Matching;

/// <summary>
/// An alert's id: a hash of where its completing record is (the source's identity, its session
/// for a stream, the record's byte offset), the sequence and the key. The same record completing
/// the same instance gives the same id, so an alert raised again after an unclean stop (a record
/// matched again) has the id it had; no two alerts of a run share one.
/// </summary>
public static class AlertId
{
    /// <summary>32 lowercase hexadecimal digits (128 bits).</summary>
    public static string Of(SourcePosition? source, long recordOffset, string sequence, in InstanceKey key, ReadOnlySpan<byte> zone)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var hash = new XxHash128();
        Span<byte> fields = stackalloc byte[8 * 5 + 4 * 3 + 1];
        var identity = source?.Identity ?? default;
        BinaryPrimitives.WriteUInt64LittleEndian(fields, identity.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(fields[8..], identity.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(fields[16..], identity.Fingerprint);
        BinaryPrimitives.WriteInt64LittleEndian(fields[24..], source?.Generation ?? 0);
        BinaryPrimitives.WriteInt64LittleEndian(fields[32..], recordOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[40..], key.Subject);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[44..], key.ScopeId);
        BinaryPrimitives.WriteInt32LittleEndian(fields[48..], zone.Length);
        fields[52] = key.NoSubject ? (byte)1 : (byte)0;
        hash.Append(fields);
        hash.Append(zone);
        hash.Append(Encoding.UTF8.GetBytes(sequence));
        Span<byte> digest = stackalloc byte[16];
        hash.GetCurrentHash(digest);
        return Convert.ToHexStringLower(digest);
    }
}
