namespace BsmTrace.Printing;

/// <summary>
/// praudit's escaping of exec arguments in XML: the five XML entities, and
/// vis(3) in C style for anything unprintable, so that a hostile argument
/// cannot break the document.
/// </summary>
internal static class XmlEscaper
{
    public static void Write(ByteOutput output, ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if (b == 0)
                return;
            if (TryGetEntity(b, out var entity))
                output.Write(entity);
            else
                WriteVis(output, b);
        }
    }

    /// <summary>The XML entity for one of the five characters that need one.</summary>
    public static bool TryGetEntity(byte b, out string entity)
    {
        entity = b switch
        {
            (byte)'&' => "&amp;",
            (byte)'<' => "&lt;",
            (byte)'>' => "&gt;",
            (byte)'"' => "&quot;",
            (byte)'\'' => "&apos;",
            _ => "",
        };
        return entity.Length > 0;
    }

    private static void WriteVis(ByteOutput output, byte b)
    {
        switch (b)
        {
            case (byte)'\\': output.Write("\\\\"); return;
            case (byte)'\n': output.Write("\\n"); return;
            case (byte)'\r': output.Write("\\r"); return;
            case (byte)'\t': output.Write("\\t"); return;
            case (byte)'\b': output.Write("\\b"); return;
            case 0x07: output.Write("\\a"); return;
            case 0x0b: output.Write("\\v"); return;
            case 0x0c: output.Write("\\f"); return;
        }

        if (b >= 0x20 && b < 0x7f)
        {
            output.Write(b);
            return;
        }

        // Meta and control characters as vis(3) writes them: \M-x, \^X, \^?.
        if (b >= 0x80)
        {
            output.Write("\\M-");
            b &= 0x7f;
            if (b >= 0x20 && b < 0x7f)
            {
                output.Write(b);
                return;
            }

            output.Write(b == 0x7f ? "^?" : "^" + (char)(b + '@'));
            return;
        }

        output.Write(b == 0x7f ? "\\^?" : "\\^" + (char)(b + '@'));
    }
}
