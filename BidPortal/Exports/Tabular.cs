using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// The two table formats of the portal's exports. CSV: invariant culture (a decimal point whatever
/// the server's culture), CRLF and quoting only where RFC 4180 needs it, UTF-8 with a BOM because
/// Excel reads a BOM-less file in the local ANSI code page and garbles Chinese names. XLSX: one
/// sheet per table, numbers as numbers. Both write synchronously and leave the stream open, so a
/// caller that streams to an HTTP response buffers first (Kestrel refuses synchronous writes).
/// CSV text cells are neutralised against formula injection (<see cref="FormulaSafeText"/>).
/// </summary>
internal static class Tabular
{
    private static readonly CsvConfiguration CsvFormat = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        HasHeaderRecord = true,
        // RFC 4180 quoting, also of a lone CR or LF (CsvHelper quotes only the configured CRLF once NewLine is set).
        ShouldQuote = args => args.Field is { Length: > 0 } field
            && (field.AsSpan().IndexOfAny("\",\r\n") >= 0 || field[0] == ' ' || field[^1] == ' '),
    };

    private static readonly UTF8Encoding Utf8WithBom = new(encoderShouldEmitUTF8Identifier: true);

    /// <summary>Header from <typeparamref name="T"/> even when there are no rows, so an empty export still says what it would hold.</summary>
    public static void WriteCsv<T>(IEnumerable<T> rows, Stream output)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new StreamWriter(output, Utf8WithBom, bufferSize: -1, leaveOpen: true);
        using var csv = new CsvWriter(writer, CsvFormat, leaveOpen: true);
        csv.Context.TypeConverterCache.AddConverter<string>(new FormulaSafeText());
        csv.WriteHeader<T>();
        csv.NextRecord();
        foreach (var row in rows)
        {
            csv.WriteRecord(row);
            csv.NextRecord();
        }

        csv.Flush();
        writer.Flush();
    }

    /// <summary>Sheets in the order given; each value is a list of row records.</summary>
    public static void WriteXlsx(IReadOnlyList<KeyValuePair<string, object>> sheets, Stream output)
    {
        ArgumentNullException.ThrowIfNull(sheets);
        ArgumentNullException.ThrowIfNull(output);
        var workbook = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, rows) in sheets)
        {
            workbook.Add(name, rows);
        }

        MiniExcel.SaveAs(output, workbook, printHeader: true, excelType: ExcelType.XLSX);
    }
}
