using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using Procurement.BidPortal.Exports;
using Procurement.Contracts.Domain;
using Procurement.Tests.Portal.Ocds;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The portal's exports read back with the libraries a consumer would use: CSV with CsvHelper,
/// XLSX with MiniExcel, OCDS with System.Text.Json. A small award by hand: two products, two
/// regions, two winners (one of them 华海药业) and a loser; unit prices with four decimals so a
/// detour through binary floating point would show.
/// </summary>
public sealed class ExportTests
{
    private const string BatchId = "B2025-01";
    private const string OcidPrefix = "ocds-vbp001";
    private const string Huahai = "M-HUAHAI";
    private const string Qilu = "M-QILU";
    private const string Loser = "M-LOSER";
    private const string Amlodipine = "P-AML";
    private const string Metformin = "P-MET";
    private const string Shanghai = "310000";
    private const string Guangdong = "440000";

    private static readonly DateTimeOffset ProposedAt = new(2025, 11, 20, 9, 30, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset PublishedAt = new(2026, 2, 3, 10, 0, 0, TimeSpan.FromHours(8));

    private static readonly Guid AmlHuahaiBid = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid AmlQiluBid = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
    private static readonly Guid AmlLoserBid = Guid.Parse("00000000-0000-0000-0000-0000000000a3");
    private static readonly Guid MetHuahaiBid = Guid.Parse("00000000-0000-0000-0000-0000000000b1");
    private static readonly Guid MetQiluBid = Guid.Parse("00000000-0000-0000-0000-0000000000b2");

    private static readonly IReadOnlyList<Product> Products =
    [
        new(Amlodipine, "氨氯地平", "片剂", new Specification("5mgx28", 28, 5m), []),
        new(Metformin, "Metformin", "Tablet", new Specification("500mgx60", 60, 500m), []),
    ];

    private static readonly IReadOnlyList<Manufacturer> Manufacturers =
    [
        new(Huahai, "华海药业", null),
        new(Qilu, "齐鲁制药", null),
        new(Loser, "Dear \"Generic\", Ltd", "G-1"),
    ];

    private static readonly Alliance Alliance = new("A-NAT", "国家组织药品联合采购办公室", [new(Shanghai, "上海"), new(Guangdong, "广东")]);

    private static readonly IReadOnlyList<AwardAllocation> Allocations =
    [
        Allocation(Amlodipine, Shanghai, AmlHuahaiBid, Huahai, AmlQiluBid, Qilu, 120_000, 0.1234m),
        Allocation(Amlodipine, Guangdong, AmlQiluBid, Qilu, AmlHuahaiBid, Huahai, 250_001, 0.1299m),
        Allocation(Metformin, Shanghai, MetQiluBid, Qilu, MetHuahaiBid, Huahai, 80_000, 0.0457m),
        Allocation(Metformin, Guangdong, MetHuahaiBid, Huahai, null, null, 95_500, 0.0431m),
    ];

    private static readonly IReadOnlyList<AwardStatement> Statements =
    [
        new(AmlHuahaiBid, Amlodipine, Huahai, 0.1234m, 0.1234m, 1.0000m, 1, true, "WON_WITHIN_RATIO", "round11: ratio <= 1.8, \"anchor\" = lowest", null, 0.1234m, 3.4552m),
        new(AmlQiluBid, Amlodipine, Qilu, 0.1299m, 0.1234m, 1.0527m, 2, true, "WON_WITHIN_RATIO", "round11: ratio <= 1.8, \"anchor\" = lowest", null, 0.1299m, 3.6372m),
        new(AmlLoserBid, Amlodipine, Loser, 0.9000m, 0.1234m, 7.2934m, 3, false, "LOST_ABOVE_RATIO", "round11: ratio <= 1.8", 0.2000m, null, null),
        new(MetHuahaiBid, Metformin, Huahai, 0.0431m, 0.0431m, 1.0000m, 1, true, "WON_WITHIN_RATIO", "round11: ratio <= 1.8", null, 0.0431m, 2.586m),
        new(MetQiluBid, Metformin, Qilu, 0.0457m, null, null, null, true, "WON_UNIT_PRICE_THRESHOLD", "round11: unit price <= 0.1246", null, 0.0457m, 2.742m),
    ];

    private static readonly AwardView Award = new(
        Guid.Parse("11111111-2222-3333-4444-555555555555"), BatchId, "cost-optimal", "round11", "Optimal",
        Allocations.Sum(a => a.Amount), Allocations.Sum(a => a.Amount), 0.0, TimeSpan.FromSeconds(2.5), "{}",
        ProposedAt, Statements, Allocations);

    private static readonly Guid TakenOverId = Guid.Parse("22222222-0000-0000-0000-000000000001");

    private static readonly IReadOnlyList<Agreement> Agreements =
    [
        new(TakenOverId, BatchId, Amlodipine, Shanghai, Huahai, AmlHuahaiBid, AmlQiluBid, Qilu, 120_000, 0.1234m, 14_808.0000m,
            new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 1), AgreementState.TakenOver, 1, null, "供应中断, \"停产\"\n第二行", 12),
        new(Guid.Parse("22222222-0000-0000-0000-000000000002"), BatchId, Amlodipine, Shanghai, Qilu, AmlQiluBid, null, null, 100_000, 0.1299m, 12_990.0000m,
            new DateOnly(2026, 3, 1), new DateOnly(2028, 1, 1), AgreementState.Active, 2, TakenOverId, null, 12),
        new(Guid.Parse("22222222-0000-0000-0000-000000000003"), BatchId, Amlodipine, Guangdong, Qilu, AmlQiluBid, AmlHuahaiBid, Huahai, 250_001, 0.1299m, 32_475.1299m,
            new DateOnly(2026, 1, 1), new DateOnly(2028, 1, 1), AgreementState.Expiring, 1, null, null, 30),
        new(Guid.Parse("22222222-0000-0000-0000-000000000004"), BatchId, Metformin, Shanghai, Qilu, MetQiluBid, MetHuahaiBid, Huahai, 80_000, 0.0457m, 3_656.0000m,
            new DateOnly(2026, 1, 1), new DateOnly(2028, 1, 1), AgreementState.Active, 1, null, null, 12),
        new(Guid.Parse("22222222-0000-0000-0000-000000000005"), BatchId, Metformin, Guangdong, Huahai, MetHuahaiBid, null, null, 95_500, 0.0431m, 4_116.0500m,
            new DateOnly(2026, 1, 1), new DateOnly(2028, 1, 1), AgreementState.Suspended, 1, null, "质量抽检", 30),
    ];

