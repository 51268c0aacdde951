using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Api;

/// <summary>A hospital's volume reports and monthly usage, by form (JSON) or upload (CSV or XLSX as the request body).</summary>
public static class HospitalApi
{
    public static RouteGroupBuilder MapHospitalApi(this RouteGroupBuilder api)
    {
        var hospital = api.MapGroup("").WithTags("Hospital").RequireAuthorization(PortalUser.Hospital);
        hospital.MapGet("/batches/{batchId}/volume-reports", async (string batchId, GrainAccess grains) =>
        {
            await grains.HospitalBatchAsync(batchId);
            return TypedResults.Ok(await grains.Hospital().GetVolumeReportsAsync(batchId));
        }).WithName("GetVolumeReports").WithSummary("The hospital's own report lines for a batch.");
        hospital.MapPost("/batches/{batchId}/volume-reports", async (string batchId, List<VolumeReportLine> lines, GrainAccess grains) =>
        {
            await grains.HospitalBatchAsync(batchId);
            return TypedResults.Ok(await grains.Hospital().SubmitVolumeReportsAsync(batchId, lines));
        }).WithName("SubmitVolumeReports").WithSummary("Submits or amends report lines, all or none.");
        hospital.MapPost("/batches/{batchId}/volume-reports/upload", UploadVolumesAsync).WithName("UploadVolumeReports")
            .Accepts<Stream>(UploadParser.CsvType, UploadParser.XlsxType)
            .WithSummary("The body is a CSV (text/csv) or XLSX sheet with product_id, annual_volume, preferred_manufacturer_id, below_history_reason: all rows stored, or none and every bad row.");
        hospital.MapGet("/batches/{batchId}/consumable-intentions", async (string batchId, GrainAccess grains) =>
        {
            await grains.HospitalBatchAsync(batchId);
            return TypedResults.Ok(await grains.Hospital().GetConsumableIntentionsAsync(batchId));
        }).WithName("GetConsumableIntentions").WithSummary("The hospital's own brand intentions for a consumables batch, by category.");
        hospital.MapPost("/batches/{batchId}/consumable-intentions", async (string batchId, List<ConsumableIntentionLine> lines, GrainAccess grains) =>
        {
            await grains.HospitalBatchAsync(batchId);
            return TypedResults.Ok(await grains.Hospital().SubmitConsumableIntentionsAsync(batchId, lines));
        }).WithName("SubmitConsumableIntentions")
            .WithSummary("States or revises brand intentions per category of a consumables batch in reporting (firm, product, annual quantity, further choices), all or none.");
        hospital.MapConsumableIntentionUploadApi();
        api.MapConsumableIntentionHistoryApi();
        hospital.MapGet("/usage", async (string? month, GrainAccess grains) => TypedResults.Ok(await grains.Hospital().GetUsageAsync(month)))
            .WithName("GetUsage");
        hospital.MapPost("/usage/{month}", async (string month, List<UsageLine> lines, GrainAccess grains) =>
            TypedResults.Ok(await grains.Hospital().ReportUsageAsync(month, lines)))
            .WithName("ReportUsage").WithSummary("Reports a month's purchases (yyyy-MM); a line sent again amends the earlier one, kept as history.");
        hospital.MapPost("/usage/{month}/upload", UploadUsageAsync).WithName("UploadUsage")
            .Accepts<Stream>(UploadParser.CsvType, UploadParser.XlsxType)
            .WithSummary("The body is a CSV or XLSX sheet with product_id, manufacturer_id, units, amount: all rows stored, or none and every bad row.");
        hospital.MapGet("/hospital/substitutes", async (GrainAccess grains) => TypedResults.Ok(await grains.Hospital().GetSubstitutesAsync()))
            .WithName("ListSubstitutes").WithSummary("The products and consumables categories the hospital declared it buys in place of agreed ones.");
        hospital.MapPut("/hospital/substitutes", async (SubstituteRequest request, GrainAccess grains) =>
        {
            await grains.Hospital().DeclareSubstituteAsync(request.ProductId ?? "", request.ForProductId ?? "");
            return TypedResults.Ok(await grains.Hospital().GetSubstitutesAsync());
        }).WithName("DeclareSubstitute")
            .WithSummary("Declares a product or consumables category bought in place of an agreed one (its purchases then count against that agreement as substitutes); declared again, it replaces the earlier declaration.");
        hospital.MapGet("/hospital/agreements", async (GrainAccess grains, System.Security.Claims.ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Directory().ListAgreementsForHospitalAsync(user.Organisation())))
            .WithName("ListHospitalAgreements").WithSummary("The agreements the hospital buys under, with its own part and supplier.");
        return api;
    }

