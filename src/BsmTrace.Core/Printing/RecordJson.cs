using System.Text.Encodings.Web;
using System.Text.Json;
using BsmTrace.Bsm;
using BsmTrace.Events;

namespace BsmTrace.Printing;

/// <summary>A record's tokens as a JSON array of objects with named fields: for <c>print --json</c> and for JSON alerts.</summary>
public static class RecordJson
{
    /// <summary>Paths and texts print as they are (no \u escapes for '&lt;' or '+'); the output is not HTML.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A token that could not be written: what kind, where in the record, how many bytes, and a phrase.</summary>
    public readonly record struct Problem(BsmDamageKind Kind, int At, int Length, string What);

    /// <summary>
    /// Writes <c>"tokens": [ … ]</c> for the record's bytes, and
    /// <c>"truncated": true</c> after it when a malformed token stopped it.
    /// An unknown token takes the rest of the record up to its trailer, as libbsm does.
    /// </summary>
    public static Problem? WriteTokens(Utf8JsonWriter json, ReadOnlySpan<byte> bytes, bool isRecord, AuditEventTable events)
    {
        ArgumentNullException.ThrowIfNull(json);
        var writer = new JsonTokenWriter(json, events);
        Problem? problem = null;
        json.WriteStartArray("tokens");
        int at = 0;
        while (at < bytes.Length)
        {
            var token = bytes[at..];
            var measure = BsmTokenLayout.Measure(token, out int length);
            if (measure == TokenMeasure.Unknown && isRecord && at < bytes.Length - BsmTokenTypes.TrailerSize)
            {
                length = bytes.Length - BsmTokenTypes.TrailerSize - at;
                writer.Begin(token[0], "unknown", "");
                writer.Memory("data", null, token[1..length]);
                writer.End("");
                problem ??= new Problem(BsmDamageKind.UnknownToken, at, length, $"unknown token type 0x{token[0]:x2}");
            }
            else if (measure != TokenMeasure.Ok)
            {
                problem ??= new Problem(BsmDamageKind.MalformedToken, at, bytes.Length - at, new RecordProblem(measure, at, token[0]).Describe());
                json.WriteEndArray();
                json.WriteBoolean("truncated", true);
                return problem;
            }
            else
            {
                TokenDescriber.Describe(token[..length], writer);
            }

            at += length;
        }

        json.WriteEndArray();
        return problem;
    }
}
