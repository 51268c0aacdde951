using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using Procurement.Contracts.Text;

namespace Procurement.Grains.Consumables;

/// <summary>
/// Reads a release file (CSV in UTF-8 or GB18030, told apart by <see cref="CsvEncoding"/>, or the
/// first sheet of an XLSX workbook; the first row is the header) one row at a time, so a file of millions of rows is never held in memory. Blank rows
/// are passed over; row numbers count data rows from 1, as <see cref="Contracts.Domain.RowError"/> does.
/// </summary>
internal sealed class ConsumableSheetReader : IDisposable
{
    private readonly Stream _file;
    private readonly CsvReader? _csv;
    private readonly IEnumerator<IDictionary<string, object?>>? _sheet;
    private int _row;

    private ConsumableSheetReader(Stream file, bool xlsx)
    {
        _file = file;
        if (xlsx)
        {
            _sheet = _file.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().GetEnumerator();
        }
        else
        {
            var text = CsvEncoding.Reader(_file);
            Encoding = text.CurrentEncoding;
            _csv = new CsvReader(text, new CsvConfiguration(CultureInfo.InvariantCulture)
            {
                TrimOptions = TrimOptions.Trim,
                BadDataFound = null,
                MissingFieldFound = null,
                DetectDelimiter = true,
                // A blank line is a row of its own, numbered as a sheet's blank row is.
                IgnoreBlankLines = false,
            });
        }
        Header = NextCells() ?? [];
    }

    public static bool IsXlsx(string path) => path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase);

    public static ConsumableSheetReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), IsXlsx(path));

    /// <summary>The text encoding a CSV file is read in (null for a workbook).</summary>
    public System.Text.Encoding? Encoding { get; }

    /// <summary>The header row's cells, trimmed; empty when the file has no row at all.</summary>
    public string[] Header { get; }

    /// <summary>The number of the last data row read (blank rows counted).</summary>
    public int LastRow => _row;

    /// <summary>The next row that is not blank, with its number (1 = the first data row), or false at the end.</summary>
    public bool TryRead(out int row, out string[] cells)
    {
        while (NextCells() is { } next)
        {
            _row++;
            if (next.Any(c => c.Length > 0))
            {
                row = _row;
                cells = next;
                return true;
            }
        }
        row = _row;
        cells = [];
        return false;
    }

    private string[]? NextCells()
    {
        if (_csv is not null)
        {
            if (!_csv.Read())
            {
                return null;
            }
            // The parser makes a new array per row: trimmed in place.
            var record = _csv.Parser.Record ?? [];
            for (var i = 0; i < record.Length; i++)
            {
                record[i] = record[i].Trim();
            }
            return record;
        }
        if (!_sheet!.MoveNext())
        {
            return null;
        }
        // MiniExcel keys a row without a header row by column letter (A, B, …), in order.
        return _sheet.Current.Values.Select(Text).ToArray();
    }

    // A date cell is read as a date; the release's dates are days.
    private static string Text(object? value) => value switch
    {
        DateTime date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim() ?? "",
    };

    public void Dispose()
    {
        _csv?.Dispose();
        _sheet?.Dispose();
        _file.Dispose();
    }
}