    private static readonly IReadOnlyList<OpenedBid> Bids =
    [
        Bid(AmlHuahaiBid, Huahai, Amlodipine, "5mgx28", 3.4552m, 0.1234m),
        Bid(AmlQiluBid, Qilu, Amlodipine, "5mgx28", 3.6372m, 0.1299m),
        Bid(AmlLoserBid, Loser, Amlodipine, "5mgx28", 25.2m, 0.9000m),
        Bid(MetHuahaiBid, Huahai, Metformin, "500mgx60", 2.586m, 0.0431m),
        Bid(MetQiluBid, Qilu, Metformin, "500mgx60", 2.742m, 0.0457m),
    ];

    private static readonly string[] AllocationHeader =
    [
        "product_id", "region_code", "primary_manufacturer_id", "primary_bid_id", "spare_manufacturer_id", "spare_bid_id",
        "agreed_volume", "unit_price", "amount",
    ];

    private static readonly string[] StatementHeader =
    [
        "bid_id", "product_id", "manufacturer_id", "unit_comparable_price", "anchor", "ratio_to_anchor", "rank", "won",
        "reason", "rule", "revival_unit_price", "awarded_unit_price", "awarded_price_per_pack",
    ];

    private static readonly string[] AgreementHeader =
    [
        "agreement_id", "batch_id", "product_id", "region_code", "manufacturer_id", "bid_id", "spare_manufacturer_id",
        "spare_bid_id", "annual_volume", "unit_price", "annual_amount", "start", "end", "state", "version",
        "previous_agreement_id", "state_reason", "hospitals",
    ];

    [Fact]
    public void Allocations_csv_has_a_bom_the_snake_case_header_and_every_value_exact()
    {
        var bytes = ExportFiles.Write(s => AwardExport.WriteAllocationsCsv(Award, s));

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var (header, rows) = ExportFiles.ReadCsv(bytes);
        Assert.Equal(AllocationHeader, header);
        Assert.Equal(Allocations.Count, rows.Count);
        for (var i = 0; i < Allocations.Count; i++)
        {
            var a = Allocations[i];
            var row = rows[i];
            Assert.Equal(a.ProductId, row["product_id"]);
            Assert.Equal(a.RegionCode, row["region_code"]);
            Assert.Equal(a.PrimaryManufacturerId, row["primary_manufacturer_id"]);
            Assert.Equal(a.PrimaryBidId, Guid.Parse(row["primary_bid_id"]));
            Assert.Equal(a.SpareManufacturerId ?? "", row["spare_manufacturer_id"]);
            Assert.Equal(a.SpareBidId?.ToString() ?? "", row["spare_bid_id"]);
            Assert.Equal(a.AgreedVolume, long.Parse(row["agreed_volume"], CultureInfo.InvariantCulture));
            Assert.Equal(a.UnitPrice, decimal.Parse(row["unit_price"], CultureInfo.InvariantCulture));
            Assert.Equal(a.Amount, decimal.Parse(row["amount"], CultureInfo.InvariantCulture));
        }

        Assert.Equal("0.1234", rows[0]["unit_price"]);
        Assert.Equal("32475.1299", rows[1]["amount"]);
    }

