using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Every API endpoint the portal maps × every kind of caller, with another organisation's ids: each
/// call is refused (401 anonymous, 403 wrong role or another organisation's batch, 404 another
/// firm's bid) and the event log, where every change is written, does not grow. The endpoints are
/// read from the running host, so an endpoint added without a row here fails the test.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class AuthorizationMatrixTests(JourneyFixture portal)
{
    private const string Anonymous = "anonymous";

    /// <summary>Who may call an endpoint, and for whom the sample ids are another organisation's (so the call must still be refused).</summary>
    private sealed record Row(string Method, string Pattern, string[] Roles, string[] ForeignFor, Func<Ids, object?>? Body = null, bool AnonymousAllowed = false);

    private sealed record Ids(string BatchId, Guid BidId, Guid AgreementId, Guid ObjectionId, Guid OrderId, Guid DeliveryId, Guid InvoiceId);

    private static readonly string[] Alliance = ["alliance"];
    private static readonly string[] Hospital = ["hospital"];
    private static readonly string[] Manufacturer = ["manufacturer"];
    private static readonly string[] All = ["alliance", "hospital", "manufacturer"];
    private static readonly string[] AllianceOrManufacturer = ["alliance", "manufacturer"];
    private static readonly string[] None = [];
    private static readonly string[] Supplier = ["manufacturer", "distributor"];
    private static readonly string[] Purchasing = ["alliance", "hospital", "manufacturer", "distributor"];

    private static object BidBody(Ids ids) => new
    {
        clientRequestId = Guid.NewGuid().ToString("N"),
        content = new { batchId = ids.BatchId, productId = "ATORVASTATIN-TAB", specificationCode = "20mgx7", pricePerPack = 0.70m, annualCapacity = 1000L, supplyRegions = new[] { "BJ" } },
    };

    private static readonly object Windows = new { reportingCloses = "2030-01-01T00:00:00Z", biddingDeadline = "2030-02-01T00:00:00Z", openingTime = "2030-02-01T00:00:00Z", publicityDays = 7 };

    private static readonly Row[] Rows =
    [
        new("POST", "/api/session", None, None, AnonymousAllowed: true),
        new("GET", "/api/session", Purchasing, None),
        new("DELETE", "/api/session", Purchasing, None),
        new("PUT", "/api/session/password", Purchasing, None, _ => new { currentPassword = "wrong-password", newPassword = "matrix-new-password" }),
        new("POST", "/api/accounts/{userName}/password-reset", Alliance, Alliance, _ => new { newPassword = "matrix-new-password" }),
        new("GET", "/api/batches", All, None),
        new("GET", "/api/rule-sets", All, None),
        new("GET", "/api/consumable-codes", All, None),
        new("GET", "/api/consumable-codes/{code}", All, None),
        new("GET", "/api/batches/{batchId}", All, ["alliance", "hospital"]),
        new("POST", "/api/batches", Alliance, Alliance, i => new
        {
            batchId = i.BatchId,
            definition = new { allianceId = "ALLIANCE-NORTH", name = "taken", products = new[] { new { productId = "ATORVASTATIN-TAB", maxValidUnitPrice = 0.5m } }, regionCodes = new[] { "BJ" }, hospitalIds = new[] { "H-BJ-001" }, ruleSet = new { name = "round11", parameters = new { }, conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } }, windows = Windows, agreementMonths = 12 },
        }),
        new("POST", "/api/batches/{batchId}/open-reporting", Alliance, Alliance),
        new("POST", "/api/batches/{batchId}/close-reporting", Alliance, Alliance),
        new("POST", "/api/batches/{batchId}/open-bidding", Alliance, Alliance),
        new("POST", "/api/batches/{batchId}/open-bids", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/opening-share", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/opening-shares", Alliance, Alliance),
        new("POST", "/api/batches/{batchId}/opening-shares", Alliance, Alliance, _ => new { share = "vbp-opening-share-1:1:AAAA:x" }),
        new("GET", "/api/batches/{batchId}/reporting-progress", Alliance, Alliance),
        new("POST", "/api/batches/{batchId}/reporting-reminders", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/consumable-demand", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/consumable-demand/totals", Alliance, Alliance),
        new("POST", "/api/batches/{batchId}/renewal", Alliance, Alliance, _ => new { batchId = "MATRIX-RENEWAL", name = "renewal", windows = Windows, agreementMonths = 12 }),
        new("GET", "/api/batches/{batchId}/bids", AllianceOrManufacturer, Alliance),
        new("POST", "/api/batches/{batchId}/bids", Manufacturer, None, BidBody),
        new("PUT", "/api/bids/{bidId:guid}", Manufacturer, Manufacturer, BidBody),
        new("DELETE", "/api/bids/{bidId:guid}", Manufacturer, Manufacturer),
        new("GET", "/api/my/bids", Manufacturer, None),
        new("GET", "/api/my/qualifications", Manufacturer, None),
        new("PUT", "/api/my/qualifications/{productId}", Manufacturer, None, _ => new { consistencyEvaluationPassed = true, yearsOfProduction = 5, gmpViolationInLastTwoYears = false, gmpRecordReference = "GMP-1" }),
        new("GET", "/api/batches/{batchId}/award", All, ["alliance", "hospital"]),
        new("GET", "/api/batches/{batchId}/objections", AllianceOrManufacturer, Alliance),
        new("POST", "/api/batches/{batchId}/objections", Manufacturer, None, _ => new { text = "objection" }),
        new("POST", "/api/batches/{batchId}/award", Alliance, Alliance, _ => new { mode = "ranked-pick", regionBudgets = new { }, timeLimitSeconds = 5 }),
        new("POST", "/api/batches/{batchId}/award/compare", Alliance, Alliance, _ => new { modes = new[] { "ranked-pick" }, regionBudgets = new { }, timeLimitSeconds = 5 }),
        new("POST", "/api/batches/{batchId}/objections/{objectionId:guid}/answer", Alliance, Alliance, _ => new { text = "answer" }),
        new("POST", "/api/batches/{batchId}/finalise", Alliance, Alliance, _ => new { }),
        new("GET", "/api/batches/{batchId}/volume-reports", Hospital, Hospital),
        new("POST", "/api/batches/{batchId}/volume-reports", Hospital, Hospital, _ => new[] { new { productId = "ATORVASTATIN-TAB", annualVolume = 1L } }),
        new("POST", "/api/batches/{batchId}/volume-reports/upload", Hospital, Hospital, _ => "product_id,annual_volume\nATORVASTATIN-TAB,1\n"),
        new("POST", "/api/batches/{batchId}/consumable-intentions/upload", Hospital, Hospital,
            _ => "category_id,manufacturer_id,certificate_number,model,annual_quantity\nSTENT,M-QILU,C,M,1\n"),
        new("GET", "/api/batches/{batchId}/consumable-intentions", Hospital, Hospital),
        new("GET", "/api/batches/{batchId}/consumable-intentions/revisions", Hospital, Hospital),
        new("GET", "/api/batches/{batchId}/hospitals/{hospitalId}/consumable-intention-revisions", Alliance, Alliance),
        new("POST", "/api/batches/{batchId}/consumable-intentions", Hospital, Hospital, _ => new[]
        {
            new { categoryId = "STENT", manufacturerId = "M-HUAHAI", certificateNumber = "CERT-1", model = "M1", annualQuantity = 1L, furtherChoices = new[] { "M-QILU" } },
        }),
        new("GET", "/api/hospital/substitutes", Hospital, None),
        new("PUT", "/api/hospital/substitutes", Hospital, None, _ => new { productId = "AMLODIPINE-TAB", forProductId = "ATORVASTATIN-TAB" }),
        new("GET", "/api/usage", Hospital, None),
        new("POST", "/api/usage/{month}", Hospital, None, _ => Array.Empty<object>()),
        new("POST", "/api/usage/{month}/upload", Hospital, None, _ => "product_id,manufacturer_id,units,amount\n"),
        new("GET", "/api/hospital/agreements", Hospital, None),
        new("GET", "/api/batches/{batchId}/agreements", All, ["alliance", "hospital"]),
        new("GET", "/api/batches/{batchId}/monitoring", Alliance, Alliance),
        new("POST", "/api/agreements/{agreementId:guid}/supply-failure", Alliance, Alliance, _ => new { text = "verified" }),
        new("GET", "/api/manufacturer/agreements", Manufacturer, None),
        new("GET", "/api/manufacturer/volumes", Manufacturer, None),
        new("GET", "/api/manufacturer/component-purchases", Manufacturer, None),
        new("GET", "/api/notifications", All, None),
        new("GET", "/api/batches/{batchId}/exports/award-allocations.csv", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/award-statements.csv", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/award.xlsx", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/agreements.csv", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/agreements.xlsx", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/ocds.json", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/ocds-implementation.json", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/reporting-mismatches.csv", Alliance, Alliance),
        new("GET", "/api/batches/{batchId}/exports/reporting-mismatches.xlsx", Alliance, Alliance),
        // Every role reads a consumables award's files as it reads the award: another alliance's or a non-participating hospital's batch is refused.
        new("GET", "/api/batches/{batchId}/exports/consumable-groups.csv", All, ["alliance", "hospital"]),
        new("GET", "/api/batches/{batchId}/exports/consumable-statements.csv", All, ["alliance", "hospital"]),
        new("GET", "/api/batches/{batchId}/exports/consumable-supplies.csv", All, ["alliance", "hospital"]),
        new("GET", "/api/batches/{batchId}/exports/consumable-award.xlsx", All, ["alliance", "hospital"]),
        new("POST", "/api/orders", Hospital, None, _ => new { requestId = "matrix", lines = Array.Empty<object>() }),
        new("POST", "/api/orders/upload", Hospital, None, _ => "product_id,quantity,delivery_point\n"),
        new("GET", "/api/orders", Hospital, None),
        new("GET", "/api/orders/{orderId:guid}", Purchasing, Purchasing),
        new("POST", "/api/deliveries/{deliveryId:guid}/decision", Hospital, Hospital, _ => new { requestId = "matrix", accept = false, reason = "Damaged" }),
        new("POST", "/api/invoices/{invoiceId:guid}/payment", Hospital, Hospital, _ => new { requestId = "matrix", reference = "MATRIX" }),
        new("GET", "/api/hospital/deliveries", Hospital, None),
        new("GET", "/api/hospital/invoices", Hospital, None),
        new("GET", "/api/hospital/payments", Hospital, None),
        new("GET", "/api/hospital/prepayment-ledger", Hospital, None),
        new("GET", "/api/hospital/accepted-volumes", Hospital, None),
        new("GET", "/api/supplier/lines", Supplier, None),
        new("GET", "/api/supplier/lines/to-answer", Supplier, None),
        new("GET", "/api/supplier/lines/to-ship", Supplier, None),
        new("GET", "/api/supplier/deliveries/to-invoice", Supplier, None),
        new("POST", "/api/orders/{orderId:guid}/lines/{lineNo:int}/response", Supplier, Supplier, _ => new { requestId = "matrix", confirm = false, reason = "no stock" }),
        new("POST", "/api/orders/{orderId:guid}/lines/{lineNo:int}/shipments", Supplier, Supplier, _ => new { requestId = "matrix", quantity = 1, lotNumber = "MATRIX", expiryDate = "2031-01-01" }),
        new("POST", "/api/deliveries/{deliveryId:guid}/invoice", Supplier, Supplier, _ => new { requestId = "matrix", invoiceNumber = "MATRIX" }),
        new("POST", "/api/orders/{orderId:guid}/answers", Supplier, Supplier, _ => new[] { new { requestId = "matrix", lineNo = 1, confirm = false, reason = "no stock" } }),
        new("POST", "/api/orders/{orderId:guid}/shipments", Supplier, Supplier, _ => new[] { new { requestId = "matrix", lineNo = 1, quantity = 1, lotNumber = "MATRIX", expiryDate = "2031-01-01" } }),
        new("POST", "/api/orders/{orderId:guid}/invoices", Supplier, Supplier, ids => new[] { new { requestId = "matrix", deliveryId = ids.DeliveryId, invoiceNumber = "MATRIX" } }),
        new("POST", "/api/deliveries/decisions", Hospital, Hospital, ids => new[] { new { deliveryId = ids.DeliveryId, decision = new { requestId = "matrix", accept = false, reason = "Damaged" } } }),
        new("POST", "/api/invoices/payments", Hospital, Hospital, ids => new[] { new { requestId = "matrix", invoiceId = ids.InvoiceId, reference = "MATRIX" } }),
        new("GET", "/api/supplier/distributors", Manufacturer, None),
        new("PUT", "/api/supplier/distributors/{regionCode}", Manufacturer, None, _ => new { distributorId = (string?)null }),
        new("GET", "/api/alliance/listed-prices", Alliance, None),
        new("PUT", "/api/alliance/listed-prices", Alliance, None, _ => Array.Empty<object>()),
        new("PUT", "/api/alliance/payment-term", Alliance, None, _ => new { days = 30 }),
        new("GET", "/api/alliance/payment-term", Alliance, None),
        new("GET", "/api/alliance/supply-performance", Alliance, None),
        new("GET", "/api/alliance/hospital-purchasing", Alliance, None),
        new("GET", "/api/alliance/supply-risks", Alliance, None),
        new("GET", "/api/hospital/exports/purchasing.xlsx", Hospital, None),
        new("GET", "/api/hospital/exports/order-lines.csv", Hospital, None),
        new("GET", "/api/hospital/deliveries/to-accept", Hospital, None),
        new("GET", "/api/hospital/invoices/to-pay", Hospital, None),
        new("GET", "/api/hospital/exports/deliveries.csv", Hospital, None),
        new("GET", "/api/hospital/exports/invoices.csv", Hospital, None),
        new("GET", "/api/hospital/exports/payments.csv", Hospital, None),
        new("GET", "/api/supplier/exports/supply.xlsx", Supplier, None),
        new("GET", "/api/supplier/exports/order-lines.csv", Supplier, None),
        new("GET", "/api/supplier/exports/receivables.csv", Supplier, None),
        new("GET", "/api/alliance/exports/purchasing-figures.xlsx", Alliance, None),
        new("GET", "/api/alliance/exports/supply-performance.csv", Alliance, None),
        new("GET", "/api/alliance/exports/hospital-purchasing.csv", Alliance, None),
        new("GET", "/api/alliance/exports/supply-risks.csv", Alliance, None),
        new("GET", "/api/batches/{batchId}/reporting-mismatches", Alliance, Alliance),
        new("POST", "/api/invoices/{invoiceId:guid}/direct-settlement", Alliance, Alliance, _ => new { requestId = "matrix", reference = "MATRIX" }),
        new("GET", "/api/openapi/{documentName}.json", None, None, AnonymousAllowed: true),
    ];

    [Fact]
    public async Task Every_endpoint_refuses_every_other_role_and_organisation_and_nothing_changes()
    {
        var ids = await AwardedRoundOfTheNorthAllianceAsync();
        var callers = new Dictionary<string, (string Role, HttpClient Client)>
        {
            [Anonymous] = (Anonymous, new HttpClient { BaseAddress = portal.BaseAddress }),
            ["alliance.south"] = ("alliance", await portal.SignedInAsync("alliance.south")),
            ["hospital.bj1"] = ("hospital", await portal.SignedInAsync("hospital.bj1")),
            ["maker.qilu"] = ("manufacturer", await portal.SignedInAsync("maker.qilu")),
            // Designated by M-HUAHAI for Beijing only: the Tianjin order's line is not its to answer.
            ["distributor.north"] = ("distributor", await portal.SignedInAsync("distributor.north")),
        };
        var mapped = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true && !e.RoutePattern.RawText.StartsWith("/api/docs", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();
        var rows = Rows.ToDictionary(r => $"{r.Method} {r.Pattern}");
        var unlisted = mapped.Where(m => !rows.ContainsKey(m)).ToList();
        Assert.True(unlisted.Count == 0, $"Endpoints without a row in the matrix: {string.Join(", ", unlisted)}");

        var eventsBefore = await EventCountAsync();
        var failures = new List<string>();
        var calls = 0;
        foreach (var row in Rows.Where(r => mapped.Contains($"{r.Method} {r.Pattern}")))
        {
            foreach (var (user, (role, client)) in callers)
            {
                var allowedRole = row.AnonymousAllowed || (role != Anonymous && row.Roles.Contains(role));
                if (allowedRole && !row.ForeignFor.Contains(role))
                {
                    continue;
                }
                if (row.Method == "DELETE" && row.Pattern == "/api/session")
                {
                    continue;
                }
                calls++;
                using var request = new HttpRequestMessage(new HttpMethod(row.Method), Path(row.Pattern, ids));
                switch (row.Body?.Invoke(ids))
                {
                    case string csv:
                        request.Content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv");
                        break;
                    case { } body:
                        request.Content = JsonContent.Create(body);
                        break;
                }
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var expected = role == Anonymous ? [401] : !allowedRole ? [403] : new[] { 403, 404 };
                var text = await response.Content.ReadAsStringAsync();
                if (!expected.Contains(status))
                {
                    failures.Add($"{user} {row.Method} {row.Pattern}: {status} {text}");
                }
                else if (!text.Contains("\"code\"", StringComparison.Ordinal))
                {
                    failures.Add($"{user} {row.Method} {row.Pattern}: {status} without a problem code");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(calls > 100, $"only {calls} calls");
        Assert.Equal(eventsBefore, await EventCountAsync());
    }

    private static string Path(string pattern, Ids ids) => pattern
        .Replace("{batchId}", ids.BatchId, StringComparison.Ordinal)
        .Replace("{bidId:guid}", ids.BidId.ToString(), StringComparison.Ordinal)
        .Replace("{agreementId:guid}", ids.AgreementId.ToString(), StringComparison.Ordinal)
        .Replace("{objectionId:guid}", ids.ObjectionId.ToString(), StringComparison.Ordinal)
        .Replace("{month}", "2026-12", StringComparison.Ordinal)
        .Replace("{userName}", "alliance.admin", StringComparison.Ordinal)
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("{orderId:guid}", ids.OrderId.ToString(), StringComparison.Ordinal)
        .Replace("{deliveryId:guid}", ids.DeliveryId.ToString(), StringComparison.Ordinal)
        .Replace("{invoiceId:guid}", ids.InvoiceId.ToString(), StringComparison.Ordinal)
        .Replace("{lineNo:int}", "1", StringComparison.Ordinal)
        .Replace("{regionCode}", "BJ", StringComparison.Ordinal)
        .Replace("{hospitalId}", "H-BJ-001", StringComparison.Ordinal)
        .Replace("{productId}", "ATORVASTATIN-TAB", StringComparison.Ordinal)
        + (pattern == "/api/bids/{bidId:guid}" ? "?clientRequestId=matrix" : "");

    private async Task<long> EventCountAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={System.IO.Path.Combine(portal.DataDirectory, "procurement.db")};Mode=ReadOnly");
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events");
    }

    /// <summary>
    /// A North alliance round awarded and finalised, in which only a Tianjin hospital takes part
    /// (so hospital.bj1 is outside it) and M-HUAHAI holds the winning bids (so they are M-QILU's
    /// foreign ids), with an answered objection and agreements.
    /// </summary>
    private async Task<Ids> AwardedRoundOfTheNorthAllianceAsync()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        if (await grains.GetGrain<IAccountGrain>("hospital.tj1").GetAsync() is null)
        {
            await grains.GetGrain<IAccountGrain>("hospital.tj1").CreateAsync("Tianjin hospital pharmacy", OrganisationKind.Hospital, "H-TJ-001", PortalFixture.Password);
        }
        if (await grains.GetGrain<IAccountGrain>("distributor.north").GetAsync() is null)
        {
            await grains.GetGrain<IDistributorGrain>("D-NORTH").RegisterAsync(new Distributor("D-NORTH", "North pharmaceutical distribution"));
            await grains.GetGrain<ISupplierGrain>("M-HUAHAI").DesignateDistributorAsync("BJ", "D-NORTH");
            await grains.GetGrain<IAccountGrain>("distributor.north").CreateAsync("North distribution order desk", OrganisationKind.Distributor, "D-NORTH", PortalFixture.Password);
        }
        var admin = await portal.SignedInAsync("alliance.admin");
        var tianjin = await portal.SignedInAsync("hospital.tj1");
        var huahai = await portal.SignedInAsync("maker.huahai");
        var qilu = await portal.SignedInAsync("maker.qilu");
        var batchId = await PortalRound.CreateReportingBatchAsync(admin, portal.Clock.GetUtcNow(), "MATRIX", ["H-TJ-001"]);
        await PortalRound.OpenBiddingAsync(admin, tianjin, batchId);
        var bid = await PortalRound.BidAsync(huahai, batchId, "ATORVASTATIN-TAB", 1.40m);
        await PortalRound.BidAsync(huahai, batchId, "AMLODIPINE-TAB", 2.80m);
        await PortalRound.BidAsync(qilu, batchId, "ATORVASTATIN-TAB", 1.75m);
        await PortalRound.BidAsync(qilu, batchId, "AMLODIPINE-TAB", 3.50m);
        portal.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        await PortalRound.OkAsync(admin.PostAsync($"/api/batches/{batchId}/open-bids", null));
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/award", new { mode = "ranked-pick", regionBudgets = new { }, timeLimitSeconds = 5 }));
        await PortalJourneyTests.WaitForPhaseAsync(admin, batchId, "Publicity");
        var objection = await PortalRound.OkAsync(qilu.PostAsJsonAsync($"/api/batches/{batchId}/objections", new { text = "Recheck." }));
        var objectionId = objection.GetProperty("objectionId").GetGuid();
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/objections/{objectionId}/answer", new { text = "Rechecked." }));
        portal.Clock.Advance(TimeSpan.FromDays(8));
        await PortalRound.OkAsync(admin.PostAsJsonAsync($"/api/batches/{batchId}/finalise", new { }));
        var agreements = await PortalRound.OkAsync(admin.GetAsync($"/api/batches/{batchId}/agreements"));

        // An order of the Tianjin hospital at the North alliance's listed price, supplied by M-HUAHAI:
        // shipped, accepted and invoiced, so its order, delivery and invoice are foreign to the others.
        Assert.True((await admin.PutAsJsonAsync("/api/alliance/listed-prices", new[] { new { productId = "ATORVASTATIN-TAB", manufacturerId = "M-HUAHAI", unitPrice = 0.50m } })).IsSuccessStatusCode);
        var order = await PortalRound.OkAsync(tianjin.PostAsJsonAsync("/api/orders", new
        {
            requestId = $"matrix-{batchId}",
            lines = new[] { new { productId = "ATORVASTATIN-TAB", quantity = 100L, deliveryPoint = "Pharmacy", urgency = "Normal", manufacturerId = "M-HUAHAI" } },
        }));
        var orderId = order.GetProperty("orderId").GetGuid();
        await PortalRound.OkAsync(huahai.PostAsJsonAsync($"/api/orders/{orderId}/lines/1/response", new { requestId = "m-confirm", confirm = true }));
        var delivery = await PortalRound.OkAsync(huahai.PostAsJsonAsync($"/api/orders/{orderId}/lines/1/shipments", new { requestId = "m-ship", quantity = 100L, lotNumber = "L1", expiryDate = "2031-01-01" }));
        var deliveryId = delivery.GetProperty("deliveryId").GetGuid();
        await PortalRound.OkAsync(tianjin.PostAsJsonAsync($"/api/deliveries/{deliveryId}/decision", new { requestId = "m-accept", accept = true }));
        var invoice = await PortalRound.OkAsync(huahai.PostAsJsonAsync($"/api/deliveries/{deliveryId}/invoice", new { requestId = "m-invoice", invoiceNumber = "INV-M1" }));
        return new Ids(batchId, bid.GetProperty("bidId").GetGuid(), agreements[0].GetProperty("agreementId").GetGuid(), objectionId,
            orderId, deliveryId, invoice.GetProperty("invoiceId").GetGuid());
    }
}
