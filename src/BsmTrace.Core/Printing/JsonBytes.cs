using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace BsmTrace.Printing;

/// <summary>
/// How bsmtrace's JSON carries a string that is bytes (a file's name, an exec argument) without
/// losing any: a string that is valid UTF-8 is written as it is; one that is not is written as
/// text with U+FFFD for each byte that is not UTF-8, and beside it a field of the same name with
/// <c>_hex</c> appended holds the exact bytes in lower-case hexadecimal. So "/tmp/caf\xe9" becomes
/// <c>"path": "/tmp/caf\ufffd", "path_hex": "2f746d702f636166e9"</c>, and two names that differ
/// only in such bytes stay two. Consumers that want the real name take <c>_hex</c> when present.
/// </summary>
public static class JsonBytes
{
    public const string HexSuffix = "_hex";

    public static void WriteString(Utf8JsonWriter json, string name, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Utf8.IsValid(bytes))
        {
            json.WriteString(name, bytes);
            return;
        }

        json.WriteString(name, Encoding.UTF8.GetString(bytes));
        json.WriteString(name + HexSuffix, Convert.ToHexStringLower(bytes));
    }
}
