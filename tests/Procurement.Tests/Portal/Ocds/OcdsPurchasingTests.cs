using System.Text;
using System.Text.Json;
using Procurement.BidPortal.Exports;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal.Ocds;

/// <summary>
/// Purchasing after the award in the OCDS export, by hand: one agreement with three lines of two
/// hospitals, one delivery accepted whole and paid by its hospital, one accepted in part and settled
/// directly by the insurance fund; a second agreement nobody ordered against. Prices with four
/// decimals, so a detour through binary floating point would show.
/// </summary>
public sealed class OcdsPurchasingTests
{
    private const string BatchId = "B2026-03";
    private const string Amlodipine = "P-AML";
    private const string Huahai = "M-HUAHAI";
    private const string Qilu = "M-QILU";
    private const string Shanghai = "310000";
    private const string Guangdong = "440000";
    private const string Ruijin = "H-RUIJIN";
    private const string Zhongshan = "H-ZHONGSHAN";

    private static readonly DateTimeOffset PublishedAt = new(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly Alliance Alliance = new("A-NAT", "国家组织药品联合采购办公室", [new(Shanghai, "上海"), new(Guangdong, "广东")]);
    private static readonly Guid Ordered = Guid.Parse("33333333-0000-0000-0000-000000000001");
    private static readonly Guid Untouched = Guid.Parse("33333333-0000-0000-0000-000000000002");
    private static readonly Guid Order1 = Guid.Parse("44444444-0000-0000-0000-000000000001");
    private static readonly Guid Order2 = Guid.Parse("44444444-0000-0000-0000-000000000002");
    private static readonly Guid Whole = Guid.Parse("55555555-0000-0000-0000-000000000001");
    private static readonly Guid Partial = Guid.Parse("55555555-0000-0000-0000-000000000002");
    private static readonly Guid HospitalPaid = Guid.Parse("66666666-0000-0000-0000-000000000001");
    private static readonly Guid FundSettled = Guid.Parse("66666666-0000-0000-0000-000000000002");
    private static readonly Guid PaidByHospital = Guid.Parse("77777777-0000-0000-0000-000000000001");
    private static readonly Guid PaidByFund = Guid.Parse("77777777-0000-0000-0000-000000000002");

    /// <summary>Placed at 10:00 in Shanghai (02:00 UTC) on 2 March 2026.</summary>
    private static readonly DateTimeOffset PlacedAt = new(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(8));

    private static readonly IReadOnlyList<Agreement> Agreements =
    [
        new(Ordered, BatchId, Amlodipine, Shanghai, Huahai, Guid.NewGuid(), null, null, 120_000, 0.1234m, 14_808.0000m,
            new DateOnly(2026, 3, 1), new DateOnly(2028, 3, 1), AgreementState.Active, 1, null, null, 2),
        new(Untouched, BatchId, Amlodipine, Guangdong, Qilu, Guid.NewGuid(), null, null, 250_001, 0.1299m, 32_475.1299m,
            new DateOnly(2026, 3, 1), new DateOnly(2028, 3, 1), AgreementState.Active, 1, null, null, 30),
    ];

    private static readonly BatchPurchasing Purchasing = new(
        [
            Line(Order1, 1, Ruijin, 2_800, OrderLineState.Fulfilled, 2_800, 2_800),
            Line(Order2, 1, Zhongshan, 1_000, OrderLineState.Confirmed, 1_000, 900),
            Line(Order2, 2, Zhongshan, 500, OrderLineState.Placed, 0, 0),
        ],
        [
            Delivery(Whole, Order1, 1, Ruijin, 2_800, 2_800, PlacedAt.AddDays(1)),
            Delivery(Partial, Order2, 1, Zhongshan, 1_000, 900, PlacedAt.AddDays(2)),
        ],
        [
            new(HospitalPaid, Whole, Ruijin, Huahai, "INV-0001", 345.5200m, PlacedAt.AddDays(1), InvoiceState.Paid, PlacedAt.AddDays(31), PlacedAt.AddDays(10), Alliance.Id),
            new(FundSettled, Partial, Zhongshan, Huahai, "INV-0002", 111.0600m, PlacedAt.AddDays(2), InvoiceState.Paid, PlacedAt.AddDays(32), PlacedAt.AddDays(40), Alliance.Id),
        ],
        [
            new(PaidByHospital, HospitalPaid, Ruijin, Payer.Hospital, 345.5200m, 0m, PlacedAt.AddDays(10), "BANK-1", true),
            new(PaidByFund, FundSettled, Zhongshan, Payer.InsuranceFund, 111.0600m, 100.0000m, PlacedAt.AddDays(40), "FUND-7", false),
        ],
        Truncated: false);

    [Fact]
    public async Task Payments_are_transactions_deliveries_milestones_and_lines_purchase_orders_and_the_package_validates_against_OCDS_1_1_5()
    {
        var bytes = Package(Batch(Purchasing));
        await OcdsSchema.AssertValidAsync(bytes);

        using var document = JsonDocument.Parse(bytes);
        // Payments name their milestones by the registered transaction_milestones extension, whose
        // MilestoneReference the metrics extension defines: both declared.
        Assert.Equal([OcdsExport.BidExtensionUri, OcdsExport.TransactionMilestonesExtensionUri, OcdsExport.MetricsExtensionUri, OcdsExport.VbpExtensionUri],
            document.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        var release = Assert.Single(document.RootElement.GetProperty("releases").EnumerateArray().ToList());
        var contracts = release.GetProperty("contracts").EnumerateArray().ToList();
        Assert.False(contracts.Single(c => c.GetProperty("id").GetString() == Untouched.ToString()).TryGetProperty("implementation", out _));
        var implementation = contracts.Single(c => c.GetProperty("id").GetString() == Ordered.ToString()).GetProperty("implementation");

        var orders = implementation.GetProperty("vbpPurchaseOrders").EnumerateArray().ToList();
        Assert.Equal([$"{Order1}-1", $"{Order2}-1", $"{Order2}-2"], orders.Select(o => o.GetProperty("id").GetString()!));
        Assert.Equal([Ruijin, Zhongshan, Zhongshan], orders.Select(o => o.GetProperty("hospital").GetProperty("id").GetString()!));
        Assert.Equal(["fulfilled", "confirmed", "placed"], orders.Select(o => o.GetProperty("status").GetString()!));
        Assert.Equal([2_800L, 1_000L, 500L], orders.Select(o => o.GetProperty("quantity").GetInt64()));
        Assert.All(orders, o => Assert.Equal(0.1234m, o.GetProperty("unitPrice").GetProperty("amount").GetDecimal()));
        Assert.Equal(345.5200m, orders[0].GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal("CNY", orders[0].GetProperty("value").GetProperty("currency").GetString());
        Assert.Equal(Order1.ToString(), orders[0].GetProperty("orderId").GetString());
        Assert.Equal(1, orders[0].GetProperty("lineNo").GetInt32());
        Assert.Equal("2026-03-02T02:00:00Z", orders[0].GetProperty("date").GetString());
        Assert.Equal("上海瑞金医院", orders[0].GetProperty("hospital").GetProperty("name").GetString());

        var milestones = implementation.GetProperty("milestones").EnumerateArray().ToList();
        Assert.Equal([Whole.ToString(), Partial.ToString()], milestones.Select(m => m.GetProperty("id").GetString()!));
        Assert.All(milestones, m => Assert.Equal("delivery", m.GetProperty("type").GetString()));
        Assert.Equal(["met", "partiallyMet"], milestones.Select(m => m.GetProperty("status").GetString()!));
        Assert.Equal("2026-03-04T02:00:00Z", milestones[1].GetProperty("dateMet").GetString());
        Assert.Equal(900, milestones[1].GetProperty("vbpAcceptedUnits").GetInt64());
        Assert.Equal($"{Order2}-1", milestones[1].GetProperty("vbpPurchaseOrderId").GetString());

        var transactions = implementation.GetProperty("transactions").EnumerateArray().ToList();
        Assert.Equal([PaidByHospital.ToString(), PaidByFund.ToString()], transactions.Select(t => t.GetProperty("id").GetString()!));
        var byHospital = transactions[0];
        Assert.Equal(345.5200m, byHospital.GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal("CNY", byHospital.GetProperty("value").GetProperty("currency").GetString());
        Assert.Equal(Ruijin, byHospital.GetProperty("payer").GetProperty("id").GetString());
        Assert.Equal(Huahai, byHospital.GetProperty("payee").GetProperty("id").GetString());
        Assert.Equal("2026-03-12T02:00:00Z", byHospital.GetProperty("date").GetString());
        // The payment names the delivery milestone it pays for by the registered transaction_milestones extension.
        var paidFor = byHospital.GetProperty("relatedImplementationMilestone");
        var wholeMilestone = milestones.Single(m => m.GetProperty("id").GetString() == Whole.ToString());
        Assert.Equal((Whole.ToString(), wholeMilestone.GetProperty("title").GetString()), (paidFor.GetProperty("id").GetString(), paidFor.GetProperty("title").GetString()));
        Assert.False(byHospital.TryGetProperty("vbpDeliveryId", out _));
        Assert.Equal("INV-0001", byHospital.GetProperty("vbpInvoiceNumber").GetString());
        Assert.False(byHospital.TryGetProperty("vbpFromPrepayment", out _));
        var byFund = transactions[1];
        Assert.Equal(111.0600m, byFund.GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal("A-NAT-insurance-fund", byFund.GetProperty("payer").GetProperty("id").GetString());
        Assert.Equal(100.0000m, byFund.GetProperty("vbpFromPrepayment").GetDecimal());
        Assert.False(byFund.GetProperty("vbpOnTime").GetBoolean());

        var parties = release.GetProperty("parties").EnumerateArray()
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList());
        Assert.Equal(["buyer", "procuringEntity"], parties[Alliance.Id]);
        Assert.Equal(["supplier", "payee"], parties[Huahai]);
        Assert.Equal(["supplier"], parties[Qilu]);
        Assert.Equal(["buyer", "payer"], parties[Ruijin]);
        Assert.Equal(["buyer"], parties[Zhongshan]);
        Assert.Equal(["payer"], parties["A-NAT-insurance-fund"]);
        Assert.False(release.TryGetProperty("vbpPurchasingTruncated", out _));

        // The schema checks bite on the new sections too: milestone status is a closed codelist of
        // OCDS, a purchase order's status one of the VBP extension.
        var json = Encoding.UTF8.GetString(bytes);
        Assert.NotEmpty((await OcdsSchema.PackageAsync()).Validate(json.Replace("\"partiallyMet\"", "\"half\"", StringComparison.Ordinal)));
        var unknownStatus = json.Replace("\"status\": \"fulfilled\"", "\"status\": \"shipped\"", StringComparison.Ordinal);
        Assert.Empty((await OcdsSchema.PackageAsync()).Validate(unknownStatus));
        Assert.NotEmpty((await OcdsSchema.PackageWithVbpExtensionAsync()).Validate(unknownStatus));
    }

    [Fact]
    public void A_batch_without_orders_exports_as_before()
    {
        var before = Package(Batch(null));

        Assert.Equal(before, Package(Batch(BatchPurchasing.Empty)));
        var json = Encoding.UTF8.GetString(before);
        Assert.DoesNotContain("implementation", json, StringComparison.Ordinal);
        Assert.DoesNotContain("payer", json, StringComparison.Ordinal);
        Assert.DoesNotContain("vbpPurchasingTruncated", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_cut_at_its_limit_is_said_in_the_release()
    {
        var cut = Purchasing with
        {
            Lines = Purchasing.Lines.Take(1).ToList(),
            AcceptedDeliveries = Purchasing.AcceptedDeliveries.Take(1).ToList(),
            Invoices = Purchasing.Invoices.Take(1).ToList(),
            Payments = Purchasing.Payments.Take(1).ToList(),
            Truncated = true,
        };

        var bytes = Package(Batch(cut));

        await OcdsSchema.AssertValidAsync(bytes);
        using var document = JsonDocument.Parse(bytes);
        var release = Assert.Single(document.RootElement.GetProperty("releases").EnumerateArray().ToList());
        Assert.True(release.GetProperty("vbpPurchasingTruncated").GetBoolean());
        Assert.DoesNotContain(release.GetProperty("parties").EnumerateArray(), p => p.GetProperty("id").GetString() == Zhongshan);
    }

    // A batch beyond one read: the first package holds the first page and links to the next; the
    // page's package holds only contracts with the page's lines, each under the same ids, so the
    // releases merged give the implementation the whole read would have.
    [Fact]
    public async Task A_batch_beyond_one_read_is_published_in_pages_linked_by_next_that_merge_to_the_whole()
    {
        var first = Purchasing with
        {
            Lines = Purchasing.Lines.Take(1).ToList(),
            AcceptedDeliveries = Purchasing.AcceptedDeliveries.Take(1).ToList(),
            Invoices = Purchasing.Invoices.Take(1).ToList(),
            Payments = Purchasing.Payments.Take(1).ToList(),
            Truncated = true,
            Next = "CURSOR-1",
        };
        var second = Purchasing with
        {
            Lines = Purchasing.Lines.Skip(1).ToList(),
            AcceptedDeliveries = Purchasing.AcceptedDeliveries.Skip(1).ToList(),
            Invoices = Purchasing.Invoices.Skip(1).ToList(),
            Payments = Purchasing.Payments.Skip(1).ToList(),
        };
        static string PageUri(string after) => $"https://portal.example/api/batches/B/exports/ocds-implementation.json?after={after}";

        var firstPackage = OcdsExport.Build(Batch(first), PublishedAt, "国家医保局", "ocds-vbp001", PageUri);
        Assert.Equal(PageUri("CURSOR-1"), firstPackage.Links?.Next);
        var pagePackage = OcdsExport.BuildPurchasingPage(Batch(second), PublishedAt, "国家医保局", "ocds-vbp001", "CURSOR-1", PageUri);
        Assert.Null(pagePackage.Links);
        foreach (var package in new[] { firstPackage, pagePackage })
        {
            using var output = new MemoryStream();
            OcdsExport.Write(package, output);
            await OcdsSchema.AssertValidAsync(output.ToArray());
            Assert.Equal(package.Links is null, !Encoding.UTF8.GetString(output.ToArray()).Contains("\"links\"", StringComparison.Ordinal));
        }
        var page = Assert.Single(pagePackage.Releases);
        Assert.Equal(["implementation"], page.Tag);
        Assert.True(page.Tender is null && page.Awards is null && page.Bids is null, "a page holds contracts only");
        Assert.Equal(firstPackage.Releases[0].Ocid, page.Ocid);
        Assert.NotEqual(firstPackage.Releases[0].Id, page.Id);
        // Only the contract with lines on the page; the untouched agreement is in the first package alone.
        Assert.Equal([Ordered.ToString()], page.Contracts!.Select(c => c.Id));
        Assert.Contains(page.Parties, p => p.Id == Zhongshan);

        // Merged by id, the pages give the whole read's purchase orders and transactions.
        var whole = OcdsExport.Build(Batch(Purchasing), PublishedAt, "国家医保局", "ocds-vbp001").Releases[0].Contracts!.Single(c => c.Id == Ordered.ToString()).Implementation!;
        var merged = new[] { firstPackage.Releases[0], page }
            .SelectMany(r => r.Contracts!.Where(c => c.Id == Ordered.ToString()).Select(c => c.Implementation).OfType<OcdsImplementation>())
            .ToList();
        Assert.Equal(whole.VbpPurchaseOrders!.Select(o => o.Id).Order(), merged.SelectMany(i => i.VbpPurchaseOrders ?? []).Select(o => o.Id).Order());
        Assert.Equal(whole.Transactions!.Select(t => t.Id).Order(), merged.SelectMany(i => i.Transactions ?? []).Select(t => t.Id).Order());
    }

    private static OrderLine Line(Guid order, int lineNo, string hospital, long quantity, OrderLineState state, long shipped, long accepted) =>
        new(order, lineNo, hospital, Amlodipine, Huahai, OrderLineKind.Agreed, Ordered, quantity, 0, 0.1234m, "Pharmacy", OrderUrgency.Normal,
            null, state, PlacedAt, PlacedAt.AddHours(24), PlacedAt.AddHours(1), null, shipped, accepted, Shanghai, PlacedAt.AddHours(72));

    private static Delivery Delivery(Guid id, Guid order, int lineNo, string hospital, long quantity, long accepted, DateTimeOffset decidedAt) =>
        new(id, order, lineNo, hospital, Huahai, Huahai, $"LOT-{lineNo}", new DateOnly(2028, 6, 30), quantity, PlacedAt.AddHours(20),
            PlacedAt.AddDays(5), DeliveryState.Accepted, accepted, decidedAt, accepted < quantity ? DeliveryRejection.Damaged : null, false, 0.1234m);

    private static OcdsBatch Batch(BatchPurchasing? purchasing)
    {
        var windows = new TenderWindows(
            new DateTimeOffset(2025, 10, 1, 17, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2025, 11, 1, 17, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2025, 11, 2, 9, 0, 0, TimeSpan.FromHours(8)),
            10);
        var definition = new TenderBatchDefinition(
            Alliance.Id, "第十一批国家组织药品集中采购",
            [new BatchProduct(Amlodipine, 0.1500m)],
            [Shanghai, Guangdong], [Ruijin, Zhongshan],
            new RuleSetChoice("round11", new Dictionary<string, string>(), PriceConversion.National),
            windows, 24);
        var view = new TenderBatchView(BatchId, TenderBatchPhase.Awarded, definition, [new ProductVolumeTotal(Amlodipine, 370_001, 2)], 0, windows.OpeningTime);
        return new OcdsBatch(
            view,
            [new Product(Amlodipine, "氨氯地平", "片剂", new Specification("5mgx28", 28, 5m), [])],
            [new Manufacturer(Huahai, "华海药业", null), new Manufacturer(Qilu, "齐鲁制药", null)],
            null,
            null,
            Agreements,
            Alliance)
        {
            Purchasing = purchasing,
            Hospitals = [new Hospital(Ruijin, "上海瑞金医院", Shanghai)],
        };
    }

    private static byte[] Package(OcdsBatch batch)
    {
        using var output = new MemoryStream();
        OcdsExport.Write(OcdsExport.Build(batch, PublishedAt, "国家医保局", "ocds-vbp001"), output);
        return output.ToArray();
    }
}
