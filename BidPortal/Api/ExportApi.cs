using System.Globalization;
using System.Security.Claims;
using Procurement.BidPortal.Exports;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>
/// Exports: for the alliance, the award and the agreements as CSV or XLSX and the whole batch as an
/// OCDS release package; for every role, a consumables award as CSV or XLSX, as much of it as the
/// award view shows the caller.
/// </summary>
public static class ExportApi
{
    /// <summary>The event of every export downloaded (the file's name is its detail).</summary>
    public const string ExportDownloaded = "ExportDownloaded";

    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static RouteGroupBuilder MapExportApi(this RouteGroupBuilder api)
    {
        var exports = api.MapGroup("/batches/{batchId}/exports").WithTags("Exports").RequireAuthorization(PortalUser.Alliance).RequireRateLimiting(PortalLimits.Exports);
        exports.MapGet("/award-allocations.csv", (string batchId, GrainAccess grains) =>
            AwardFileAsync(grains, batchId, "text/csv; charset=utf-8", $"{batchId}-allocations.csv", AwardExport.WriteAllocationsCsv)).WithName("ExportAllocationsCsv");
        exports.MapGet("/award-statements.csv", (string batchId, GrainAccess grains) =>
            AwardFileAsync(grains, batchId, "text/csv; charset=utf-8", $"{batchId}-statements.csv", AwardExport.WriteStatementsCsv)).WithName("ExportStatementsCsv");
        exports.MapGet("/award.xlsx", (string batchId, GrainAccess grains) =>
            AwardFileAsync(grains, batchId, Xlsx, $"{batchId}-award.xlsx", AwardExport.WriteXlsx)).WithName("ExportAwardXlsx");
        exports.MapGet("/agreements.csv", (string batchId, GrainAccess grains) =>
            AgreementFileAsync(grains, batchId, "text/csv; charset=utf-8", $"{batchId}-agreements.csv", AgreementExport.WriteCsv)).WithName("ExportAgreementsCsv");
        exports.MapGet("/agreements.xlsx", (string batchId, GrainAccess grains) =>
            AgreementFileAsync(grains, batchId, Xlsx, $"{batchId}-agreements.xlsx", AgreementExport.WriteXlsx)).WithName("ExportAgreementsXlsx");
        exports.MapGet("/reporting-mismatches.csv", (string batchId, GrainAccess grains) =>
            MismatchFileAsync(grains, batchId, "text/csv; charset=utf-8", "csv", PurchasingExport.WriteReportingMismatchesCsv))
            .WithName("ExportReportingMismatchesCsv").WithSummary(MismatchSummary);
        exports.MapGet("/reporting-mismatches.xlsx", (string batchId, GrainAccess grains) =>
            MismatchFileAsync(grains, batchId, Xlsx, "xlsx", PurchasingExport.WriteReportingMismatchesXlsx))
            .WithName("ExportReportingMismatchesXlsx").WithSummary(MismatchSummary + " One sheet, ReportingMismatches.");
        exports.MapGet("/ocds.json", OcdsAsync).WithName("ExportOcds").WithSummary(
            $"The batch as an OCDS 1.1 release package with the VBP extension (docs/OCDS.md); its contracts' implementation holds the first lines of purchasing (limit, 1-{BatchPurchasing.MaxLines:N0}, default {BatchPurchasing.MaxLines:N0}), and links.next the page after.");
        exports.MapGet("/ocds-implementation.json", OcdsPageAsync).WithName("ExportOcdsPurchasingPage").WithSummary(
            $"A later page of the batch's purchasing as an OCDS release package (tag implementation, up to limit lines, 1-{BatchPurchasing.MaxLines:N0}, with their deliveries and payments), " +
            "from a package's links.next; links.next again while more remain. No cursor is 400 FIELD_REQUIRED, one this export did not give 400 FIELD_INVALID, both naming 'after'.");

        // The consumables award is read by every role as the award view shows it (AwardApi): the
        // alliance everything, a manufacturer its own statements and the supplies it makes, a
        // hospital its own supplies; groups are published with the award.
        var consumables = api.MapGroup("/batches/{batchId}/exports").WithTags("Exports")
            .RequireAuthorization(p => p.RequireRole(PortalUser.Alliance, PortalUser.Manufacturer, PortalUser.Hospital)).RequireRateLimiting(PortalLimits.Exports);
        consumables.MapGet("/consumable-groups.csv", (string batchId, GrainAccess grains, ClaimsPrincipal user) =>
            ConsumableFileAsync(grains, user, batchId, "text/csv; charset=utf-8", $"{batchId}-consumable-groups.csv", ConsumableAwardExport.WriteGroupsCsv))
            .WithName("ExportConsumableGroupsCsv").WithSummary("A consumables award's figures per category and demand group.");
        consumables.MapGet("/consumable-statements.csv", (string batchId, GrainAccess grains, ClaimsPrincipal user) =>
            ConsumableFileAsync(grains, user, batchId, "text/csv; charset=utf-8", $"{batchId}-consumable-statements.csv", ConsumableAwardExport.WriteStatementsCsv))
            .WithName("ExportConsumableStatementsCsv").WithSummary("Every consumables bid's statement with its reason code (a manufacturer: its own; a hospital: none).");
        consumables.MapGet("/consumable-supplies.csv", (string batchId, GrainAccess grains, ClaimsPrincipal user) =>
            ConsumableFileAsync(grains, user, batchId, "text/csv; charset=utf-8", $"{batchId}-consumable-supplies.csv", ConsumableAwardExport.WriteSuppliesCsv))
            .WithName("ExportConsumableSuppliesCsv").WithSummary("Each hospital's supply per category with its choice rank and the firm it was given (a manufacturer: those it makes; a hospital: its own).");
        consumables.MapGet("/consumable-award.xlsx", (string batchId, GrainAccess grains, ClaimsPrincipal user) =>
            ConsumableFileAsync(grains, user, batchId, Xlsx, $"{batchId}-consumable-award.xlsx", ConsumableAwardExport.WriteXlsx))
            .WithName("ExportConsumableAwardXlsx").WithSummary("The three consumables tables as sheets Groups, Statements and Supplies.");
        return api;
    }

