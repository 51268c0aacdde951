using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Procurement.BidPortal.Api;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Awards;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Consumables;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// A brand intention naming a firm alone (no certificate, no model), on each database: stored
/// through the hospital grain and the upload (a sheet with the product cells empty, or without
/// those columns), read back as such by the hospital and in the demand and its pages, revised to a
/// product and back; awarded, the award input taking it without a product id and the allocation
/// giving the hospital its firm's winning bid. A certificate without a model, a model without a
/// certificate and a code without a product are refused naming the missing field, with nothing written.
/// </summary>
public abstract class ConsumableFirmOnlyIntentionTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";
    private const string StentCode = "C02010300412345067890123456";

    private static readonly UploadLimits Limits = new(10 * 1024 * 1024, 100_000, 50 * 1024 * 1024, 100);

    private static readonly string[] IntentionTables = ["events", "consumable_intentions", "consumable_intention_choices"];

    private ProcurementStore Store => fixture.Cluster.Database;

    private static string Hospital3(Scenario s) => $"H3-{s.Tag}";

    private static ConsumableLot StentLot() => new(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []);

    private static ConsumableLot HipLot() => new(Hip, "Ceramic-on-ceramic hip", "C03", 35_000m, ConsumablePurchaseUnit.System,
        [new ConsumableLotComponent("stem", "Femoral stem", 12_000m), new ConsumableLotComponent("cup", "Acetabular cup", null)]);

    /// <summary>A consumables batch in reporting (the custom rule set: no winner cap) with the scenario's hospitals and a third of region A.</summary>
    private static async Task<Scenario> ReportingAsync(Scenario s, params ConsumableLot[] lots)
    {
        await s.RegisterAsync();
        await s.Hospital(Hospital3(s)).RegisterAsync(new Hospital(Hospital3(s), "Hospital three", s.RegionA));
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            HospitalIds = [s.Hospital1, s.Hospital2, Hospital3(s)],
            Consumables = new ConsumableTerms(lots, "custom", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        return s;
    }

    private static ConsumableIntentionLine FirmOnly(string category, string maker, long quantity, params string[] choices) =>
        new(category, maker, null, null, null, quantity, choices, null);

    private static ConsumableIntentionLine WithProduct(string category, string maker, long quantity) =>
        new(category, maker, $"CERT-{maker}", $"MODEL-{maker}", null, quantity, [], null);

    private static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));

    private Task<List<(string HospitalId, string CategoryId, string? Certificate, string? Model, string? Code)>> StoredRowsAsync(string batchId) =>
        Store.ReadAsync(async c => (await c.QueryAsync<(string, string, string?, string?, string?)>(
            "SELECT hospital_id, category_id, certificate_number, model, consumable_code FROM consumable_intentions WHERE batch_id = @BatchId ORDER BY hospital_id, category_id",
            new { BatchId = batchId })).ToList());

    private async Task AssertNothingWrittenAsync(Dictionary<string, long> before)
    {
        var after = await TableCounts.ReadAsync(Store);
        foreach (var table in IntentionTables)
        {
            Assert.True(before[table] == after[table], $"{table}: {before[table]} rows before, {after[table]} after");
        }
    }

    [Fact]
    public async Task A_firm_only_intention_is_stored_through_the_grain_and_the_upload_read_back_and_revised()
    {
        var s = await ReportingAsync(new Scenario(fixture.Cluster.Client, fixture.Clock), StentLot(), HipLot());

        // Through the grain (the JSON form's path): no product, and a blank one as the page sends, are both stored as none.
        var stored = await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
            [FirmOnly(Stent, s.Maker1, 500, s.Maker2), FirmOnly(Hip, s.Maker2, 40) with { CertificateNumber = "", Model = " " }]);
        Assert.All(stored, i => Assert.Equal((null, null, null), (i.CertificateNumber, i.Model, i.ConsumableCode)));

        // Through the upload: a sheet without the product's columns, and an XLSX with its cells empty beside a row naming a product.
        var csv = await ConsumableIntentionUploadApi.ImportAsync(s.Hospital(s.Hospital2), s.BatchId,
            Csv($"category_id,manufacturer_id,annual_quantity,further_choices\n{Stent},{s.Maker2},300,{s.Maker1}\n"), xlsx: false, Limits);
        Assert.True(csv.Accepted, string.Join("; ", csv.Errors));
        var xlsxBody = new MemoryStream();
        xlsxBody.SaveAs(new[]
        {
            new Dictionary<string, object> { ["category_id"] = Stent, ["manufacturer_id"] = s.Maker3, ["certificate_number"] = "", ["model"] = "", ["annual_quantity"] = 200 },
            new Dictionary<string, object> { ["category_id"] = Hip, ["manufacturer_id"] = s.Maker1, ["certificate_number"] = "CERT-H", ["model"] = "HIP-1", ["annual_quantity"] = 20 },
        });
        xlsxBody.Position = 0;
        var xlsx = await ConsumableIntentionUploadApi.ImportAsync(s.Hospital(Hospital3(s)), s.BatchId, xlsxBody, xlsx: true, Limits);
        Assert.True(xlsx.Accepted, string.Join("; ", xlsx.Errors));

        // Read back: by each hospital, in the store (NULL, not empty text), in the demand and in its pages.
        var mine = Assert.Single(await s.Hospital(s.Hospital2).GetConsumableIntentionsAsync(s.BatchId));
        Assert.Equal((s.Maker2, (string?)null, (string?)null, 300L, 1), (mine.ManufacturerId, mine.CertificateNumber, mine.Model, mine.AnnualQuantity, mine.Revision));
        Assert.Equal([s.Maker1], mine.FurtherChoices);
        Assert.Equal(
            [
                (s.Hospital1, Hip, (string?)null, (string?)null, (string?)null), (s.Hospital1, Stent, null, null, null),
                (s.Hospital2, Stent, null, null, null),
                (Hospital3(s), Hip, "CERT-H", "HIP-1", null), (Hospital3(s), Stent, null, null, null),
            ],
            (await StoredRowsAsync(s.BatchId)).OrderBy(r => r.HospitalId, StringComparer.Ordinal).ThenBy(r => r.CategoryId, StringComparer.Ordinal));
        var demand = (await s.Batch.GetConsumableDemandAsync()).Categories.Single(c => c.CategoryId == Stent);
        Assert.Equal((1_000L, 3), (demand.TotalQuantity, demand.Hospitals));
        Assert.Equal([(s.Maker1, 500L), (s.Maker2, 300L), (s.Maker3, 200L)], demand.Firms.Select(f => (f.ManufacturerId, f.Quantity)));
        Assert.All(demand.Intentions, i => Assert.Null(i.CertificateNumber));
        var paged = new List<ConsumableIntention>();
        string? cursor = null;
        do
        {
            var page = await s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(null, cursor, 2));
            paged.AddRange(page.Intentions);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(
            (await s.Batch.GetConsumableDemandAsync()).Categories.SelectMany(c => c.Intentions).Select(Key).OrderBy(k => k, StringComparer.Ordinal),
            paged.Select(Key).OrderBy(k => k, StringComparer.Ordinal));

        // Revised to a product (with its code) and back to the firm alone: each a revision, the product cleared.
        var withProduct = Assert.Single(await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
            [WithProduct(Stent, s.Maker1, 500) with { ConsumableCode = StentCode }]));
        Assert.Equal(($"CERT-{s.Maker1}", $"MODEL-{s.Maker1}", StentCode, 2), (withProduct.CertificateNumber, withProduct.Model, withProduct.ConsumableCode, withProduct.Revision));
        var back = Assert.Single(await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId, [FirmOnly(Stent, s.Maker1, 450)]));
        Assert.Equal(((string?)null, (string?)null, (string?)null, 450L, 3), (back.CertificateNumber, back.Model, back.ConsumableCode, back.AnnualQuantity, back.Revision));
        Assert.Contains((s.Hospital1, Stent, (string?)null, (string?)null, (string?)null), await StoredRowsAsync(s.BatchId));
    }

    [Fact]
    public async Task Half_a_product_or_a_code_without_one_is_refused_naming_the_missing_field_and_nothing_is_written()
    {
        var s = await ReportingAsync(new Scenario(fixture.Cluster.Client, fixture.Clock), StentLot(), HipLot());
        var hospital = s.Hospital(s.Hospital1);
        var kept = Assert.Single(await hospital.SubmitConsumableIntentionsAsync(s.BatchId, [FirmOnly(Stent, s.Maker1, 500)]));
        var before = await TableCounts.ReadAsync(Store);

        Task Submit(params ConsumableIntentionLine[] lines) => hospital.SubmitConsumableIntentionsAsync(s.BatchId, lines);
        await Refused.WithAsync(ErrorCodes.ConsumableProductIncomplete, () => Submit(FirmOnly(Stent, s.Maker1, 1) with { CertificateNumber = "CERT-1" }), "lines[0].model");
        await Refused.WithAsync(ErrorCodes.ConsumableProductIncomplete, () => Submit(FirmOnly(Stent, s.Maker1, 1) with { CertificateNumber = "CERT-1", Model = " " }), "lines[0].model");
        await Refused.WithAsync(ErrorCodes.ConsumableProductIncomplete, () => Submit(FirmOnly(Stent, s.Maker1, 1) with { Model = "DES-1" }), "lines[0].certificateNumber");
        await Refused.WithAsync(ErrorCodes.ConsumableProductIncomplete,
            () => Submit(FirmOnly(Hip, s.Maker2, 4), FirmOnly(Stent, s.Maker1, 1) with { ConsumableCode = StentCode }), "lines[1].consumableCode");
        await Refused.WithAsync(ErrorCodes.ConsumableProductIncomplete,
            () => Submit(FirmOnly(Stent, s.Maker1, 1) with { Model = "DES-1", ConsumableCode = StentCode }), "lines[0].certificateNumber");
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => Submit(FirmOnly(Stent, s.Maker1, 1) with { CertificateNumber = "CERT-1", Model = new string('m', 201) }), "lines[0].model");
        await AssertNothingWrittenAsync(before);

        // The upload reports every such row with its column and code, and writes nothing.
        var refused = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv($"""
            category_id,manufacturer_id,certificate_number,model,annual_quantity,consumable_code
            {Stent},{s.Maker1},CERT-1,,500,
            {Hip},{s.Maker2},,HIP-1,40,
            {Stent},{s.Maker3},,,10,{StentCode}
            """), xlsx: false, Limits);
        Assert.False(refused.Accepted);
        Assert.Empty(refused.Intentions);
        Assert.Equal(
            [(1, "model", ErrorCodes.ConsumableProductIncomplete), (2, "certificate_number", ErrorCodes.ConsumableProductIncomplete),
             (3, "category_id", ErrorCodes.InvalidField), (3, "consumable_code", ErrorCodes.ConsumableProductIncomplete)],
            refused.Errors.Select(e => (e.Row, e.Field, e.Code)));
        await AssertNothingWrittenAsync(before);
        Assert.Equal(Key(kept), Key(Assert.Single(await hospital.GetConsumableIntentionsAsync(s.BatchId))));
    }

    [Fact]
    public async Task A_firm_only_intention_is_awarded_its_firms_winning_bid()
    {
        var s = await ReportingAsync(new Scenario(fixture.Cluster.Client, fixture.Clock), StentLot());
        // H1 intends M1's stents (any of its products), H2 M2's named product, H3 M3 (which does not bid) with M1 next.
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId, [FirmOnly(Stent, s.Maker1, 500)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId, [WithProduct(Stent, s.Maker2, 300)]);
        await s.Hospital(Hospital3(s)).SubmitConsumableIntentionsAsync(s.BatchId, [FirmOnly(Stent, s.Maker3, 200, s.Maker1)]);
        await s.Batch.CloseVolumeReportingAsync();
        await s.Batch.OpenBiddingAsync();
        foreach (var maker in new[] { s.Maker1, s.Maker2 })
        {
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Stent, true, 0, false, null));
        }
        BidContent Bid(string maker, decimal price) =>
            new(s.BatchId, Stent, "", price, 90_000, [s.RegionA, s.RegionB]) { Consumable = new ConsumableOffer($"CERT-{maker}", $"MODEL-{maker}", null, []) };
        var m1 = await s.Bidder(s.Maker1).SubmitBidAsync("f1", Bid(s.Maker1, 600m));
        var m2 = await s.Bidder(s.Maker2).SubmitBidAsync("f2", Bid(s.Maker2, 400m));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();

        // The award input takes the firm-only intentions without a product id.
        var input = await fixture.Cluster.SiloServices.GetRequiredService<ConsumableAwardInputReader>().LoadInputAsync(s.BatchId);
        Assert.Equal(
            [(s.Hospital1, s.Maker1, (string?)null), (s.Hospital2, s.Maker2, $"CERT-{s.Maker2}/MODEL-{s.Maker2}"), (Hospital3(s), s.Maker3, null)],
            input.Intentions.OrderBy(i => i.HospitalId, StringComparer.Ordinal).Select(i => (i.HospitalId, i.IntendedFirmId, i.IntendedProductId)));
        Assert.Empty(ConsumableInputValidator.Problems(input));

        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(s.Batch);
        Assert.Equal((TenderBatchPhase.Publicity, null), (view.Phase, view.AwardStatus));
        var award = (await s.Batch.GetAwardAsync())!;
        Assert.Equal("passed", award.Check!.Verdict);

        // Both bids win (custom: one group, 600 within 1.8 x 400, no cap). H1 is supplied by its firm's winning bid on
        // its first choice, not moved; H3's firm did not bid, so it goes to its next listed choice, M1.
        Assert.Equal(
            [
                (s.Hospital1, (Guid?)m1.BidId, 500L, "FirstChoice", (string?)null),
                (s.Hospital2, m2.BidId, 300L, "FirstChoice", null),
                (Hospital3(s), m1.BidId, 200L, "FirstChoice", ChooseAgainReasons.FirmDidNotBid),
            ],
            award.Consumables!.Supplies.OrderBy(p => p.HospitalId, StringComparer.Ordinal)
                .Select(p => (p.HospitalId, p.BidId, p.Quantity, p.ChoiceKind, p.ChoseAgainReason)));
        var h1 = Assert.Single(await s.Batch.GetHospitalAllocationsAsync(s.Hospital1));
        Assert.Equal((m1.BidId, s.Maker1, 500L, true), (h1.PrimaryBidId, h1.PrimaryManufacturerId, h1.AgreedVolume, h1.NamedBrand));
    }

    /// <summary>What an intention states, as text to compare (its time left out: the store may keep it at its own precision).</summary>
    private static string Key(ConsumableIntention i) =>
        $"{i.CategoryId}|{i.HospitalId}|{i.ManufacturerId}|{i.CertificateNumber ?? "(none)"}|{i.Model ?? "(none)"}|{i.ConsumableCode}|{i.AnnualQuantity}|{string.Join(";", i.FurtherChoices)}|r{i.Revision}";
}

public sealed class SqliteConsumableFirmOnlyIntentionTests(SqliteClusterFixture fixture) : ConsumableFirmOnlyIntentionTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableFirmOnlyIntentionTests(PostgresClusterFixture fixture) : ConsumableFirmOnlyIntentionTests(fixture), IClassFixture<PostgresClusterFixture>;
