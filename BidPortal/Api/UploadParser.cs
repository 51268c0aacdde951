using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Text;

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

    /// <summary>
    /// The body of an upload in memory (the sheet readers read synchronously, which Kestrel's body
    /// stream refuses), refused with <c>UPLOAD_TOO_LARGE</c> as soon as it passes the limit.
    /// </summary>
    public static async Task<MemoryStream> BufferAsync(Stream content, long? declaredLength, UploadLimits limits, CancellationToken cancellationToken)
    {
        if (declaredLength > limits.MaxBytes)
        {
            throw TooLarge(limits);
        }
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limits.MaxBytes)
            {
                await buffer.DisposeAsync();
                throw TooLarge(limits);
            }
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    private static ProcurementException TooLarge(UploadLimits limits) =>
        new(ErrorCodes.UploadTooLarge, $"The file is larger than the {limits.MaxBytes:N0} bytes an upload may have.", "file");

    /// <summary>
    /// Refuses a workbook that would unpack to more than the limit, or by more than the ratio
    /// (a zip bomb), from the sizes its zip directory declares, before any part is parsed. The
    /// sheet is then read row by row, so the row limit still stops one whose directory understates its sizes.
    /// </summary>
    public static void CheckXlsx(MemoryStream content, UploadLimits limits)
    {
        long unpacked;
        try
        {
            using var zip = new System.IO.Compression.ZipArchive(content, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
            unpacked = zip.Entries.Sum(e => e.Length);
        }
        catch (InvalidDataException)
        {
            throw new ProcurementException(ErrorCodes.MalformedFile, "The file is not a readable XLSX workbook.", "file");
        }
        finally
        {
            content.Position = 0;
        }
        // Small workbooks may compress well; the ratio matters once there is something to unpack.
        if (unpacked > limits.MaxXlsxUncompressedBytes || (unpacked > 1024 * 1024 && unpacked > content.Length * limits.MaxXlsxCompressionRatio))
        {
            throw new ProcurementException(ErrorCodes.UploadTooLarge,
                $"The workbook unpacks to {unpacked:N0} bytes from {content.Length:N0}; at most {limits.MaxXlsxUncompressedBytes:N0} bytes and {limits.MaxXlsxCompressionRatio} times its size are accepted.", "file");
        }
    }

    private static ProcurementException TooManyRows(UploadLimits limits) =>
        new(ErrorCodes.TooManyRows, $"The file has more than the {limits.MaxRows:N0} data rows an upload may have.", "file");

    /// <summary>
    /// The rows of a sheet as header → text, in order; the header names are lower-cased and trimmed.
    /// Both readers stream row by row, and reading stops with <c>TOO_MANY_ROWS</c> past the limit.
    /// </summary>
    public static List<Dictionary<string, string>> ReadRows(MemoryStream content, bool xlsx, UploadLimits limits)
    {
        var rows = new List<Dictionary<string, string>>();
        if (xlsx)
        {
            CheckXlsx(content, limits);
            try
            {
                var read = 0;
                foreach (IDictionary<string, object?> row in content.Query(useHeaderRow: true))
                {
                    if (++read > limits.MaxRows)
                    {
                        throw TooManyRows(limits);
                    }
                    rows.Add(row.ToDictionary(c => c.Key.Trim().ToLowerInvariant(), c => Convert.ToString(c.Value, CultureInfo.InvariantCulture)?.Trim() ?? ""));
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or InvalidOperationException or System.Xml.XmlException)
            {
                throw new ProcurementException(ErrorCodes.MalformedFile, "The file is not a readable XLSX workbook.", "file");
            }
            return rows.Where(r => r.Values.Any(v => v.Length > 0)).ToList();
        }
        using var reader = CsvEncoding.Reader(content);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, BadDataFound = null, MissingFieldFound = null });
        if (!Decoded(reader, 0, () => csv.Read() && csv.ReadHeader()) || csv.HeaderRecord is null)
        {
            throw new ProcurementException(ErrorCodes.MalformedFile, "The file has no header row.", "file");
        }
        var header = csv.HeaderRecord.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        while (Decoded(reader, rows.Count, csv.Read))
        {
            if (rows.Count >= limits.MaxRows)
            {
                throw TooManyRows(limits);
            }
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

    /// <summary>Refuses a CSV with more data records than the limit, reading it as a stream; the text is then handed on unchanged.</summary>
    public static void CountCsvRows(MemoryStream content, UploadLimits limits)
    {
        using (var reader = CsvEncoding.Reader(content))
        using (var csv = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null }))
        {
            var records = 0;
            while (Decoded(reader, Math.Max(0, records - 1), csv.Read))
            {
                // The first record is the header.
                if (++records > limits.MaxRows + 1)
                {
                    throw TooManyRows(limits);
                }
            }
        }
        content.Position = 0;
    }

    /// <summary>
    /// The text of a CSV upload, in the encoding <see cref="CsvEncoding"/> tells (UTF-8 or GB18030),
    /// refused with <c>FILE_ENCODING</c> when it is not valid text in it.
    /// </summary>
    public static async Task<string> CsvTextAsync(MemoryStream content, CancellationToken cancellationToken)
    {
        using var reader = CsvEncoding.Reader(content);
        try
        {
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw CsvEncoding.Undecodable(reader.CurrentEncoding, "throughout");
        }
    }

    // A read that meets bytes the file's encoding cannot decode refuses the file, naming the last good row.
    private static bool Decoded(StreamReader reader, int rowsRead, Func<bool> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is System.Text.DecoderFallbackException || ex.InnerException is System.Text.DecoderFallbackException)
        {
            throw CsvEncoding.Undecodable(reader.CurrentEncoding, rowsRead == 0 ? "in its first rows" : $"past its data row {rowsRead}");
        }
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

    public static readonly string[] OrderColumns = ["product_id", "quantity", "delivery_point", "urgency", "manufacturer_id", "substitute_reason", "component_id"];

    /// <summary>Order lines from a sheet, or every row's errors (row 1 is the first data row); urgency is normal or emergency, normal when empty.</summary>
    public static (List<OrderLineRequest> Lines, List<RowError> Errors) OrderLines(List<Dictionary<string, string>> rows)
    {
        RequireColumns(rows, OrderColumns[..3]);
        var lines = new List<OrderLineRequest>();
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
            if (!long.TryParse(row.GetValueOrDefault("quantity", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var quantity) || quantity < 1)
            {
                errors.Add(new RowError(i + 1, "quantity", ErrorCodes.InvalidField, $"quantity must be a whole number of units, 1 or more, not '{row.GetValueOrDefault("quantity", "")}'."));
            }
            var urgencyText = row.GetValueOrDefault("urgency", "");
            var urgency = OrderUrgency.Normal;
            if (urgencyText.Length > 0 && !Enum.TryParse(urgencyText, ignoreCase: true, out urgency) || !Enum.IsDefined(urgency))
            {
                errors.Add(new RowError(i + 1, "urgency", ErrorCodes.InvalidField, $"urgency must be normal or emergency, not '{urgencyText}'."));
            }
            var maker = row.GetValueOrDefault("manufacturer_id", "");
            var reason = row.GetValueOrDefault("substitute_reason", "");
            var component = row.GetValueOrDefault("component_id", "");
            lines.Add(new OrderLineRequest(product, quantity, row.GetValueOrDefault("delivery_point", ""), urgency, maker.Length == 0 ? null : maker, reason.Length == 0 ? null : reason,
                component.Length == 0 ? null : component));
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