    private static async Task<IResult> AwardFileAsync(GrainAccess grains, string batchId, string type, string name, Action<AwardView, Stream> write)
    {
        await grains.AllianceBatchAsync(batchId);
        var award = await grains.Batch(batchId).GetAwardAsync()
            ?? throw new ProcurementException(ErrorCodes.NotFound, $"Batch {batchId} has no award yet.", "batchId");
        var buffer = new MemoryStream();
        write(award, buffer);
        await grains.RecordAsync(ExportDownloaded, batchId, "batch", batchId, name);
        return TypedResults.File(buffer.ToArray(), type, name);
    }

    /// <summary>
    /// The award as the caller may see it, written by <paramref name="write"/>; no award yet (which
    /// is every batch before the opening, so no bid's content can leave here sealed) or a drug
    /// award is 404, a table above <see cref="ConsumableAwardExport.MaxRows"/> is 413.
    /// </summary>
    private static async Task<IResult> ConsumableFileAsync(
        GrainAccess grains, ClaimsPrincipal user, string batchId, string type, string name, Action<AwardView, Stream> write)
    {
        var award = await AwardApi.VisibleAwardAsync(grains, user, batchId)
            ?? throw new ProcurementException(ErrorCodes.NotFound, $"Batch {batchId} has no award yet.", "batchId");
        var buffer = new MemoryStream();
        write(award, buffer);
        await grains.RecordAsync(ExportDownloaded, batchId, "batch", batchId, name);
        return TypedResults.File(buffer.ToArray(), type, name);
    }

    private const string MismatchSummary =
        "The hospitals whose report for the batch differs from their last twelve months' purchases by more than the configured share, " +
        "the largest first; the file holds the largest 10,000 and, when there are more, its name says how many in all (...-largest-10000-of-N).";

    private static async Task<IResult> MismatchFileAsync(GrainAccess grains, string batchId, string type, string extension, Action<ReportingMismatches, Stream> write)
    {
        await grains.AllianceBatchAsync(batchId);
        var mismatches = await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetReportingMismatchesAsync(batchId, ReportingMismatches.MaxRows);
        var name = mismatches.More
            ? $"{batchId}-reporting-mismatches-largest-{mismatches.Largest.Count}-of-{mismatches.Count}.{extension}"
            : $"{batchId}-reporting-mismatches.{extension}";
        var buffer = new MemoryStream();
        write(mismatches, buffer);
        await grains.RecordAsync(ExportDownloaded, batchId, "batch", batchId, name);
        return TypedResults.File(buffer.ToArray(), type, name);
    }

    private static async Task<IResult> AgreementFileAsync(GrainAccess grains, string batchId, string type, string name, Action<IReadOnlyList<Agreement>, Stream> write)
    {
        await grains.AllianceBatchAsync(batchId);
        var buffer = new MemoryStream();
        write(await grains.Batch(batchId).ListAgreementsAsync(), buffer);
        await grains.RecordAsync(ExportDownloaded, batchId, "batch", batchId, name);
        return TypedResults.File(buffer.ToArray(), type, name);
    }