    /// <summary>A declared substitute: <see cref="ProductId"/> bought in place of the agreed <see cref="ForProductId"/>.</summary>
    public sealed record SubstituteRequest(string? ProductId, string? ForProductId);

    /// <summary>The outcome of a volume upload: the stored lines, or every bad row.</summary>
    public sealed record VolumeUploadResult(bool Accepted, IReadOnlyList<VolumeReport> Lines, IReadOnlyList<RowError> Errors);

    /// <summary>Refusals of the whole file (too large, too many rows, no access) rather than of a row.</summary>
    private static readonly HashSet<string> FileRefusals =
    [
        ErrorCodes.Forbidden, ErrorCodes.ReportingClosed, ErrorCodes.NotConfigured, ErrorCodes.UploadTooLarge, ErrorCodes.TooManyRows,
    ];

    public static async Task<VolumeUploadResult> ImportVolumesAsync(GrainAccess grains, string batchId, Stream content, long? length, bool xlsx, UploadLimits limits, CancellationToken cancellationToken)
    {
        await grains.HospitalBatchAsync(batchId);
        await using var body = await UploadParser.BufferAsync(content, length, limits, cancellationToken);
        try
        {
            var rows = UploadParser.ReadRows(body, xlsx, limits);
            var (lines, errors) = UploadParser.VolumeLines(rows);
            if (errors.Count > 0)
            {
                return new VolumeUploadResult(false, [], errors);
            }
            return new VolumeUploadResult(true, await grains.Hospital().SubmitVolumeReportsAsync(batchId, lines), []);
        }
        catch (ProcurementException ex) when (!FileRefusals.Contains(ex.Code))
        {
            return new VolumeUploadResult(false, [], [UploadParser.RowOf(ex)]);
        }
    }

    public static async Task<UsageImportResult> ImportUsageAsync(GrainAccess grains, string month, Stream content, long? length, bool xlsx, UploadLimits limits, CancellationToken cancellationToken)
    {
        await using var body = await UploadParser.BufferAsync(content, length, limits, cancellationToken);
        string csv;
        if (xlsx)
        {
            csv = UploadParser.UsageCsv(UploadParser.ReadRows(body, xlsx: true, limits));
        }
        else
        {
            UploadParser.CountCsvRows(body, limits);
            csv = await UploadParser.CsvTextAsync(body, cancellationToken);
        }
        return await grains.Hospital().ImportUsageCsvAsync(month, csv);
    }

    private static async Task<Results<Ok<VolumeUploadResult>, UnprocessableEntity<VolumeUploadResult>>> UploadVolumesAsync(
        string batchId, HttpRequest request, GrainAccess grains, IOptions<PortalLimits> limits)
    {
        var result = await ImportVolumesAsync(grains, batchId, request.Body, request.ContentLength, UploadParser.IsXlsx(request.ContentType, null),
            UploadLimits.From(limits.Value), request.HttpContext.RequestAborted);
        return result.Accepted ? TypedResults.Ok(result) : TypedResults.UnprocessableEntity(result);
    }

    private static async Task<Results<Ok<UsageImportResult>, UnprocessableEntity<UsageImportResult>>> UploadUsageAsync(
        string month, HttpRequest request, GrainAccess grains, IOptions<PortalLimits> limits)
    {
        var result = await ImportUsageAsync(grains, month, request.Body, request.ContentLength, UploadParser.IsXlsx(request.ContentType, null),
            UploadLimits.From(limits.Value), request.HttpContext.RequestAborted);
        return result.Accepted ? TypedResults.Ok(result) : TypedResults.UnprocessableEntity(result);
    }
}
