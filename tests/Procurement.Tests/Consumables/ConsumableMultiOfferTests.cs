using System.Globalization;
using Dapper;
using MiniExcelLibs;
using Procurement.BidPortal.Exports;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Consumables;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Several products of one firm in a consumables category, each its own sealed bid under a public
/// offer number, on each database: sealed, amended, withdrawn and opened apart, the limit and the
/// repeats refused with nothing written, and a stent batch awarded from them: the firm's products
/// judged each on its own price (one wins, one loses, each with its statement), a hospital that named
/// the losing product kept with the firm's winning one, and agreements per winning bid x hospital.
/// The award's statement files name each bid by its offer number beside its id, with its group and
/// its firm's demand, the losing product's too.
/// </summary>
public abstract class ConsumableMultiOfferTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";

    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    private static string Hospital3(Scenario s) => $"H3-{s.Tag}";

    /// <summary>A stent batch in Bidding: H1 named M1's product B, H2 named M2 alone, H3 (region A) M1's product C; M1 and M2 qualified.</summary>
    private static async Task OpenBiddingAsync(Scenario s)
    {
        await s.RegisterAsync();
        await s.Hospital(Hospital3(s)).RegisterAsync(new Hospital(Hospital3(s), "Hospital three", s.RegionA));
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            HospitalIds = [s.Hospital1, s.Hospital2, Hospital3(s)],
            Consumables = new ConsumableTerms(
                [new ConsumableLot(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, [])], "custom", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker1, "CERT-B", "MODEL-B", null, 500, [], null)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker2, null, null, null, 300, [], null)]);
        await s.Hospital(Hospital3(s)).SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker1, "CERT-C", "MODEL-C", null, 80, [], null)]);
        await s.Batch.CloseVolumeReportingAsync();
        await s.Batch.OpenBiddingAsync();
        foreach (var maker in new[] { s.Maker1, s.Maker2 })
        {
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Stent, true, 0, false, null));
        }
    }

    private static BidContent Offer(Scenario s, int? offerNumber, decimal price, string product, long capacity = 90_000) =>
        new(s.BatchId, Stent, "", price, capacity, [s.RegionA, s.RegionB])
        {
            Consumable = new ConsumableOffer($"CERT-{product}", $"MODEL-{product}", null, []),
            OfferNumber = offerNumber,
        };

    private async Task OpenAsync(Scenario s)
    {
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();
    }

    [Fact]
    public async Task Two_offers_of_one_firm_are_sealed_apart_and_one_is_amended_and_another_withdrawn_leaving_the_rest_intact()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s);
        var m1 = s.Bidder(s.Maker1);
        var first = await m1.SubmitBidAsync("o1", Offer(s, null, 400m, "A"));
        var second = await m1.SubmitBidAsync("o2", Offer(s, 2, 760m, "B"));
        var third = await m1.SubmitBidAsync("o3", Offer(s, 3, 600m, "C", capacity: 100));
        Assert.Equal([(1, 1), (2, 1), (3, 1)], new[] { first, second, third }.Select(r => (r.OfferNumber, r.Version)));
        // Repeated, each request is answered with its own receipt; a request id reused for another offer number is refused.
        Assert.Equal(second, await m1.SubmitBidAsync("o2", Offer(s, 2, 760m, "B")));
        await Refused.WithAsync(ErrorCodes.RequestIdReused, () => m1.SubmitBidAsync("o2", Offer(s, 4, 760m, "B")), "clientRequestId");

        // Amending offer 2 (its number left out, or given as it is) changes offer 2 only.
        var amended = await m1.AmendBidAsync("o2-a", second.BidId, Offer(s, null, 740m, "B"));
        Assert.Equal((second.BidId, 2, 2), (amended.BidId, amended.OfferNumber, amended.Version));
        await Refused.WithAsync(ErrorCodes.InvalidField, () => m1.AmendBidAsync("o2-b", second.BidId, Offer(s, 3, 700m, "B")), "offerNumber");
        // Withdrawing offer 3 leaves offers 1 and 2 active; its number is free again.
        var withdrawn = await m1.WithdrawBidAsync("o3-w", third.BidId);
        Assert.Equal((BidAction.Withdrawn, 3), (withdrawn.Action, withdrawn.OfferNumber));
        var again = await m1.SubmitBidAsync("o3-again", Offer(s, 3, 610m, "C", capacity: 100));
        Assert.NotEqual(third.BidId, again.BidId);
        var mine = (await m1.ListBidsAsync()).Where(b => b.BatchId == s.BatchId).ToList();
        Assert.Equal(
            [(first.BidId, 1, BidStatus.Active, 1), (second.BidId, 2, BidStatus.Active, 2), (again.BidId, 3, BidStatus.Active, 1), (third.BidId, 3, BidStatus.Withdrawn, 2)],
            mine.OrderBy(b => b.OfferNumber).ThenBy(b => b.Status).Select(b => (b.BidId, b.OfferNumber, b.Status, b.Version)));
        Assert.Equal(first.ContentSha256, mine.Single(b => b.BidId == first.BidId).ContentSha256);

        // The event of a later offer names its number, never what it offers; a first offer's reads as before.
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        var submitted = events.Where(e => e.EventType == "BidSubmitted").Select(e => e.Payload).ToList();
        Assert.Single(submitted, p => !p.Contains("offerNumber", StringComparison.Ordinal));
        Assert.Equal(3, submitted.Count(p => p.Contains("\"offerNumber\":", StringComparison.Ordinal)));

        await OpenAsync(s);
        var opened = await s.Batch.GetOpenedBidsAsync();
        Assert.Equal(
            [(first.BidId, (int?)null, 400m, "CERT-A"), (second.BidId, 2, 740m, "CERT-B"), (again.BidId, 3, 610m, "CERT-C")],
            opened.OrderBy(b => b.Content.OfferNumber ?? 1).Select(b => (b.BidId, b.Content.OfferNumber, b.Content.PricePerPack, b.Content.Consumable!.CertificateNumber)));
        foreach (var bid in opened)
        {
            Assert.Equal(bid.ContentSha256, BidCanonicalForm.Commitment(bid.ReceiptNonce, BidCanonicalForm.Text(bid.ManufacturerId, bid.Content)));
        }
        // Every action, the withdrawn offer's included, verifies against its published text; the first offer's text has no offer number.
        var published = await Store.ReadAsync(c => c.QueryAsync<(string BidId, string Canonical, string Sha, string Nonce)>(
            "SELECT bid_id, canonical_content, content_sha256, receipt_nonce FROM bid_actions WHERE batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(6, published.Count());
        Assert.All(published, p => Assert.Equal(p.Sha, BidCanonicalForm.Commitment(p.Nonce, p.Canonical)));
        Assert.DoesNotContain("offerNumber", published.Single(p => p.BidId == first.BidId.ToString()).Canonical, StringComparison.Ordinal);
        Assert.Contains("\"offerNumber\":2,", published.First(p => p.BidId == second.BidId.ToString()).Canonical, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L, 3L], await Store.ReadAsync(c => c.QueryAsync<long>(
            "SELECT offer_number FROM bids WHERE batch_id = @BatchId ORDER BY offer_number", new { s.BatchId })));
    }

    [Fact]
    public async Task An_offer_number_out_of_range_or_taken_is_refused_naming_it_and_nothing_is_written()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s);
        var m1 = s.Bidder(s.Maker1);
        await m1.SubmitBidAsync("taken", Offer(s, 2, 500m, "A"));
        var before = await TableCounts.ReadAsync(Store);

        foreach (var number in new[] { 0, -1, BidOffers.MaxPerCategory + 1, int.MaxValue })
        {
            var refused = await Refused.WithAsync(ErrorCodes.InvalidField, () => m1.SubmitBidAsync($"bad-{number}", Offer(s, number, 500m, "X")), "offerNumber");
            Assert.Contains($"from 1 to {BidOffers.MaxPerCategory}", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("500", refused.Message, StringComparison.Ordinal);
        }
        var twice = await Refused.WithAsync(ErrorCodes.BidAlreadyExists, () => m1.SubmitBidAsync("taken-again", Offer(s, 2, 480m, "D")), "offerNumber");
        Assert.DoesNotContain("CERT-D", twice.Message, StringComparison.Ordinal);
        Assert.Equal(before, await TableCounts.ReadAsync(Store));

        // The tenth offer is taken; each of the ten is its own active bid.
        for (var number = 1; number <= BidOffers.MaxPerCategory; number++)
        {
            if (number != 2)
            {
                await m1.SubmitBidAsync($"n{number}", Offer(s, number, 500m + number, $"P{number}"));
            }
        }
        Assert.Equal(BidOffers.MaxPerCategory, (await m1.ListBidsAsync()).Count(b => b.BatchId == s.BatchId && b.Status == BidStatus.Active));
    }

    [Fact]
    public async Task A_firms_two_products_are_judged_apart_and_the_hospital_that_named_the_loser_gets_the_firms_winning_product()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s);
        var a = await s.Bidder(s.Maker1).SubmitBidAsync("a", Offer(s, 1, 400m, "A"));
        var b = await s.Bidder(s.Maker1).SubmitBidAsync("b", Offer(s, 2, 760m, "B"));
        var c = await s.Bidder(s.Maker1).SubmitBidAsync("c", Offer(s, 3, 600m, "C", capacity: 100));
        var m2 = await s.Bidder(s.Maker2).SubmitBidAsync("m2", Offer(s, null, 500m, "M2"));
        await OpenAsync(s);

        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(s.Batch);
        Assert.True(view.Phase == TenderBatchPhase.Publicity,
            $"{view.AwardStatus}: {string.Join(" | ", fixture.Cluster.Logs.Lines.Where(l => l.Contains(s.BatchId, StringComparison.Ordinal) && l.Contains("fail", StringComparison.OrdinalIgnoreCase)))}");
        var award = (await s.Batch.GetAwardAsync())!;
        Assert.Equal(("custom", "Optimal"), (award.RuleSet, award.SolveStatus));

        // Hand-worked (custom: by demand, top share 0.8, 1.8 x the group's lowest): demand M1 580
        // (H1 500 + H3 80), M2 300 of 880; M1 alone is 65.9 %, with M2 100 %: A = {M1, M2}. A's lowest
        // is M1's A at 400: A wins (1), B at 760 is 1.9 x and loses, C at 600 is 1.5 x and wins, M2 at 500 is 1.25 x.
        Assert.Equal(
            [(a.BidId, true, ConsumableReasons.WonByRatio, (decimal?)1m), (b.BidId, false, ConsumableReasons.AboveRatio, 1.9m),
             (c.BidId, true, ConsumableReasons.WonByRatio, 1.5m), (m2.BidId, true, ConsumableReasons.WonByRatio, 1.25m)],
            new[] { a.BidId, b.BidId, c.BidId, m2.BidId }.Select(id => award.Statements.Single(t => t.BidId == id)).Select(t => (t.BidId, t.Won, t.Reason, t.RatioToAnchor)));
        Assert.All(award.Statements, t => Assert.Equal(Stent, t.ProductId));
        Assert.Equal(new[] { a.BidId, c.BidId, m2.BidId }.Order(), award.Consumables!.Winners.Select(w => w.BidId).Order());
        Assert.Equal(("A", 2, 2, 2), award.Consumables.Groups.Where(g => g.Group == "A").Select(g => (g.Group, g.Firms, g.CompetingBidders, g.WinningBidders)).Single());

        // Each statement with its offer number, group and firm demand (M1 580 of 880 = 0.659091, M2 300 = 0.340909), stored for the losing B as for the rest.
        Assert.Equal(
            [(a.BidId, 1, "A", 580L, 0.659091m), (b.BidId, 2, "A", 580L, 0.659091m), (c.BidId, 3, "A", 580L, 0.659091m), (m2.BidId, 1, "A", 300L, 0.340909m)],
            new[] { a.BidId, b.BidId, c.BidId, m2.BidId }.Select(id => award.Consumables.Statements.Single(t => t.BidId == id))
                .Select(t => (t.BidId, t.OfferNumber, t.Group!, t.FirmIntendedVolume!.Value, t.FirmDemandShare!.Value)));
        var (header, rows) = Portal.ExportFiles.ReadCsv(Portal.ExportFiles.Write(o => ConsumableAwardExport.WriteStatementsCsv(award, o)));
        Assert.Equal(["bid_id", "category_id", "manufacturer_id", "offer_number", "product_id", "group", "firm_intended_volume", "firm_demand_share", "price"], header[..9]);
        Assert.Equal(
            [("2", "", "A", "580", "0.659091", "LOST_ABOVE_RATIO"), ("3", $"CERT-C/MODEL-C", "A", "580", "0.659091", ConsumableReasons.WonByRatio)],
            new[] { b.BidId, c.BidId }.Select(id => rows.Single(r => r["bid_id"] == id.ToString()))
                .Select(r => (r["offer_number"], r["product_id"], r["group"], r["firm_intended_volume"], r["firm_demand_share"], r["reason"])));
        var xlsx = Portal.ExportFiles.Write(o => ConsumableAwardExport.WriteXlsx(award, o));
        var sheet = MiniExcel.Query(new MemoryStream(xlsx), useHeaderRow: true, sheetName: ConsumableAwardExport.StatementsSheet).Cast<IDictionary<string, object?>>().ToList();
        var losing = sheet.Single(r => (string?)r["bid_id"] == b.BidId.ToString());
        Assert.Equal((2m, "A", 0.659091m), (Convert.ToDecimal(losing["offer_number"], CultureInfo.InvariantCulture), (string?)losing["group"],
            Convert.ToDecimal(losing["firm_demand_share"], CultureInfo.InvariantCulture)));

        // H1 named M1's B, which lost: it keeps M1 and buys M1's winning A (the cheapest with room); H3 named C, which won.
        Assert.Equal(
            [
                (s.Hospital1, (Guid?)a.BidId, 500L, (decimal?)400m, "FirstChoice", (string?)ChooseAgainReasons.ProductLost),
                (s.Hospital2, m2.BidId, 300L, 500m, "FirstChoice", null),
                (Hospital3(s), c.BidId, 80L, 600m, "FirstChoice", null),
            ],
            award.Consumables.Supplies.OrderBy(p => p.HospitalId, StringComparer.Ordinal)
                .Select(p => (p.HospitalId, p.BidId, p.Quantity, p.UnitPrice, p.ChoiceKind, p.ChoseAgainReason)));

        fixture.Clock.SetUtcNow(view.PublicityEnds!.Value);
        Assert.Equal(TenderBatchPhase.Awarded, (await s.Batch.FinaliseAsync()).Phase);
        // One agreement per winning bid x region: M1 has two in region A, one for each of its winning products.
        Assert.Equal(
            [(s.RegionA, s.Maker1, a.BidId, 500L, 400m), (s.RegionA, s.Maker1, c.BidId, 80L, 600m), (s.RegionB, s.Maker2, m2.BidId, 300L, 500m)],
            (await s.Batch.ListAgreementsAsync()).Select(g => (g.RegionCode, g.ManufacturerId, g.BidId, g.AnnualVolume, g.UnitPrice))
                .OrderBy(g => g.RegionCode, StringComparer.Ordinal).ThenBy(g => g.UnitPrice));
    }
}

public sealed class SqliteConsumableMultiOfferTests(SqliteClusterFixture fixture) : ConsumableMultiOfferTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableMultiOfferTests(PostgresClusterFixture fixture) : ConsumableMultiOfferTests(fixture), IClassFixture<PostgresClusterFixture>;