    private static Task<IResult> OcdsAsync(string batchId, int? limit, GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, HttpRequest request) =>
        OcdsFileAsync(grains, clock, request, batchId, null, limit);

    private static Task<IResult> OcdsPageAsync(string batchId, string? after, int? limit, GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, HttpRequest request) =>
        OcdsFileAsync(grains, clock, request, batchId, after ?? "", limit);

    /// <summary>The batch's package (<paramref name="after"/> null) or a later page of its purchasing.</summary>
    private static async Task<IResult> OcdsFileAsync(GrainAccess grains, TimeProvider clock, HttpRequest request, string batchId, string? after, int? limit)
    {
        var view = await grains.AllianceBatchAsync(batchId);
        if (after is { Length: 0 })
        {
            // The batch is the caller's: only now is a missing cursor worth saying.
            throw ProcurementException.Required("after");
        }
        if (limit is < 1 or > BatchPurchasing.MaxLines)
        {
            throw ProcurementException.Invalid("limit", $"limit must be between 1 and {BatchPurchasing.MaxLines}.");
        }
        var batch = grains.Batch(batchId);
        var directory = grains.Directory();
        var productIds = view.Definition!.Products.Select(p => p.ProductId).ToHashSet();
        var products = (await directory.ListProductsAsync()).Where(p => productIds.Contains(p.Id)).ToList();
        // A page of purchasing needs no bids: its release holds contracts only.
        var bids = after is null && view.Phase >= TenderBatchPhase.Opened ? await batch.GetOpenedBidsAsync() : null;
        var award = await batch.GetAwardAsync();
        var agreements = view.Phase >= TenderBatchPhase.Awarded ? await batch.ListAgreementsAsync() : [];
        var alliance = await grains.Client.GetGrain<IAllianceGrain>(view.Definition.AllianceId).GetAsync();
        // Purchasing hangs on agreements, so a batch without them reads none; a read holds
        // BatchPurchasing.MaxLines lines and the cursor of the next (docs/OCDS.md).
        var purchasing = agreements.Count > 0
            ? await grains.OrderDirectory().GetBatchPurchasingAsync(batchId, limit ?? BatchPurchasing.MaxLines, after)
            : after is null ? BatchPurchasing.Empty : throw ProcurementException.Invalid("after", $"Batch {batchId} has no agreements, so no pages of purchasing.");
        // The names of the page's hospitals only, not of every hospital of the batch's regions.
        var hospitals = new List<Hospital>();
        foreach (var ids in purchasing.Lines.Select(l => l.HospitalId).Distinct(StringComparer.Ordinal).Chunk(Hospital.MaxIdsPerRead))
        {
            hospitals.AddRange(await directory.GetHospitalsAsync(ids));
        }
        var ocds = new OcdsBatch(view, products, await directory.ListManufacturersAsync(), bids, award, agreements, alliance)
        {
            EventChainHead = await directory.GetEventChainHeadAsync(),
            Purchasing = purchasing,
            Hospitals = hospitals,
            // The items need each category's intended total only: the totals' one GROUP BY answers a
            // row per category and firm named, however many hospitals stated an intention, where the
            // whole read would carry every intention into memory (docs/OCDS.md, "Items").
            ConsumableDemand = after is null && view.Definition.Consumables is not null ? await batch.GetConsumableDemandTotalsAsync() : null,
        };
        // Relative to the portal: a link built from the request's Host header would carry whatever
        // host a client sent (or the proxy's inner one) into a package that may be republished.
        string PageUri(string next) =>
            $"{request.PathBase}/api/batches/{Uri.EscapeDataString(batchId)}/exports/ocds-implementation.json?after={Uri.EscapeDataString(next)}" +
            (limit is { } size ? string.Create(CultureInfo.InvariantCulture, $"&limit={size}") : "");
        var publisher = alliance?.Name ?? view.Definition.AllianceId;
        var package = after is null
            ? OcdsExport.Build(ocds, clock.GetUtcNow(), publisher, "ocds-vbp", PageUri)
            : OcdsExport.BuildPurchasingPage(ocds, clock.GetUtcNow(), publisher, "ocds-vbp", after, PageUri);
        var buffer = new MemoryStream();
        OcdsExport.Write(package, buffer);
        var name = after is null ? $"{batchId}-ocds.json" : $"{batchId}-ocds-implementation-{package.Releases[0].Id[^16..]}.json";
        await grains.RecordAsync(ExportDownloaded, batchId, "batch", batchId, name);
        return TypedResults.File(buffer.ToArray(), "application/json; charset=utf-8", name);
    }
}
