using System.Security.Claims;
using Procurement.BidPortal.Exports;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>
/// Purchasing as CSV and XLSX, each role its own (docs/ORDERS.md, "Exports"): a hospital its record
/// of the months asked for (the signed-in hospital's grain, so no other's); a supplier the lines it
/// answers for, as its inbox shows them, with its receivables; an alliance its figures. Every file
/// downloaded is recorded in the event log with its name, as the batch exports are.
/// </summary>
public static class PurchasingExportApi
{
    private const string Csv = "text/csv; charset=utf-8";

    public static RouteGroupBuilder MapPurchasingExportApi(this RouteGroupBuilder api)
    {
        var hospital = api.MapGroup("/hospital/exports").WithTags("Exports").RequireAuthorization(PortalUser.Hospital).RequireRateLimiting(PortalLimits.Exports);
        hospital.MapGet("/purchasing.xlsx", (string from, string to, GrainAccess grains, ClaimsPrincipal user) =>
            RecordFileAsync(grains, user, from, to, ExportApi.Xlsx, "purchasing", "xlsx", PurchasingExport.WriteRecordXlsx))
            .WithName("ExportHospitalPurchasingXlsx").WithSummary(RecordSummary("The four tables as sheets OrderLines, Deliveries, Invoices, Payments"));
        foreach (var (table, name, what, write) in RecordTables)
        {
            hospital.MapGet($"/{table}.csv", (string from, string to, GrainAccess grains, ClaimsPrincipal user) =>
                RecordFileAsync(grains, user, from, to, Csv, table, "csv", write))
                .WithName(name).WithSummary(RecordSummary(what));
        }

        var supplier = api.MapGroup("/supplier/exports").WithTags("Exports").RequireAuthorization(PortalUser.Supplier).RequireRateLimiting(PortalLimits.Exports);
        supplier.MapGet("/supply.xlsx", async (string? from, string? to, GrainAccess grains, ClaimsPrincipal user) =>
        {
            var lines = await grains.OrderDirectory().GetSupplierRecordAsync(user.Organisation(), from, to);
            var owed = await AllReceivablesAsync(grains, user);
            return await SupplierFileAsync(grains, user, ExportApi.Xlsx, "supply.xlsx", output => PurchasingExport.WriteSupplierXlsx(lines, owed, output));
        }).WithName("ExportSupplierXlsx").WithSummary(SupplierSummary("The lines, their deliveries, and all the supplier's receivables (invoices not paid, with their age; " +
            $"413 TOO_MANY_ROWS above {Receivables.MaxRows:N0}), as sheets OrderLines, Deliveries, Receivables"));
        supplier.MapGet("/order-lines.csv", async (string? from, string? to, GrainAccess grains, ClaimsPrincipal user) =>
        {
            var lines = await grains.OrderDirectory().GetSupplierRecordAsync(user.Organisation(), from, to);
            return await SupplierFileAsync(grains, user, Csv, "order-lines.csv", output => PurchasingExport.WriteSupplierLinesCsv(lines, output));
        }).WithName("ExportSupplierLinesCsv").WithSummary(SupplierSummary("The lines"));
        supplier.MapGet("/receivables.csv", async (GrainAccess grains, ClaimsPrincipal user) =>
        {
            var owed = await AllReceivablesAsync(grains, user);
            return await SupplierFileAsync(grains, user, Csv, "receivables.csv", output => PurchasingExport.WriteReceivablesCsv(owed, output));
        }).WithName("ExportSupplierReceivablesCsv").WithSummary($"Every invoice of the supplier not paid yet, oldest first, with its age in days (from the invoice, or the acceptance when later) and the days past due; 413 TOO_MANY_ROWS above {Receivables.MaxRows:N0}.");

        var alliance = api.MapGroup("/alliance/exports").WithTags("Exports").RequireAuthorization(PortalUser.Alliance).RequireRateLimiting(PortalLimits.Exports);
        alliance.MapGet("/purchasing-figures.xlsx", async (string from, string to, GrainAccess grains, ClaimsPrincipal user) =>
        {
            var figures = grains.Act().GetGrain<IOrderFiguresGrain>(0);
            var allianceId = user.Organisation();
            var supply = await figures.GetSupplyPerformanceAsync(allianceId, from, to);
            var hospitals = await figures.GetHospitalPurchasingAsync(allianceId, from, to);
            var risks = await figures.GetSupplyRisksAsync(allianceId);
            return await FileAsync(grains, "alliance", allianceId, ExportApi.Xlsx, $"{allianceId}-purchasing-{from}-{to}.xlsx",
                output => PurchasingExport.WriteFiguresXlsx(supply, hospitals, risks, output));
        }).WithName("ExportPurchasingFiguresXlsx").WithSummary("Supply performance and hospitals' purchasing for lines placed in months from..to (yyyy-MM), and the supply risks now, as sheets SupplyPerformance, HospitalPurchasing, SupplyRisks.");
        alliance.MapGet("/supply-performance.csv", async (string from, string to, GrainAccess grains, ClaimsPrincipal user) =>
        {
            var rows = await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetSupplyPerformanceAsync(user.Organisation(), from, to);
            return await FileAsync(grains, "alliance", user.Organisation(), Csv, $"{user.Organisation()}-supply-performance-{from}-{to}.csv", output => PurchasingExport.WriteSupplyPerformanceCsv(rows, output));
        }).WithName("ExportSupplyPerformanceCsv").WithSummary("Fill rate, on-time delivery and answer times per supplier x region x product, for lines placed in months from..to (yyyy-MM).");
        alliance.MapGet("/hospital-purchasing.csv", async (string from, string to, GrainAccess grains, ClaimsPrincipal user) =>
        {
            var rows = await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetHospitalPurchasingAsync(user.Organisation(), from, to);
            return await FileAsync(grains, "alliance", user.Organisation(), Csv, $"{user.Organisation()}-hospital-purchasing-{from}-{to}.csv", output => PurchasingExport.WriteHospitalPurchasingCsv(rows, output));
        }).WithName("ExportHospitalPurchasingCsv").WithSummary("Per hospital: on-time payment rate, days payable outstanding, online procurement rate, selected products' share, for months from..to (yyyy-MM).");
        alliance.MapGet("/supply-risks.csv", async (GrainAccess grains, ClaimsPrincipal user) =>
        {
            var rows = await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetSupplyRisksAsync(user.Organisation());
            return await FileAsync(grains, "alliance", user.Organisation(), Csv, $"{user.Organisation()}-supply-risks.csv", output => PurchasingExport.WriteSupplyRisksCsv(rows, output));
        }).WithName("ExportSupplyRisksCsv").WithSummary("The supply-risk alerts now, with the agreements a takeover by the spare would move.");
        return api;
    }

