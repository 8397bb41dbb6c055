using System.Buffers;
using System.Globalization;
using System.Text;

namespace BsmTrace.Printing;

/// <summary>
/// Collects printed bytes. praudit's output is bytes, not text: a text token
/// may hold any byte, NULs included, and is printed as it is.
/// </summary>
internal sealed class ByteOutput
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void Clear() => _buffer.ResetWrittenCount();

    public void Write(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void Write(byte b) => _buffer.Write([b]);

    public void Write(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        int written = Encoding.UTF8.GetBytes(text, _buffer.GetSpan(max));
        _buffer.Advance(written);
    }

    public void Write(ulong value) => WriteFormatted(value, default);

    public void Write(long value) => WriteFormatted(value, default);

    public void WriteFormatted<T>(T value, ReadOnlySpan<char> format) where T : IUtf8SpanFormattable
    {
        var span = _buffer.GetSpan(32);
        if (!value.TryFormat(span, out int written, format, CultureInfo.InvariantCulture))
            throw new InvalidOperationException("A number did not fit its buffer.");
        _buffer.Advance(written);
    }
}
