using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>
/// A hospital's brand intentions as an uploaded sheet (CSV or XLSX as the request body, as the
/// volume report upload): every row read and checked, then all lines submitted through the
/// hospital grain in one call (one transaction, one event), or none and every bad row. The grain
/// is the signed-in hospital's own, so a hospital can only state its own intentions; the rules
/// (categories, firms, the history rule) are the grain's, as for the JSON form. A row with its
/// certificate and model empty (or a sheet without those columns) intends any product of the firm.
/// </summary>
public static class ConsumableIntentionUploadApi
{
    public const string CategoryColumn = "category_id";
    public const string FirmColumn = "manufacturer_id";
    public const string CertificateColumn = "certificate_number";
    public const string ModelColumn = "model";
    public const string CodeColumn = "consumable_code";
    public const string QuantityColumn = "annual_quantity";
    public const string ChoicesColumn = "further_choices";
    public const string ReasonColumn = "below_history_reason";

    /// <summary>The columns, the required ones first; further choices are firm ids separated by <c>;</c> (a comma would split the CSV cell).</summary>
    public static readonly string[] Columns = [CategoryColumn, FirmColumn, QuantityColumn, CertificateColumn, ModelColumn, CodeColumn, ChoicesColumn, ReasonColumn];

    private const int RequiredColumns = 3;

    /// <summary>The outcome of an upload: the stored intentions, or none and every bad row.</summary>
    public sealed record ConsumableIntentionUploadResult(bool Accepted, IReadOnlyList<ConsumableIntention> Intentions, IReadOnlyList<RowError> Errors);

    /// <summary>Refusals of the whole file or of the caller rather than of a row: answered as problems, not as row errors.</summary>
    private static readonly HashSet<string> FileRefusals =
    [
        ErrorCodes.Forbidden, ErrorCodes.ReportingClosed, ErrorCodes.NotParticipating, ErrorCodes.NotConfigured, ErrorCodes.UploadTooLarge,
        ErrorCodes.TooManyRows, ErrorCodes.MalformedFile, ErrorCodes.ConcurrentChange, ErrorCodes.StoreFailure,
    ];

    public static RouteGroupBuilder MapConsumableIntentionUploadApi(this RouteGroupBuilder hospital)
    {
        hospital.MapPost("/batches/{batchId}/consumable-intentions/upload", UploadAsync).WithName("UploadConsumableIntentions")
            .Accepts<Stream>(UploadParser.CsvType, UploadParser.XlsxType)
            .WithSummary("The body is a CSV (text/csv) or XLSX sheet with category_id, manufacturer_id, annual_quantity, certificate_number and model " +
                "(both, or neither for any product of the firm), consumable_code, further_choices (firm ids separated by ;), below_history_reason: " +
                "all rows stored, or none and every bad row.");
        return hospital;
    }

    private static async Task<Results<Ok<ConsumableIntentionUploadResult>, UnprocessableEntity<ConsumableIntentionUploadResult>>> UploadAsync(
        string batchId, HttpRequest request, GrainAccess grains, IOptions<PortalLimits> limits)
    {
        await grains.HospitalBatchAsync(batchId);
        var uploadLimits = UploadLimits.From(limits.Value);
        await using var body = await UploadParser.BufferAsync(request.Body, request.ContentLength, uploadLimits, request.HttpContext.RequestAborted);
        var result = await ImportAsync(grains.Hospital(), batchId, body, UploadParser.IsXlsx(request.ContentType, null), uploadLimits);
        return result.Accepted ? TypedResults.Ok(result) : TypedResults.UnprocessableEntity(result);
    }

