namespace BsmTrace.Printing;

/// <summary>
/// praudit's escaping of exec arguments in XML: the five XML entities, and
/// vis(3) in C style for anything unprintable, so that a hostile argument
/// cannot break the document. bsmtrace uses it as well for any other string that
/// XML cannot hold as it is (bytes that are not UTF-8, control characters), where
/// praudit writes a document that no XML parser accepts.
/// </summary>
internal static class XmlEscaper
{
    /// <summary>
    /// Whether <paramref name="text"/> (up to a NUL) can stand in an XML document as it is, its
    /// markup characters apart: valid UTF-8, and only characters XML 1.0 allows.
    /// </summary>
    public static bool IsXmlText(ReadOnlySpan<byte> text)
    {
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
            text = text[..nul];
        if (!System.Text.Unicode.Utf8.IsValid(text))
            return false;
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
                return false;
            // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters either.
            if (b == 0xef && i + 2 < text.Length && text[i + 1] == 0xbf && text[i + 2] is 0xbe or 0xbf)
                return false;
        }

        return true;
    }

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