    [Fact]
    public void Statements_csv_quotes_by_rfc_4180_and_keeps_nulls_empty()
    {
        var bytes = ExportFiles.Write(s => AwardExport.WriteStatementsCsv(Award, s));

        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"round11: ratio <= 1.8, \"\"anchor\"\" = lowest\"", text);
        Assert.Contains("\r\n", text);
        var (header, rows) = ExportFiles.ReadCsv(bytes);
        Assert.Equal(StatementHeader, header);
        Assert.Equal(Statements.Count, rows.Count);
        for (var i = 0; i < Statements.Count; i++)
        {
            var s = Statements[i];
            var row = rows[i];
            Assert.Equal(s.BidId, Guid.Parse(row["bid_id"]));
            Assert.Equal(s.ProductId, row["product_id"]);
            Assert.Equal(s.ManufacturerId, row["manufacturer_id"]);
            Assert.Equal(s.UnitComparablePrice, decimal.Parse(row["unit_comparable_price"], CultureInfo.InvariantCulture));
            Assert.Equal(s.Anchor, NullableDecimal(row["anchor"]));
            Assert.Equal(s.RatioToAnchor, NullableDecimal(row["ratio_to_anchor"]));
            Assert.Equal(s.Rank?.ToString(CultureInfo.InvariantCulture) ?? "", row["rank"]);
            Assert.Equal(s.Won, bool.Parse(row["won"]));
            Assert.Equal(s.Reason, row["reason"]);
            Assert.Equal(s.Rule, row["rule"]);
            Assert.Equal(s.RevivalUnitPrice, NullableDecimal(row["revival_unit_price"]));
            Assert.Equal(s.AwardedUnitPrice, NullableDecimal(row["awarded_unit_price"]));
            Assert.Equal(s.AwardedPricePerPack, NullableDecimal(row["awarded_price_per_pack"]));
        }
    }

    [Fact]
    public void An_empty_award_still_writes_the_header()
    {
        var bytes = ExportFiles.Write(s => AwardExport.WriteAllocationsCsv(Award with { Allocations = [] }, s));

        var (header, rows) = ExportFiles.ReadCsv(bytes);
        Assert.Equal(AllocationHeader, header);
        Assert.Empty(rows);
    }

    [Fact]
    public void Agreements_csv_has_every_field_and_chinese_text_with_quotes_and_newlines_round_trips()
    {
        var bytes = ExportFiles.Write(s => AgreementExport.WriteCsv(Agreements, s));

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var (header, rows) = ExportFiles.ReadCsv(bytes);
        Assert.Equal(AgreementHeader, header);
        Assert.Equal(Agreements.Count, rows.Count);
        for (var i = 0; i < Agreements.Count; i++)
        {
            var a = Agreements[i];
            var row = rows[i];
            Assert.Equal(a.AgreementId, Guid.Parse(row["agreement_id"]));
            Assert.Equal(a.BatchId, row["batch_id"]);
            Assert.Equal(a.ProductId, row["product_id"]);
            Assert.Equal(a.RegionCode, row["region_code"]);
            Assert.Equal(a.ManufacturerId, row["manufacturer_id"]);
            Assert.Equal(a.BidId, Guid.Parse(row["bid_id"]));
            Assert.Equal(a.SpareManufacturerId ?? "", row["spare_manufacturer_id"]);
            Assert.Equal(a.SpareBidId?.ToString() ?? "", row["spare_bid_id"]);
            Assert.Equal(a.AnnualVolume, long.Parse(row["annual_volume"], CultureInfo.InvariantCulture));
            Assert.Equal(a.UnitPrice, decimal.Parse(row["unit_price"], CultureInfo.InvariantCulture));
            Assert.Equal(a.AnnualAmount, decimal.Parse(row["annual_amount"], CultureInfo.InvariantCulture));
            Assert.Equal(a.Start, DateOnly.ParseExact(row["start"], "yyyy-MM-dd", CultureInfo.InvariantCulture));
            Assert.Equal(a.End, DateOnly.ParseExact(row["end"], "yyyy-MM-dd", CultureInfo.InvariantCulture));
            Assert.Equal(a.State, Enum.Parse<AgreementState>(row["state"]));
            Assert.Equal(a.Version, int.Parse(row["version"], CultureInfo.InvariantCulture));
            Assert.Equal(a.PreviousAgreementId?.ToString() ?? "", row["previous_agreement_id"]);
            Assert.Equal(a.StateReason ?? "", row["state_reason"]);
            Assert.Equal(a.Hospitals, int.Parse(row["hospitals"], CultureInfo.InvariantCulture));
        }

        Assert.Equal("2026-03-01", rows[0]["end"]);
        Assert.Equal("TakenOver", rows[0]["state"]);
        Assert.Equal("32475.1299", rows[2]["annual_amount"]);
    }

    [Fact]
    public void Award_workbook_has_the_two_sheets_of_a_region_level_award_with_numbers_as_numbers()
    {
        using var output = new MemoryStream();
        AwardExport.WriteXlsx(Award, output);

        Assert.True(output.CanWrite, "the export must leave the caller's stream open");
        var bytes = output.ToArray();
        Assert.Equal(["Allocations", "Statements"], MiniExcel.GetSheetNames(new MemoryStream(bytes)));

        var allocations = ReadSheet(bytes, "Allocations");
        Assert.Equal(Allocations.Count, allocations.Count);
        Assert.Equal(AllocationHeader, allocations[0].Keys);
        for (var i = 0; i < Allocations.Count; i++)
        {
            var a = Allocations[i];
            var row = allocations[i];
            Assert.Equal(a.ProductId, row["product_id"]);
            Assert.Equal(a.RegionCode, row["region_code"]);
            Assert.Equal(a.PrimaryManufacturerId, row["primary_manufacturer_id"]);
            Assert.Equal(a.PrimaryBidId.ToString(), row["primary_bid_id"]);
            Assert.Equal(a.SpareManufacturerId, row["spare_manufacturer_id"]);
            Assert.Equal(a.AgreedVolume, Convert.ToInt64(Assert.IsType<double>(row["agreed_volume"])));
            Assert.Equal(a.UnitPrice, Convert.ToDecimal(Assert.IsType<double>(row["unit_price"])));
            Assert.Equal(a.Amount, Convert.ToDecimal(Assert.IsType<double>(row["amount"])));
        }

        var statements = ReadSheet(bytes, "Statements");
        Assert.Equal(Statements.Count, statements.Count);
        Assert.Equal(StatementHeader, statements[0].Keys);
        Assert.Equal("WON_UNIT_PRICE_THRESHOLD", statements[4]["reason"]);
        Assert.Null(statements[4]["anchor"]);
        Assert.Equal(7.2934m, Convert.ToDecimal(Assert.IsType<double>(statements[2]["ratio_to_anchor"])));
        Assert.Equal(Statements[0].Rule, statements[0]["rule"]);
    }

    [Fact]
    public void A_hospital_level_award_adds_the_hospital_summary_sheet()
    {
        AwardHospitalSummary[] summary =
        [
            new(Amlodipine, Shanghai, AmlHuahaiBid, Huahai, 7, 2, 70_000, 8_638.0000m),
            new(Amlodipine, Shanghai, AmlQiluBid, Qilu, 5, 0, 50_000, 6_495.0000m),
            new(Metformin, Guangdong, MetHuahaiBid, Huahai, 30, 4, 95_500, 4_116.0500m),
        ];
        var award = Award with { Allocations = [], HospitalSummary = summary };

        var bytes = ExportFiles.Write(s => AwardExport.WriteXlsx(award, s));

        Assert.Equal(["Allocations", "Statements", "HospitalSummary"], MiniExcel.GetSheetNames(new MemoryStream(bytes)));
        var rows = ReadSheet(bytes, "HospitalSummary");
        Assert.Equal(summary.Length, rows.Count);
        Assert.Equal(
            ["product_id", "region_code", "primary_manufacturer_id", "primary_bid_id", "hospitals", "named_brand_hospitals", "agreed_volume", "amount"],
            rows[0].Keys);
        for (var i = 0; i < summary.Length; i++)
        {
            Assert.Equal(summary[i].PrimaryManufacturerId, rows[i]["primary_manufacturer_id"]);
            Assert.Equal(summary[i].Hospitals, Convert.ToInt32(rows[i]["hospitals"], CultureInfo.InvariantCulture));
            Assert.Equal(summary[i].NamedBrandHospitals, Convert.ToInt32(rows[i]["named_brand_hospitals"], CultureInfo.InvariantCulture));
            Assert.Equal(summary[i].Amount, Convert.ToDecimal(Assert.IsType<double>(rows[i]["amount"])));
        }
    }

    [Fact]
    public void Agreement_workbook_has_one_sheet_with_every_agreement()
    {
        var bytes = ExportFiles.Write(s => AgreementExport.WriteXlsx(Agreements, s));

        Assert.Equal(["Agreements"], MiniExcel.GetSheetNames(new MemoryStream(bytes)));
        var rows = ReadSheet(bytes, "Agreements");
        Assert.Equal(Agreements.Count, rows.Count);
        Assert.Equal(AgreementHeader, rows[0].Keys);
        for (var i = 0; i < Agreements.Count; i++)
        {
            var a = Agreements[i];
            Assert.Equal(a.AgreementId.ToString(), rows[i]["agreement_id"]);
            Assert.Equal(a.AnnualAmount, Convert.ToDecimal(Assert.IsType<double>(rows[i]["annual_amount"])));
            Assert.Equal(a.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), rows[i]["start"]);
            Assert.Equal(a.State.ToString(), rows[i]["state"]);
            Assert.Equal(a.StateReason, rows[i]["state_reason"]);
            Assert.Equal(a.PreviousAgreementId?.ToString(), rows[i]["previous_agreement_id"]);
        }
    }

    [Theory]
    [InlineData(TenderBatchPhase.Draft, false, "planning", "planning")]
    [InlineData(TenderBatchPhase.VolumeReporting, false, "planning", "planning")]
    [InlineData(TenderBatchPhase.VolumeReportingClosed, false, "planning", "planning")]
    [InlineData(TenderBatchPhase.Bidding, false, "tender", "active")]
    [InlineData(TenderBatchPhase.Opened, false, "tender", "active")]
    [InlineData(TenderBatchPhase.Publicity, false, "award", "active")]
    [InlineData(TenderBatchPhase.Awarded, false, "award", "complete")]
    [InlineData(TenderBatchPhase.Awarded, true, "contract", "complete")]
    public void Ocds_release_tag_and_tender_status_follow_the_phase(TenderBatchPhase phase, bool withAgreements, string tag, string tenderStatus)
    {
        var release = Release(Batch(phase, withAgreements));

        Assert.Equal([tag], release.GetProperty("tag").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(tenderStatus, release.GetProperty("tender").GetProperty("status").GetString());
        Assert.Equal($"{OcidPrefix}-{BatchId}", release.GetProperty("ocid").GetString());
        Assert.StartsWith($"{BatchId}-", release.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("-20260203T020000Z", release.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("tender", release.GetProperty("initiationType").GetString());
    }

    [Theory]
    [InlineData(TenderBatchPhase.Bidding)]
    [InlineData(TenderBatchPhase.Opened)]
    public void Ocds_publishes_no_prices_before_the_opening_and_no_award_before_publicity(TenderBatchPhase phase)
    {
        var release = Release(Batch(phase, withAgreements: false));

        Assert.Equal(phase == TenderBatchPhase.Opened, release.TryGetProperty("bids", out _));
        Assert.False(release.TryGetProperty("awards", out _));
        Assert.False(release.TryGetProperty("contracts", out _));
        var parties = release.GetProperty("parties").EnumerateArray().ToList();
        Assert.DoesNotContain(parties, p => p.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "supplier"));
    }

    [Fact]
    public void Ocds_package_of_an_awarded_batch_links_awards_contracts_and_parties()
    {
        var package = OcdsExport.Build(Batch(TenderBatchPhase.Awarded, withAgreements: true), PublishedAt, "国家医保局", OcidPrefix);
        var bytes = ExportFiles.Write(s => OcdsExport.Write(package, s));
        var json = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"name\": \"华海药业\"", json);
        Assert.Contains("\"name\": \"Dear \\\"Generic\\\", Ltd\"", json);
        Assert.DoesNotContain(": null", json);

        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        Assert.Equal("1.1", root.GetProperty("version").GetString());
        Assert.Equal("国家医保局", root.GetProperty("publisher").GetProperty("name").GetString());
        Assert.Contains(OcdsExport.VbpExtensionUri, root.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(PublishedAt, root.GetProperty("publishedDate").GetDateTimeOffset());
        var release = Assert.Single(root.GetProperty("releases").EnumerateArray().ToList());
        Assert.Equal("ocds-vbp001-B2025-01", release.GetProperty("ocid").GetString());

        var parties = release.GetProperty("parties").EnumerateArray()
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList());
        Assert.Equal(["buyer", "procuringEntity"], parties[Alliance.Id]);
        Assert.Equal(["tenderer", "supplier"], parties[Huahai]);
        Assert.Equal(["tenderer", "supplier"], parties[Qilu]);
        Assert.Equal(["tenderer"], parties[Loser]);
        Assert.Equal(Alliance.Id, release.GetProperty("buyer").GetProperty("id").GetString());

        var tender = release.GetProperty("tender");
        Assert.Equal("Volume-based procurement (rule set round11)", tender.GetProperty("procurementMethodDetails").GetString());
        Assert.Equal(3, tender.GetProperty("numberOfTenderers").GetInt32());
        var items = tender.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([Amlodipine, Metformin], items.Select(i => i.GetProperty("id").GetString()!));
        Assert.Equal("x_VBP", items[0].GetProperty("classification").GetProperty("scheme").GetString());
        Assert.Equal("5mgx28", items[0].GetProperty("unit").GetProperty("name").GetString());
        Assert.Equal(0.1500m, items[0].GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal("CNY", items[0].GetProperty("unit").GetProperty("value").GetProperty("currency").GetString());

        var bids = release.GetProperty("bids").GetProperty("details").EnumerateArray().ToList();
        Assert.Equal(Bids.Count, bids.Count);
        var loserBid = bids.Single(b => b.GetProperty("id").GetString() == AmlLoserBid.ToString());
        Assert.Equal(25.2m, loserBid.GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.False(loserBid.GetProperty("vbpWon").GetBoolean());
        Assert.Equal("valid", loserBid.GetProperty("status").GetString());
        // Each bid's receipt can be checked from the release alone: commitment and nonce are published.
        Assert.Equal(new string('a', 64), loserBid.GetProperty("vbpContentSha256").GetString());
        Assert.Equal(new string('b', 64), loserBid.GetProperty("vbpReceiptNonce").GetString());

        var awards = release.GetProperty("awards").EnumerateArray().ToList();
        var winners = Statements.Where(s => s.Won).Select(s => s.ManufacturerId).Distinct().Count();
        Assert.Equal(winners * Products.Count, awards.Count);
        Assert.All(awards, a => Assert.Equal("active", a.GetProperty("status").GetString()));
        Assert.Equal(Allocations.Sum(a => a.Amount), awards.Sum(a => a.GetProperty("value").GetProperty("amount").GetDecimal()));
        var supplierIds = awards.SelectMany(a => a.GetProperty("suppliers").EnumerateArray()).Select(s => s.GetProperty("id").GetString()!).ToList();
        Assert.All(supplierIds, id => Assert.Contains(id, parties.Keys));

        var huahaiAml = awards.Single(a => a.GetProperty("id").GetString() == OcdsExport.AwardId(BatchId, Amlodipine, Huahai));
        Assert.Equal(14_808.0000m, huahaiAml.GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal(120_000, huahaiAml.GetProperty("vbpAgreedVolume").GetInt64());
        Assert.Equal(0.1234m, huahaiAml.GetProperty("vbpUnitPrice").GetDecimal());
        Assert.Equal(3.4552m, huahaiAml.GetProperty("vbpPricePerPack").GetDecimal());
        var regions = huahaiAml.GetProperty("vbpRegions").EnumerateArray().ToList();
        Assert.Equal([(Shanghai, "primary"), (Guangdong, "spare")], regions.Select(r => (r.GetProperty("regionCode").GetString()!, r.GetProperty("role").GetString()!)));
        Assert.Equal(14_808.0000m, regions[0].GetProperty("amount").GetDecimal());
        Assert.False(regions[1].TryGetProperty("agreedVolume", out _));

        var contracts = release.GetProperty("contracts").EnumerateArray().ToList();
        Assert.Equal(Agreements.Count, contracts.Count);
        var awardIds = awards.Select(a => a.GetProperty("id").GetString()).ToHashSet();
        Assert.All(contracts, c => Assert.Contains(c.GetProperty("awardID").GetString(), awardIds));
        Assert.Equal(
            Agreements.Select(a => $"{BatchId}-{a.ProductId}-{a.ManufacturerId}"),
            contracts.Select(c => c.GetProperty("awardID").GetString()!));

        var takenOver = contracts[0];
        Assert.Equal("terminated", takenOver.GetProperty("status").GetString());
        Assert.Equal("takenOver", takenOver.GetProperty("vbpState").GetString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)), takenOver.GetProperty("period").GetProperty("startDate").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 59, 59, TimeSpan.FromHours(8)), takenOver.GetProperty("period").GetProperty("endDate").GetDateTimeOffset());
        var takeover = contracts[1];
        Assert.Equal("active", takeover.GetProperty("status").GetString());
        Assert.Equal(2, takeover.GetProperty("vbpAgreementVersion").GetInt32());
        Assert.Equal(TakenOverId.ToString(), takeover.GetProperty("vbpPreviousAgreementId").GetString());
        Assert.Equal(100_000, takeover.GetProperty("vbpAnnualVolume").GetInt64());
        Assert.Equal(Shanghai, takeover.GetProperty("vbpRegionCode").GetString());
        Assert.Equal(12_990.0000m, takeover.GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.Equal(32_475.1299m, contracts[2].GetProperty("value").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task Ocds_package_publishes_the_event_chain_head_and_validates_against_the_OCDS_1_1_5_schemas()
    {
        var head = new ChainHead(1_234, 98_765, "3f" + new string('0', 60) + "a1");
        var batch = Batch(TenderBatchPhase.Awarded, withAgreements: true) with { EventChainHead = head };

        var bytes = ExportFiles.Write(s => OcdsExport.Write(OcdsExport.Build(batch, PublishedAt, "国家医保局", OcidPrefix), s));

        using var document = JsonDocument.Parse(bytes);
        var published = Assert.Single(document.RootElement.GetProperty("releases").EnumerateArray().ToList()).GetProperty("vbpEventChainHead");
        Assert.Equal(1_234, published.GetProperty("length").GetInt64());
        Assert.Equal(98_765, published.GetProperty("eventId").GetInt64());
        Assert.Equal(head.Hash, published.GetProperty("hash").GetString());
        var schema = await OcdsSchema.PackageAsync();
        var json = Encoding.UTF8.GetString(bytes);
        var errors = schema.Validate(json);
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
        Assert.False(Release(Batch(TenderBatchPhase.Awarded, withAgreements: true)).TryGetProperty("vbpEventChainHead", out _));
        // The schema check bites: a package without its required version is refused.
        Assert.NotEmpty(schema.Validate(json.Replace("\"version\": \"1.1\",", "", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Ocds_package_of_a_consumables_batch_has_a_lot_per_category_with_its_items_and_validates()
    {
        var terms = new ConsumableTerms(
            [
                new ConsumableLot("DES-COCR", "Drug-eluting coronary stent, cobalt-chromium", "C0201", 2_850m, ConsumablePurchaseUnit.Unit, []),
                new ConsumableLot("HIP", "Total hip system", null, 35_000m, ConsumablePurchaseUnit.System,
                    [new ConsumableLotComponent("stem", "Femoral stem", 12_000m), new ConsumableLotComponent("cup", "Acetabular cup", null)]),
            ],
            "joints2021", new Dictionary<string, string>());
        var drugs = Batch(TenderBatchPhase.VolumeReporting, withAgreements: false);
        var batch = drugs with
        {
            View = drugs.View with { Definition = drugs.View.Definition! with { Consumables = terms } },
            ConsumableDemand = new ConsumableDemand(BatchId, TenderBatchPhase.VolumeReporting, [new ConsumableCategoryDemand("DES-COCR", "stent", 12_000, 3, [], [])]),
        };

        var bytes = ExportFiles.Write(s => OcdsExport.Write(OcdsExport.Build(batch, PublishedAt, "国家医保局", OcidPrefix), s));

        using var document = JsonDocument.Parse(bytes);
        Assert.Contains(OcdsExport.LotsExtensionUri, document.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        var tender = Assert.Single(document.RootElement.GetProperty("releases").EnumerateArray().ToList()).GetProperty("tender");
        Assert.Equal(["DES-COCR", "HIP"], tender.GetProperty("lots").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        var items = tender.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        var stent = items["DES-COCR"];
        Assert.Equal(("DES-COCR", "x_NHSA_MCS", "C0201", 12_000L, 2_850m),
            (stent.GetProperty("relatedLot").GetString(), stent.GetProperty("classification").GetProperty("scheme").GetString(),
             stent.GetProperty("classification").GetProperty("id").GetString(), stent.GetProperty("quantity").GetInt64(),
             stent.GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal()));
        Assert.Equal("system", items["HIP"].GetProperty("unit").GetProperty("name").GetString());
        Assert.False(items["HIP"].TryGetProperty("quantity", out _));
        Assert.Equal(12_000m, items["HIP/stem"].GetProperty("unit").GetProperty("value").GetProperty("amount").GetDecimal());
        Assert.All(new[] { "HIP", "HIP/stem", "HIP/cup" }, id => Assert.Equal("HIP", items[id].GetProperty("relatedLot").GetString()));
        // The drug products stay items of their own, with no lot.
        Assert.False(items[Amlodipine].TryGetProperty("relatedLot", out _));
        var schema = await OcdsSchema.PackageAsync();
        var errors = schema.Validate(Encoding.UTF8.GetString(bytes));
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
        // A drug batch names no lots extension.
        Assert.DoesNotContain(OcdsExport.LotsExtensionUri, Encoding.UTF8.GetString(ExportFiles.Write(s => OcdsExport.Write(OcdsExport.Build(drugs, PublishedAt, "国家医保局", OcidPrefix), s))));
    }

    [Fact]
    public void Ocds_awards_are_pending_during_publicity_and_a_rejected_price_marks_the_bid_disqualified()
    {
        var statements = Statements.Select(s => s.BidId == AmlLoserBid ? s with { Reason = "LOST_ABOVE_MAXIMUM_PRICE" } : s).ToList();
        var batch = Batch(TenderBatchPhase.Publicity, withAgreements: false) with { Award = Award with { Statements = statements } };

        var release = Release(batch);

        var awards = release.GetProperty("awards").EnumerateArray().ToList();
        Assert.Equal(4, awards.Count);
        Assert.All(awards, a => Assert.Equal("pending", a.GetProperty("status").GetString()));
        var loserBid = release.GetProperty("bids").GetProperty("details").EnumerateArray()
            .Single(b => b.GetProperty("id").GetString() == AmlLoserBid.ToString());
        Assert.Equal("disqualified", loserBid.GetProperty("status").GetString());
    }

    [Fact]
    public void Csv_text_cells_that_a_spreadsheet_would_run_are_neutralised_and_negative_numbers_stay_numbers()
    {
        var hostile = new AwardAllocation("-2+3", "=HYPERLINK(\"http://evil.example\")", AmlHuahaiBid, "@SUM(A1)", null, "+1", -10, 0.5m, -5.25m);
        var cells = new[] { "\tTAB", "\rCR" };
        var bytes = ExportFiles.Write(s => AwardExport.WriteAllocationsCsv(Award with { Allocations = [hostile, hostile with { ProductId = cells[0], RegionCode = cells[1] }] }, s));

        var (_, rows) = ExportFiles.ReadCsv(bytes);
        Assert.Equal("'-2+3", rows[0]["product_id"]);
        Assert.Equal("'=HYPERLINK(\"http://evil.example\")", rows[0]["region_code"]);
        Assert.Equal("'@SUM(A1)", rows[0]["primary_manufacturer_id"]);
        Assert.Equal("'+1", rows[0]["spare_manufacturer_id"]);
        Assert.Equal("'\tTAB", rows[1]["product_id"]);
        Assert.Equal("'\rCR", rows[1]["region_code"]);
        // Numeric columns are the system's own figures, never typed text: a negative stays a number.
        Assert.Equal("-10", rows[0]["agreed_volume"]);
        Assert.Equal("-5.25", rows[0]["amount"]);
        // XLSX text cells are text, never formulas: they keep what was stored.
        var xlsx = MiniExcel.Query(new MemoryStream(ExportFiles.Write(s => AwardExport.WriteXlsx(Award with { Allocations = [hostile] }, s))), useHeaderRow: true, sheetName: AwardExport.AllocationsSheet)
            .Cast<IDictionary<string, object>>().Single();
        Assert.Equal("-2+3", xlsx["product_id"]);
    }

    private static AwardAllocation Allocation(
        string product, string region, Guid primaryBid, string primary, Guid? spareBid, string? spare, long volume, decimal unitPrice) =>
        new(product, region, primaryBid, primary, spareBid, spare, volume, unitPrice, volume * unitPrice);

    private static OpenedBid Bid(Guid id, string manufacturer, string product, string spec, decimal pricePerPack, decimal unitPrice) =>
        new(id, manufacturer, manufacturer, new BidContent(BatchId, product, spec, pricePerPack, 10_000_000, [Shanghai, Guangdong]),
            unitPrice, 1, ProposedAt.AddDays(-10), new string('a', 64), new string('b', 64));

    private static OcdsBatch Batch(TenderBatchPhase phase, bool withAgreements)
    {
        var windows = new TenderWindows(
            new DateTimeOffset(2025, 10, 1, 17, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2025, 11, 1, 17, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2025, 11, 2, 9, 0, 0, TimeSpan.FromHours(8)),
            10);
        var definition = new TenderBatchDefinition(
            Alliance.Id, "第十一批国家组织药品集中采购",
            [new BatchProduct(Amlodipine, 0.1500m), new BatchProduct(Metformin, 0.0600m)],
            [Shanghai, Guangdong], ["H1", "H2"],
            new RuleSetChoice("round11", new Dictionary<string, string>(), PriceConversion.National),
            windows, 24);
        var opened = phase >= TenderBatchPhase.Opened;
        var view = new TenderBatchView(
            BatchId, phase, definition,
            [new ProductVolumeTotal(Amlodipine, 370_001, 2), new ProductVolumeTotal(Metformin, 175_500, 2)],
            Bids.Count, opened ? windows.OpeningTime : null);
        return new OcdsBatch(
            view, Products, Manufacturers,
            phase >= TenderBatchPhase.Bidding ? Bids : null,
            opened ? Award : null,
            withAgreements ? Agreements : [],
            Alliance);
    }

    private static JsonElement Release(OcdsBatch batch)
    {
        var bytes = ExportFiles.Write(s => OcdsExport.Write(OcdsExport.Build(batch, PublishedAt, "国家医保局", OcidPrefix), s));
        using var document = JsonDocument.Parse(bytes);
        return Assert.Single(document.RootElement.GetProperty("releases").EnumerateArray().ToList()).Clone();
    }


    private static List<IDictionary<string, object?>> ReadSheet(byte[] bytes, string sheet) =>
        MiniExcel.Query(new MemoryStream(bytes), useHeaderRow: true, sheetName: sheet)
            .Cast<IDictionary<string, object?>>()
            .ToList();

    private static decimal? NullableDecimal(string text) =>
        text.Length == 0 ? null : decimal.Parse(text, CultureInfo.InvariantCulture);
}