    /// <summary>
    /// Reads the sheet (refusing it whole when too large, too long or without the required columns)
    /// and submits its lines as <paramref name="hospital"/>'s, all or none. The caller has checked
    /// that the hospital may report in the batch.
    /// </summary>
    public static async Task<ConsumableIntentionUploadResult> ImportAsync(IHospitalGrain hospital, string batchId, MemoryStream body, bool xlsx, UploadLimits limits)
    {
        var rows = UploadParser.ReadRows(body, xlsx, limits);
        var (lines, errors) = Lines(rows);
        if (errors.Count > 0)
        {
            return new ConsumableIntentionUploadResult(false, [], errors);
        }
        try
        {
            return new ConsumableIntentionUploadResult(true, await hospital.SubmitConsumableIntentionsAsync(batchId, lines), []);
        }
        catch (ProcurementException ex) when (!FileRefusals.Contains(ex.Code))
        {
            return new ConsumableIntentionUploadResult(false, [], [UploadParser.RowOf(ex)]);
        }
    }

    /// <summary>Intention lines from a sheet, or every bad cell of every row (row 1 is the first data row); the grain checks the rest.</summary>
    public static (List<ConsumableIntentionLine> Lines, List<RowError> Errors) Lines(List<Dictionary<string, string>> rows)
    {
        UploadParser.RequireColumns(rows, Columns[..RequiredColumns]);
        var lines = new List<ConsumableIntentionLine>(rows.Count);
        var errors = new List<RowError>();
        if (rows.Count == 0)
        {
            errors.Add(new RowError(0, "file", ErrorCodes.MalformedFile, "The file has no data rows."));
        }
        var categoryRows = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var number = i + 1;
            string Cell(string column) => row.GetValueOrDefault(column, "");
            foreach (var column in new[] { CategoryColumn, FirmColumn })
            {
                if (Cell(column).Length == 0)
                {
                    errors.Add(new RowError(number, column, ErrorCodes.RequiredField, $"{column} is required."));
                }
            }
            var category = Cell(CategoryColumn);
            if (category.Length > 0 && !categoryRows.TryAdd(category, number))
            {
                errors.Add(new RowError(number, CategoryColumn, ErrorCodes.InvalidField, $"Category '{category}' is also in row {categoryRows[category]}; state one intention per category."));
            }
            var certificate = Cell(CertificateColumn);
            var model = Cell(ModelColumn);
            var code = Cell(CodeColumn);
            if (ProductIncomplete(certificate, model, code) is { } missing)
            {
                errors.Add(new RowError(number, missing, ErrorCodes.ConsumableProductIncomplete, missing == CodeColumn
                    ? $"{CodeColumn} names a product: give its {CertificateColumn} and {ModelColumn}, or no code for any product of the firm."
                    : $"{missing} is required with the {(missing == ModelColumn ? CertificateColumn : ModelColumn)}: name the product by both, or neither for any product of the firm."));
            }
            var quantityText = Cell(QuantityColumn);
            if (!long.TryParse(quantityText, NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) || quantity < 1)
            {
                errors.Add(new RowError(number, QuantityColumn, ErrorCodes.InvalidField, $"{QuantityColumn} must be a whole number of units (or systems), 1 or more, not '{quantityText}'."));
            }
            var choices = Cell(ChoicesColumn).Split(';', StringSplitOptions.TrimEntries);
            if (choices.Length > 1 && choices.Any(c => c.Length == 0))
            {
                errors.Add(new RowError(number, ChoicesColumn, ErrorCodes.InvalidField, $"{ChoicesColumn} has an empty firm id; separate firm ids by ';'."));
            }
            var reason = Cell(ReasonColumn);
            lines.Add(new ConsumableIntentionLine(category, Cell(FirmColumn), certificate.Length == 0 ? null : certificate, model.Length == 0 ? null : model,
                code.Length == 0 ? null : code, quantity, choices.Where(c => c.Length > 0).ToList(), reason.Length == 0 ? null : reason));
        }
        return (lines, errors);
    }

    /// <summary>The column a row's half-named product lacks (the grain's rule, reported here for every row), or null when the product is whole or absent.</summary>
    private static string? ProductIncomplete(string certificate, string model, string code) =>
        (certificate.Length > 0, model.Length > 0) switch
        {
            (true, false) => ModelColumn,
            (false, true) => CertificateColumn,
            (false, false) when code.Length > 0 => CodeColumn,
            _ => null,
        };
}