    /// <summary>The hospital record's tables as CSV files: path, endpoint name, what it holds, its writer.</summary>
    private static readonly (string Table, string Name, string What, Action<PurchasingRecord, Stream> Write)[] RecordTables =
    [
        ("order-lines", "ExportHospitalLinesCsv", "The order lines", PurchasingExport.WriteLinesCsv),
        ("deliveries", "ExportHospitalDeliveriesCsv", "The deliveries of the lines, with the hospital's decisions", PurchasingExport.WriteDeliveriesCsv),
        ("invoices", "ExportHospitalInvoicesCsv", "The invoices of the lines' deliveries", PurchasingExport.WriteInvoicesCsv),
        ("payments", "ExportHospitalPaymentsCsv", "The payments of those invoices, by the hospital or the insurance fund", PurchasingExport.WritePaymentsCsv),
    ];

    private static string SupplierSummary(string what) =>
        $"{what}, of the lines the supplier answers for placed from..to (each a month yyyy-MM or a day yyyy-MM-dd, both inclusive, within {PurchasingRecord.MaxMonths} months; neither given, this month), oldest first; " +
        $"413 TOO_MANY_ROWS above {PurchasingRecord.MaxRows:N0} lines or deliveries (GET /api/supplier/lines pages any number).";

    private static string RecordSummary(string what) =>
        $"{what}, of the lines the hospital placed in months from..to (yyyy-MM, at most {PurchasingRecord.MaxMonths} months); " +
        $"413 TOO_MANY_ROWS above {PurchasingRecord.MaxRows:N0} rows of a kind.";

    private static async Task<IResult> RecordFileAsync(GrainAccess grains, ClaimsPrincipal user, string from, string to, string type, string table, string extension, Action<PurchasingRecord, Stream> write)
    {
        var record = await grains.Orders().GetPurchasingRecordAsync(from, to);
        return await FileAsync(grains, "hospital", user.Organisation(), type, $"{user.Organisation()}-{table}-{from}-{to}.{extension}", output => write(record, output));
    }

    private static Task<IResult> SupplierFileAsync(GrainAccess grains, ClaimsPrincipal user, string type, string name, Action<Stream> write) =>
        FileAsync(grains, "supplier", user.Organisation(), type, $"{user.Organisation()}-{name}", write);

    /// <summary>Every receivable of the supplier, or TOO_MANY_ROWS: a file never cut short.</summary>
    private static async Task<Receivables> AllReceivablesAsync(GrainAccess grains, ClaimsPrincipal user)
    {
        var owed = await grains.OrderDirectory().GetReceivablesAsync(user.Organisation(), Receivables.MaxRows);
        return !owed.More
            ? owed
            : throw new ProcurementException(ErrorCodes.TooManyRows,
                $"More than the {Receivables.MaxRows:N0} invoices a file holds are not paid ({owed.Count:N0}); the supplier's page sums them all by age.", "receivables");
    }

    private static async Task<IResult> FileAsync(GrainAccess grains, string entityType, string entityId, string type, string name, Action<Stream> write)
    {
        var buffer = new MemoryStream();
        write(buffer);
        await grains.RecordAsync(ExportApi.ExportDownloaded, null, entityType, entityId, name);
        return TypedResults.File(buffer.ToArray(), type, name);
    }
}
