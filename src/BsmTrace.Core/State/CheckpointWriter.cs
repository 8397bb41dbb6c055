using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using BsmTrace.Matching;
using BsmTrace.Sources;

namespace BsmTrace.State;

/// <summary>Writes a <see cref="Checkpoint"/> as the bytes of a checkpoint file (<see cref="CheckpointFormat"/>).</summary>
public static class CheckpointWriter
{
    public static byte[] Write(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var output = new ArrayBufferWriter<byte>(4096);
        var header = output.GetSpan(CheckpointFormat.HeaderSize)[..CheckpointFormat.HeaderSize];
        header.Clear();
        output.Advance(CheckpointFormat.HeaderSize);

        var w = new Writer(output);
        WritePosition(ref w, checkpoint.Reader.Position);
        WriteReader(ref w, checkpoint.Reader);
        WriteInstances(ref w, checkpoint.Instances);

        var bytes = new byte[output.WrittenCount + CheckpointFormat.TrailerSize];
        output.WrittenSpan.CopyTo(bytes);
        var head = bytes.AsSpan(0, CheckpointFormat.HeaderSize);
        CheckpointFormat.Magic.CopyTo(head[CheckpointFormat.MagicOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(head[CheckpointFormat.VersionOffset..], CheckpointFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(head[CheckpointFormat.FlagsOffset..], checkpoint.Clean ? CheckpointFormat.CleanFlag : (ushort)0);
        BinaryPrimitives.WriteInt64LittleEndian(head[CheckpointFormat.WrittenAtOffset..], checkpoint.WrittenAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt32LittleEndian(head[CheckpointFormat.BodyLengthOffset..], (uint)(output.WrittenCount - CheckpointFormat.HeaderSize));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(output.WrittenCount), XxHash64.HashToUInt64(bytes.AsSpan(0, output.WrittenCount)));
        return bytes;
    }

    private static void WritePosition(ref Writer w, SourcePosition position)
    {
        w.U8(position.IsFile ? CheckpointFormat.FileKind : CheckpointFormat.StreamKind);
        w.U64(position.Identity.Device);
        w.U64(position.Identity.Inode);
        w.I32(position.Identity.FingerprintLength);
        w.U64(position.Identity.Fingerprint);
        w.I64(position.Generation);
        w.I64(position.Offset);
        w.String(position.Path);
    }

    private static void WriteReader(ref Writer w, ReaderMark reader)
    {
        w.I64(reader.NextRecordIndex);
        w.I64(reader.LastRecordSeconds);
        w.U32((uint)reader.Zones.Count);
        foreach (var zone in reader.Zones)
            w.String(zone);
        w.U32((uint)reader.Paths.Count);
        foreach (var path in reader.Paths)
        {
            w.U32(path.FileSystemId);
            w.U64(path.Inode);
            w.Bytes(path.Path);
        }
    }

    private static void WriteInstances(ref Writer w, IReadOnlyList<SavedInstance> instances)
    {
        w.U32((uint)instances.Count);
        foreach (var i in instances)
        {
            w.String(i.Sequence);
            w.String(i.Fingerprint);
            w.U32(i.Subject);
            w.U32(i.ScopeId);
            w.I32(i.Zone);
            w.U8(i.NoSubject ? (byte)1 : (byte)0);
            w.I32(i.Next);
            w.I64(i.FirstSeconds);
            w.U8(i.ExpiresAfter.HasValue ? (byte)1 : (byte)0);
            w.I64(i.ExpiresAfter ?? 0);
            w.I64(i.StartIndex);
            w.I64(i.Matched);
            w.U32((uint)i.Records.Count);
            foreach (var record in i.Records)
                w.Bytes(record);
        }
    }

    /// <summary>Appends little-endian fields to a buffer.</summary>
    private readonly ref struct Writer(ArrayBufferWriter<byte> output)
    {
        public void U8(byte value) => output.Write([value]);

        public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Next(4), value);

        public void I32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Next(4), value);

        public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Next(8), value);

        public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Next(8), value);

        public void String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

        public void Bytes(ReadOnlySpan<byte> value)
        {
            U32((uint)value.Length);
            output.Write(value);
        }

        private Span<byte> Next(int length)
        {
            var span = output.GetSpan(length)[..length];
            output.Advance(length);
            return span;
        }
    }
}
