using System.Text;
using Procurement.Contracts.Errors;

namespace Procurement.Contracts.Text;

/// <summary>
/// The text encoding of an uploaded or imported CSV file. Hospitals and the code release alike
/// send CSV saved by Excel or by WPS on a Chinese desktop, which is GB18030 (GBK) unless it was
/// saved "as UTF-8"; read as UTF-8, every Chinese name in it would be garbled. So a file is read
/// as:
/// <list type="number">
/// <item>UTF-8 or UTF-16 when it starts with that encoding's byte order mark;</item>
/// <item>else UTF-8 when its first <see cref="SampleBytes"/> bytes are valid UTF-8 (ASCII is);</item>
/// <item>else GB18030, the national standard that contains GBK and GB2312.</item>
/// </list>
/// UTF-8 is then decoded strictly: a file that turns out not to be UTF-8 past the sample fails
/// its read with <see cref="ErrorCodes.FileEncoding"/> instead of storing replacement characters.
/// </summary>
public static class CsvEncoding
{
    /// <summary>How much of a file is looked at to tell UTF-8 from GB18030.</summary>
    public const int SampleBytes = 1 << 20;

    /// <summary>UTF-8 that refuses an invalid byte instead of replacing it.</summary>
    public static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly Lazy<Encoding> Gb18030Encoding = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(54936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    });

    /// <summary>GB18030 (code page 54936), decoding strictly.</summary>
    public static Encoding Gb18030 => Gb18030Encoding.Value;

    /// <summary>
    /// The encoding of a seekable stream's text from its first bytes (its position is left where it was):
    /// a byte order mark's, else UTF-8 if the sample is valid UTF-8, else GB18030.
    /// </summary>
    public static Encoding Detect(Stream content)
    {
        var start = content.Position;
        var sample = new byte[(int)Math.Min(SampleBytes, Math.Max(0, content.Length - start))];
        var read = 0;
        while (read < sample.Length && content.Read(sample, read, sample.Length - read) is var n and > 0)
        {
            read += n;
        }
        content.Position = start;
        return Detect(sample.AsSpan(0, read), complete: start + read >= content.Length);
    }

    /// <summary>The encoding of text that begins with <paramref name="sample"/>; <paramref name="complete"/> when the sample is the whole text.</summary>
    public static Encoding Detect(ReadOnlySpan<byte> sample, bool complete)
    {
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return StrictUtf8;
        }
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true);
        }
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true);
        }
        // A sample cut inside a character is not an error: the decoder holds the incomplete bytes unless it is told the text ends.
        try
        {
            StrictUtf8.GetDecoder().GetCharCount(sample, flush: complete);
            return StrictUtf8;
        }
        catch (DecoderFallbackException)
        {
            return Gb18030;
        }
    }

    /// <summary>A reader of a seekable stream's text in its detected encoding; the stream is left open.</summary>
    public static StreamReader Reader(Stream content) =>
        new(content, Detect(content), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);

    /// <summary>The refusal of a file whose bytes are not text in the encoding it was read in.</summary>
    public static ProcurementException Undecodable(Encoding encoding, string where, string field = "file") =>
        new(ErrorCodes.FileEncoding,
            $"The file is not valid {Describe(encoding)} {where}; save it as UTF-8 or GB18030 throughout. Nothing was written.", field);

    private static string Describe(Encoding encoding) => encoding.CodePage switch
    {
        65001 => "UTF-8",
        54936 => "GB18030",
        1200 => "UTF-16",
        1201 => "UTF-16 (big-endian)",
        _ => encoding.WebName,
    };
}
