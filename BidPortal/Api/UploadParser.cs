using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Api;

/// <summary>
/// Reads uploaded sheets (CSV or XLSX, first row the header) into rows of named cells, and volume
/// report rows into lines with an error for every bad cell, so one upload reports every bad row.
/// </summary>
public static class UploadParser
{
    public const string CsvType = "text/csv";
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly string[] VolumeColumns = ["product_id", "annual_volume", "preferred_manufacturer_id", "below_history_reason"];

    public static readonly string[] UsageColumns = ["product_id", "manufacturer_id", "units", "amount"];

    public static bool IsXlsx(string? contentType, string? fileName) =>
        (contentType?.StartsWith(XlsxType, StringComparison.OrdinalIgnoreCase) ?? false)
        || (fileName?.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>The rows of a sheet as header → text, in order; the header names are lower-cased and trimmed.</summary>
    public static List<Dictionary<string, string>> ReadRows(Stream content, bool xlsx)
    {
        var rows = new List<Dictionary<string, string>>();
        if (xlsx)
        {
            using var buffer = new MemoryStream();
            content.CopyTo(buffer);
            buffer.Position = 0;
            try
            {
                foreach (IDictionary<string, object?> row in buffer.Query(useHeaderRow: true))
                {
                    rows.Add(row.ToDictionary(c => c.Key.Trim().ToLowerInvariant(), c => Convert.ToString(c.Value, CultureInfo.InvariantCulture)?.Trim() ?? ""));
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or InvalidOperationException or System.Xml.XmlException)
            {
                throw new ProcurementException(ErrorCodes.MalformedFile, "The file is not a readable XLSX workbook.", "file");
            }
            return rows.Where(r => r.Values.Any(v => v.Length > 0)).ToList();
        }
        using var reader = new StreamReader(content);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, BadDataFound = null, MissingFieldFound = null });
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
        {
            throw new ProcurementException(ErrorCodes.MalformedFile, "The file has no header row.", "file");
        }
        var header = csv.HeaderRecord.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        while (csv.Read())
        {
            var row = new Dictionary<string, string>();
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = csv.GetField(i)?.Trim() ?? "";
            }
            if (row.Values.Any(v => v.Length > 0))
            {
                rows.Add(row);
            }
        }
        return rows;
    }

    public static void RequireColumns(List<Dictionary<string, string>> rows, IReadOnlyList<string> required)
    {
        var missing = required.Where(c => rows.Count > 0 && !rows[0].ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new ProcurementException(ErrorCodes.MalformedFile, $"The header lacks {string.Join(", ", missing)}; expected {string.Join(",", required)}.", "file");
        }
    }

    /// <summary>Volume report lines from a sheet, or every row's errors (row 1 is the first data row).</summary>
    public static (List<VolumeReportLine> Lines, List<RowError> Errors) VolumeLines(List<Dictionary<string, string>> rows)
    {
        RequireColumns(rows, VolumeColumns[..2]);
        var lines = new List<VolumeReportLine>();
        var errors = new List<RowError>();
        if (rows.Count == 0)
        {
            errors.Add(new RowError(0, "file", ErrorCodes.MalformedFile, "The file has no data rows."));
        }
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var product = row.GetValueOrDefault("product_id", "");
            if (product.Length == 0)
            {
                errors.Add(new RowError(i + 1, "product_id", ErrorCodes.RequiredField, "product_id is required."));
            }
            if (!long.TryParse(row.GetValueOrDefault("annual_volume", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var volume) || volume < 0)
            {
                errors.Add(new RowError(i + 1, "annual_volume", ErrorCodes.InvalidField, $"annual_volume must be a whole number of units, 0 or more, not '{row.GetValueOrDefault("annual_volume", "")}'."));
            }
            var preferred = row.GetValueOrDefault("preferred_manufacturer_id", "");
            var reason = row.GetValueOrDefault("below_history_reason", "");
            lines.Add(new VolumeReportLine(product, volume, preferred.Length == 0 ? null : preferred, reason.Length == 0 ? null : reason));
        }
        return (lines, errors);
    }

    /// <summary>A sheet of usage rows as the CSV text the hospital grain imports (it reports every bad row itself).</summary>
    public static string UsageCsv(List<Dictionary<string, string>> rows)
    {
        RequireColumns(rows, UsageColumns);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var column in UsageColumns)
        {
            csv.WriteField(column);
        }
        csv.NextRecord();
        foreach (var row in rows)
        {
            foreach (var column in UsageColumns)
            {
                csv.WriteField(row.GetValueOrDefault(column, ""));
            }
            csv.NextRecord();
        }
        csv.Flush();
        return writer.ToString();
    }

    /// <summary>A grain's refusal of a line ("lines[3].annualVolume") as the row it came from.</summary>
    public static RowError RowOf(ProcurementException ex)
    {
        var field = ex.Field ?? "file";
        if (field.StartsWith("lines[", StringComparison.Ordinal) && field.IndexOf(']') is var end and > 6
            && int.TryParse(field[6..end], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
        {
            var column = field[(end + 1)..].TrimStart('.');
            return new RowError(index + 1, Snake(column), ex.Code, ex.Message);
        }
        return new RowError(0, field, ex.Code, ex.Message);
    }

    private static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
