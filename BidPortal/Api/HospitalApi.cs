using Microsoft.AspNetCore.Http.HttpResults;
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
            .WithSummary("The body is a CSV (text/csv) or XLSX sheet with product_id, annual_volume, preferred_manufacturer_id, below_history_reason: all rows stored, or none and every bad row.");
        hospital.MapGet("/usage", async (string? month, GrainAccess grains) => TypedResults.Ok(await grains.Hospital().GetUsageAsync(month)))
            .WithName("GetUsage");
        hospital.MapPost("/usage/{month}", async (string month, List<UsageLine> lines, GrainAccess grains) =>
            TypedResults.Ok(await grains.Hospital().ReportUsageAsync(month, lines)))
            .WithName("ReportUsage").WithSummary("Reports a month's purchases (yyyy-MM); a line sent again amends the earlier one, kept as history.");
        hospital.MapPost("/usage/{month}/upload", UploadUsageAsync).WithName("UploadUsage")
            .WithSummary("The body is a CSV or XLSX sheet with product_id, manufacturer_id, units, amount: all rows stored, or none and every bad row.");
        hospital.MapGet("/hospital/agreements", async (GrainAccess grains, System.Security.Claims.ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Directory().ListAgreementsForHospitalAsync(user.Organisation())))
            .WithName("ListHospitalAgreements").WithSummary("The agreements the hospital buys under, with its own part and supplier.");
        return api;
    }

    /// <summary>The outcome of a volume upload: the stored lines, or every bad row.</summary>
    public sealed record VolumeUploadResult(bool Accepted, IReadOnlyList<VolumeReport> Lines, IReadOnlyList<RowError> Errors);

    public static async Task<VolumeUploadResult> ImportVolumesAsync(GrainAccess grains, string batchId, Stream content, bool xlsx)
    {
        await grains.HospitalBatchAsync(batchId);
        List<Dictionary<string, string>> rows;
        try
        {
            rows = UploadParser.ReadRows(content, xlsx);
            var (lines, errors) = UploadParser.VolumeLines(rows);
            if (errors.Count > 0)
            {
                return new VolumeUploadResult(false, [], errors);
            }
            return new VolumeUploadResult(true, await grains.Hospital().SubmitVolumeReportsAsync(batchId, lines), []);
        }
        catch (ProcurementException ex) when (ex.Code != ErrorCodes.Forbidden && ex.Code != ErrorCodes.ReportingClosed && ex.Code != ErrorCodes.NotConfigured)
        {
            return new VolumeUploadResult(false, [], [UploadParser.RowOf(ex)]);
        }
    }

    public static async Task<UsageImportResult> ImportUsageAsync(GrainAccess grains, string month, Stream content, bool xlsx)
    {
        string csv;
        if (xlsx)
        {
            csv = UploadParser.UsageCsv(UploadParser.ReadRows(content, xlsx: true));
        }
        else
        {
            using var reader = new StreamReader(content);
            csv = await reader.ReadToEndAsync();
        }
        return await grains.Hospital().ImportUsageCsvAsync(month, csv);
    }

    /// <summary>The request body in memory: the sheet readers read synchronously, which Kestrel's body stream refuses.</summary>
    private static async Task<MemoryStream> BufferAsync(HttpRequest request)
    {
        var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        buffer.Position = 0;
        return buffer;
    }

    private static async Task<Results<Ok<VolumeUploadResult>, UnprocessableEntity<VolumeUploadResult>>> UploadVolumesAsync(string batchId, HttpRequest request, GrainAccess grains)
    {
        using var body = await BufferAsync(request);
        var result = await ImportVolumesAsync(grains, batchId, body, UploadParser.IsXlsx(request.ContentType, null));
        return result.Accepted ? TypedResults.Ok(result) : TypedResults.UnprocessableEntity(result);
    }

    private static async Task<Results<Ok<UsageImportResult>, UnprocessableEntity<UsageImportResult>>> UploadUsageAsync(string month, HttpRequest request, GrainAccess grains)
    {
        using var body = await BufferAsync(request);
        var result = await ImportUsageAsync(grains, month, body, UploadParser.IsXlsx(request.ContentType, null));
        return result.Accepted ? TypedResults.Ok(result) : TypedResults.UnprocessableEntity(result);
    }
}
