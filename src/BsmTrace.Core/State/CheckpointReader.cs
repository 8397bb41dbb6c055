using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using BsmTrace.Matching;
using BsmTrace.Sources;

namespace BsmTrace.State;

/// <summary>
/// Reads the fields of a checkpoint file (<see cref="CheckpointFormat"/>) in order: a small type
/// over the bytes whose <c>TryRead…</c> methods say false when the bytes run out, and whose
/// <see cref="Error"/> makes the failure a <see cref="CheckpointFormatException"/> at the offset
/// where it was found.
/// </summary>
public ref struct CheckpointReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    /// <summary>The offset of the next field.</summary>
    public int Offset { get; private set; }

    public bool TryReadU8(out byte value)
    {
        value = 0;
        if (!TryRead(1, out var f))
            return false;
        value = f[0];
        return true;
    }

    public bool TryReadU32(out uint value)
    {
        value = 0;
        if (!TryRead(4, out var f))
            return false;
        value = BinaryPrimitives.ReadUInt32LittleEndian(f);
        return true;
    }

    public bool TryReadI32(out int value)
    {
        value = 0;
        if (!TryRead(4, out var f))
            return false;
        value = BinaryPrimitives.ReadInt32LittleEndian(f);
        return true;
    }

    public bool TryReadU64(out ulong value)
    {
        value = 0;
        if (!TryRead(8, out var f))
            return false;
        value = BinaryPrimitives.ReadUInt64LittleEndian(f);
        return true;
    }

    public bool TryReadI64(out long value)
    {
        value = 0;
        if (!TryRead(8, out var f))
            return false;
        value = BinaryPrimitives.ReadInt64LittleEndian(f);
        return true;
    }

    /// <summary>A length (u32) and that many bytes; false when they are not all there.</summary>
    public bool TryReadBytes(out ReadOnlySpan<byte> value)
    {
        value = default;
        int at = Offset;
        if (!TryReadU32(out uint length) || length > (uint)(_data.Length - Offset))
        {
            Offset = at;
            return false;
        }

        return TryRead((int)length, out value);
    }

    public bool TryReadString(out string value)
    {
        value = "";
        if (!TryReadBytes(out var bytes))
            return false;
        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>The failure at the current offset.</summary>
    public readonly CheckpointFormatException Error(string problem) => new(Offset, problem);

    private bool TryRead(int length, out ReadOnlySpan<byte> field)
    {
        if (length < 0 || _data.Length - Offset < length)
        {
            field = default;
            return false;
        }

        field = _data.Slice(Offset, length);
        Offset += length;
        return true;
    }

    /// <summary>
    /// The checkpoint in <paramref name="file"/>. A checkpoint from a newer version gives its position
    /// alone (<see cref="CheckpointFile.PositionOnly"/>): the header and the position keep their shape.
    /// </summary>
    /// <exception cref="CheckpointFormatException">Truncated, not a checkpoint, or damaged (its checksum disagrees).</exception>
    public static CheckpointFile Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < CheckpointFormat.HeaderSize + CheckpointFormat.TrailerSize)
            throw new CheckpointFormatException(file.Length, $"{file.Length} bytes, shorter than any checkpoint");
        if (!file.StartsWith(CheckpointFormat.Magic))
            throw new CheckpointFormatException(CheckpointFormat.MagicOffset, "not a bsmtrace checkpoint (no BSMSTATE at its start)");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(file[CheckpointFormat.VersionOffset..]);
        uint bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(file[CheckpointFormat.BodyLengthOffset..]);
        long end = CheckpointFormat.HeaderSize + (long)bodyLength;
        if (end + CheckpointFormat.TrailerSize != file.Length)
            throw new CheckpointFormatException(CheckpointFormat.BodyLengthOffset, $"declares a body of {bodyLength} bytes, but the file holds {file.Length} (truncated or extended)");
        ulong checksum = BinaryPrimitives.ReadUInt64LittleEndian(file[(int)end..]);
        if (XxHash64.HashToUInt64(file[..(int)end]) != checksum)
            throw new CheckpointFormatException(end, "its checksum does not match its contents (damaged)");

        bool clean = (BinaryPrimitives.ReadUInt16LittleEndian(file[CheckpointFormat.FlagsOffset..]) & CheckpointFormat.CleanFlag) != 0;
        var writtenAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(file[CheckpointFormat.WrittenAtOffset..]));
        var reader = new CheckpointReader(file[..(int)end]) { Offset = CheckpointFormat.HeaderSize };
        var position = reader.ReadPosition();
        if (version > CheckpointFormat.Version)
        {
            var mark = new ReaderMark(position, 0, 0, [], []);
            return new CheckpointFile(new Checkpoint(mark, [], clean, writtenAt), version, PositionOnly: true);
        }

        if (version < 1)
            throw new CheckpointFormatException(CheckpointFormat.VersionOffset, $"version {version} was never written");
        var readerMark = reader.ReadReader(position);
        var instances = reader.ReadInstances();
        if (reader.Offset != end)
            throw reader.Error($"{end - reader.Offset} bytes after the last field");
        return new CheckpointFile(new Checkpoint(readerMark, instances, clean, writtenAt), version, PositionOnly: false);
    }

    private SourcePosition ReadPosition()
    {
        if (!TryReadU8(out byte kind) || !TryReadU64(out ulong device) || !TryReadU64(out ulong inode) || !TryReadI32(out int fingerprintLength)
            || !TryReadU64(out ulong fingerprint) || !TryReadI64(out long generation) || !TryReadI64(out long offset) || !TryReadString(out string path))
        {
            throw Error("the source's position is cut short");
        }

        if (kind is not (CheckpointFormat.FileKind or CheckpointFormat.StreamKind) || offset < 0 || fingerprintLength is < 0 or > TrailIdentity.FingerprintBytes)
            throw Error("the source's position does not make sense");
        return new SourcePosition(new TrailIdentity(device, inode, fingerprintLength, fingerprint), path, offset, generation, kind == CheckpointFormat.FileKind);
    }

    private ReaderMark ReadReader(SourcePosition position)
    {
        if (!TryReadI64(out long nextRecord) || !TryReadI64(out long lastSeconds) || !TryReadU32(out uint zoneCount))
            throw Error("the reader's state is cut short");
        var zones = new List<string>();
        for (uint z = 0; z < zoneCount; z++)
        {
            if (!TryReadString(out string zone))
                throw Error($"zone name {z} is cut short");
            zones.Add(zone);
        }

        if (zones.Count < 2 || zones[0].Length != 0)
            throw Error("the zone names do not begin with the two every run has");
        if (!TryReadU32(out uint pathCount))
            throw Error("the inode memory is cut short");
        var paths = new List<RememberedPath>();
        for (uint p = 0; p < pathCount; p++)
        {
            if (!TryReadU32(out uint fileSystem) || !TryReadU64(out ulong inode) || !TryReadBytes(out var path))
                throw Error($"inode memory entry {p} is cut short");
            paths.Add(new RememberedPath(fileSystem, inode, path.ToArray()));
        }

        return new ReaderMark(position, nextRecord, lastSeconds, zones, paths);
    }

    private List<SavedInstance> ReadInstances()
    {
        if (!TryReadU32(out uint count))
            throw Error("the instances are cut short");
        var instances = new List<SavedInstance>();
        for (uint n = 0; n < count; n++)
        {
            if (!TryReadString(out string sequence) || !TryReadString(out string fingerprint) || !TryReadU32(out uint subject) || !TryReadU32(out uint scope)
                || !TryReadI32(out int zone) || !TryReadU8(out byte noSubject) || !TryReadI32(out int next) || !TryReadI64(out long first)
                || !TryReadU8(out byte hasExpiry) || !TryReadI64(out long expiry) || !TryReadI64(out long start) || !TryReadI64(out long matched)
                || !TryReadU32(out uint recordCount))
            {
                throw Error($"instance {n} is cut short");
            }

            var records = new List<byte[]>();
            for (uint r = 0; r < recordCount; r++)
            {
                if (!TryReadBytes(out var record))
                    throw Error($"record {r} of instance {n} is cut short");
                records.Add(record.ToArray());
            }

            instances.Add(new SavedInstance(sequence, fingerprint, subject, scope, zone, noSubject != 0, next, first, hasExpiry != 0 ? expiry : null, start, matched, records));
        }

        return instances;
    }
}

/// <summary>A checkpoint as read: which version wrote it, and whether only its position could be read (a newer version).</summary>
public sealed record CheckpointFile(Checkpoint Checkpoint, int Version, bool PositionOnly);
