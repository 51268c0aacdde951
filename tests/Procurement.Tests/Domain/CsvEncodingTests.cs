using System.Text;
using Procurement.Contracts.Text;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>Telling a CSV file's encoding: byte order marks, UTF-8, and GB18030 as Chinese desktops save it.</summary>
public sealed class CsvEncodingTests
{
    private const string Chinese = "注册证编号,规格型号\n国械注准20153130000,火鹰 3.0×18mm\n";

    private static Encoding Detect(byte[] bytes) => CsvEncoding.Detect(new MemoryStream(bytes));

    [Fact]
    public void Utf8_with_or_without_its_mark_and_plain_ascii_are_utf8()
    {
        Assert.Equal(65001, Detect(Encoding.UTF8.GetBytes(Chinese)).CodePage);
        Assert.Equal(65001, Detect([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Chinese)]).CodePage);
        Assert.Equal(65001, Detect(Encoding.ASCII.GetBytes("product_id,quantity\nP1,3\n")).CodePage);
        Assert.Equal(65001, Detect([]).CodePage);
    }

    [Fact]
    public void Utf16_is_told_by_its_mark()
    {
        Assert.Equal(1200, Detect([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Chinese)]).CodePage);
        Assert.Equal(1201, Detect([.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(Chinese)]).CodePage);
    }

    [Fact]
    public void Gb18030_text_is_gb18030_and_reads_back_as_written()
    {
        var bytes = CsvEncoding.Gb18030.GetBytes(Chinese);

        var encoding = Detect(bytes);

        Assert.Equal(54936, encoding.CodePage);
        using var reader = CsvEncoding.Reader(new MemoryStream(bytes));
        Assert.Equal(Chinese, reader.ReadToEnd());
    }

    [Fact]
    public void A_sample_that_ends_inside_a_utf8_character_is_still_utf8_but_a_whole_text_ending_so_is_not()
    {
        // "规" is three bytes in UTF-8: cut after its first two, the sample is a valid start of UTF-8 text.
        var bytes = Encoding.UTF8.GetBytes("a,规");
        var cut = bytes.AsSpan(0, bytes.Length - 1);

        Assert.Equal(65001, CsvEncoding.Detect(cut, complete: false).CodePage);
        Assert.Equal(54936, CsvEncoding.Detect(cut, complete: true).CodePage);
    }

    [Fact]
    public void Utf8_past_the_sample_that_stops_being_utf8_fails_its_read_instead_of_storing_replacement_characters()
    {
        var start = Encoding.ASCII.GetBytes(new string('a', CsvEncoding.SampleBytes) + "\n");
        var bytes = (byte[])[.. start, .. CsvEncoding.Gb18030.GetBytes("规格\n")];

        using var reader = CsvEncoding.Reader(new MemoryStream(bytes));

        Assert.Equal(65001, reader.CurrentEncoding.CodePage);
        Assert.Throws<DecoderFallbackException>(() => reader.ReadToEnd());
    }
}
