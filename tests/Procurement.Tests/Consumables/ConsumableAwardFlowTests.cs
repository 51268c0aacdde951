using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Awards;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Allocation;
using Procurement.Optimizer.Consumables.Checking;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// The consumables award run from the batch, on each database: a stent batch and a hip-system
/// batch from configuration through intentions, sealed bids, the opening, the award, publicity, an
/// objection answered and finalisation into agreements, each figure against a hand-worked
/// expectation and the stored award against the engine's own; an award with a category no bid won,
/// and one a checker refused, store nothing; drug modes and budgets refused on a consumables batch,
/// and every mode on a consumables batch stored with drug products (it would be half-awarded). Every
/// statement keeps its bid's demand group and its firm's intended volume and share, losing bids'
/// too (migration 0034); a drug award's statements leave them empty.
/// </summary>
public abstract class ConsumableAwardFlowTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";

    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    private static string Maker4(Scenario s) => $"M4-{s.Tag}";

    private static string Hospital3(Scenario s) => $"H3-{s.Tag}";

    private static ConsumableLot StentLot() => new(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []);

    private static ConsumableLot HipLot() => new(Hip, "Ceramic-on-ceramic hip", "C03", 35_000m, ConsumablePurchaseUnit.System,
    [
        new ConsumableLotComponent("stem", "Femoral stem", 12_000m),
        new ConsumableLotComponent("cup", "Acetabular cup", null),
        new ConsumableLotComponent("liner", "Liner", 5_000m),
        new ConsumableLotComponent("head", "Femoral head", null),
    ]);

    /// <summary>A consumables batch of one lot in Bidding: three hospitals (H3 in region A) state their intentions, four makers are qualified.</summary>
    private static async Task OpenBiddingAsync(Scenario s, ConsumableLot lot, string ruleSet, params ConsumableIntentionLine[][] intentions)
    {
        await s.RegisterAsync();
        await s.Bidder(Maker4(s)).RegisterAsync(new Manufacturer(Maker4(s), "Maker four", null));
        await s.Hospital(Hospital3(s)).RegisterAsync(new Hospital(Hospital3(s), "Hospital three", s.RegionA));
        var definition = s.Definition();
        await s.Batch.ConfigureAsync(definition with
        {
            Products = [],
            HospitalIds = [s.Hospital1, s.Hospital2, Hospital3(s)],
            Consumables = new ConsumableTerms([lot], ruleSet, new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        var hospitals = new[] { s.Hospital1, s.Hospital2, Hospital3(s) };
        for (var i = 0; i < intentions.Length; i++)
        {
            await s.Hospital(hospitals[i]).SubmitConsumableIntentionsAsync(s.BatchId, intentions[i]);
        }
        await s.Batch.CloseVolumeReportingAsync();
        await s.Batch.OpenBiddingAsync();
        foreach (var maker in new[] { s.Maker1, s.Maker2, s.Maker3, Maker4(s) })
        {
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(lot.CategoryId, true, 0, false, null));
        }
    }

    private static BidContent StentBid(Scenario s, decimal price, string maker, long capacity) =>
        new(s.BatchId, Stent, "", price, capacity, [s.RegionA, s.RegionB]) { Consumable = new ConsumableOffer($"CERT-{maker}", $"MODEL-{maker}", null, []) };

    private static BidContent HipBid(Scenario s, decimal price, string maker, decimal stem, decimal cup, decimal liner, decimal head) =>
        new(s.BatchId, Hip, "", price, 7_000, [s.RegionA, s.RegionB])
        {
            Consumable = new ConsumableOffer($"CERT-{maker}", $"MODEL-{maker}", null,
                [new("stem", stem), new("cup", cup), new("liner", liner), new("head", head)]),
        };

    private async Task OpenAsync(Scenario s)
    {
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();
    }

    /// <summary>Objection by a losing maker, answered, then publicity ends and the award is final.</summary>
    private async Task ObjectAnswerAndFinaliseAsync(Scenario s, string objector, TenderBatchView view)
    {
        var objection = await s.Bidder(objector).FileObjectionAsync(s.BatchId, "Our price was within the ratio.");
        await Refused.WithAsync(ErrorCodes.ObjectionsUnanswered, async () =>
        {
            fixture.Clock.SetUtcNow(view.PublicityEnds!.Value);
            await s.Batch.FinaliseAsync();
        });
        var answered = await s.Batch.AnswerObjectionAsync(objection.ObjectionId, "The ratio is to the group's lowest price; the cap admitted two bidders.");
        Assert.NotNull(answered.Answer);
        Assert.Equal(TenderBatchPhase.Awarded, (await s.Batch.FinaliseAsync()).Phase);
    }

    /// <summary>The award the engine makes of the batch's stored input, as the worker ran it.</summary>
    private async Task<(ConsumableAwardInput Input, ConsumableAward Award)> EngineAwardAsync(Scenario s)
    {
        var input = await fixture.Cluster.SiloServices.GetRequiredService<ConsumableAwardInputReader>().LoadInputAsync(s.BatchId);
        return (input, new ConsumableAwardEngine(new SolveOptions(TimeSpan.FromSeconds(10), 1)).Run(input, FallbackRule.LowestPrice));
    }

    /// <summary>The stored award's statements, winners and supplies are the engine's, figure for figure.</summary>
    private static void AssertSameAsEngine(AwardView view, ConsumableAward award)
    {
        Assert.Equal(
            award.Winners.Categories.SelectMany(c => c.Statements)
                .Select(t => (Guid.Parse(t.BidId), t.CategoryId, t.FirmId, t.Price, t.ReferencePrice, t.RatioToReference, t.Rank, t.Won, t.Reason, t.AwardedPrice))
                .OrderBy(t => t.Item1),
            view.Statements.Select(t => (t.BidId, t.ProductId, t.ManufacturerId, t.UnitComparablePrice, t.Anchor, t.RatioToAnchor, t.Rank, t.Won, t.Reason, t.AwardedUnitPrice))
                .OrderBy(t => t.BidId));
        // The group and the firm's demand of every bid, winning or losing, as the engine's statement has them; every bid here is its firm's offer 1.
        Assert.Equal(
            award.Winners.Categories.SelectMany(c => c.Statements)
                .Select(t => (Guid.Parse(t.BidId), t.FirmId, 1, (string?)t.Group.ToString(), (long?)t.FirmIntendedVolume, (decimal?)t.FirmDemandShare))
                .OrderBy(t => t.Item1),
            view.Consumables!.Statements.Select(t => (t.BidId, t.ManufacturerId, t.OfferNumber, t.Group, t.FirmIntendedVolume, t.FirmDemandShare))
                .OrderBy(t => t.BidId));
        Assert.Equal(
            award.Winners.Categories.SelectMany(c => c.Winners)
                .Select(w => (Guid.Parse(w.BidId), w.FirmId, w.ProductId, w.Group.ToString(), w.AwardedPrice, w.AnnualCapacity, w.IntendedVolume,
                    string.Join(",", w.AwardedComponentPrices.OrderBy(c => c.ComponentId, StringComparer.Ordinal).Select(c => $"{c.ComponentId}={c.Price:0.######}"))))
                .OrderBy(w => w.Item1),
            view.Consumables!.Winners
                .Select(w => (w.BidId, w.ManufacturerId, w.ProductId, w.Group, w.AwardedPrice, w.AnnualCapacity, w.IntendedVolume,
                    string.Join(",", w.ComponentPrices.OrderBy(c => c.ComponentId, StringComparer.Ordinal).Select(c => $"{c.ComponentId}={c.Price:0.######}"))))
                .OrderBy(w => w.BidId));
        Assert.Equal(
            award.Supplies.Select(p => (p.CategoryId, p.HospitalId, p.RegionCode, (Guid?)Guid.Parse(p.BidId), p.Price, p.Quantity))
                .OrderBy(p => p.HospitalId, StringComparer.Ordinal),
            view.Consumables.Supplies.Where(p => p.BidId is not null).Select(p => (p.CategoryId, p.HospitalId, p.RegionCode, p.BidId, p.UnitPrice!.Value, p.Quantity))
                .OrderBy(p => p.HospitalId, StringComparer.Ordinal));
        Assert.Equal(
            award.Allocation.Categories.SelectMany(c => c.Hospitals).Select(h => (h.HospitalId, h.Rank, h.Kind.ToString())).OrderBy(h => h.HospitalId, StringComparer.Ordinal),
            view.Consumables.Supplies.Select(p => (p.HospitalId, p.ChoiceRank, p.ChoiceKind)).OrderBy(h => h.HospitalId, StringComparer.Ordinal));
    }

    private Task<List<(string AgreementId, string HospitalId, long Volume, long AmountE6)>> AgreementHospitalsAsync(string batchId) =>
        Store.ReadAsync(async c => (await c.QueryAsync<(string, string, long, long)>("""
            SELECT h.agreement_id, h.hospital_id, h.annual_volume, h.annual_amount_e6
              FROM agreement_hospitals h JOIN agreements a ON a.agreement_id = h.agreement_id
             WHERE a.batch_id = @BatchId
            """, new { BatchId = batchId })).ToList());

    private Task<long> CountAsync(string sql, object args) => Store.ReadAsync(c => c.ExecuteScalarAsync<long>(sql, args));

    /// <summary>The consumables columns of an award's stored statements (migration 0034), by bid.</summary>
    private Task<Dictionary<Guid, (string? Group, long? Volume, long? ShareE6)>> StoredGroupsAsync(Guid awardId) =>
        Store.ReadAsync(async c => (await c.QueryAsync<(string BidId, string? Group, long? Volume, long? ShareE6)>(
                "SELECT bid_id, demand_group, firm_intended_volume, firm_demand_share_e6 FROM award_statements WHERE award_id = @AwardId",
                new { AwardId = awardId.ToString() }))
            .ToDictionary(r => Guid.Parse(r.BidId), r => (r.Group, r.Volume, r.ShareE6)));

    [Fact]
    public async Task A_stent_batch_is_awarded_published_objected_to_and_finalised_into_agreements_per_winner_and_region()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s, StentLot(), "stents2020",
            [new ConsumableIntentionLine(Stent, s.Maker1, $"CERT-{s.Maker1}", $"MODEL-{s.Maker1}", null, 500, [s.Maker2], null)],
            [new ConsumableIntentionLine(Stent, Maker4(s), "CERT-X", "MODEL-X", null, 300, [s.Maker2], null)],
            [new ConsumableIntentionLine(Stent, s.Maker3, "CERT-Y", "MODEL-Y", null, 200, [], null)]);
        var m1 = await s.Bidder(s.Maker1).SubmitBidAsync("st1", StentBid(s, 600m, s.Maker1, 90_000));
        var m2 = await s.Bidder(s.Maker2).SubmitBidAsync("st2", StentBid(s, 400m, s.Maker2, 400));
        var m3 = await s.Bidder(s.Maker3).SubmitBidAsync("st3", StentBid(s, 450m, s.Maker3, 90_000));
        var m4 = await s.Bidder(Maker4(s)).SubmitBidAsync("st4", StentBid(s, 720m, Maker4(s), 90_000));
        await OpenAsync(s);

        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(s.Batch);
        Assert.Equal((TenderBatchPhase.Publicity, null), (view.Phase, view.AwardStatus));
        // The view shows how the solve went, as for a drug award: the worker's last progress, the one category placed, its cost at its bound.
        var progress = Assert.IsType<AwardProgress>(view.AwardProgress);
        Assert.Equal("allocation 1/1 categories", progress.Phase);
        Assert.True(progress.BestCost > 0 && progress.BestCost == progress.Bound, $"{progress}");
        Assert.Equal(fixture.Clock.GetUtcNow(), progress.ReportedAt);
        var award = (await s.Batch.GetAwardAsync())!;
        Assert.Equal(("consumables", "stents2020", "Optimal", "passed"), (award.Mode, award.RuleSet, award.SolveStatus, award.Check!.Verdict));

        // Hand-worked (stents2020: one group, ratio 1.8 x the lowest, cap floor(0.75 x 3 bidders) = 2):
        // M2 400 lowest; M3 450 is M2's affiliate and not its best; M1 600 = 1.5 x; M4 720 = 1.8 x qualifies but the cap is full.
        Assert.Equal(
            [(m2.BidId, true, ConsumableReasons.WonByRatio), (m1.BidId, true, ConsumableReasons.WonByRatio),
             (m4.BidId, false, ConsumableReasons.WinnerCapReached), (m3.BidId, false, ConsumableReasons.AffiliateNotBest)],
            new[] { m2.BidId, m1.BidId, m4.BidId, m3.BidId }.Select(id => award.Statements.Single(t => t.BidId == id)).Select(t => (t.BidId, t.Won, t.Reason)));
        Assert.All(award.Statements, t => Assert.Equal(Stent, t.ProductId));
        var group = award.Consumables!.Groups.Single(g => g.Group == "A");
        Assert.Equal((848m, 4, 3, (decimal?)400m, (decimal?)400m, (int?)2, 2),
            (group.MaxValidPrice, group.Firms, group.CompetingBidders, group.LowestPrice, group.ReferencePrice, group.WinnerCap, group.WinningBidders));
        Assert.Equal([(m2.BidId, 400m), (m1.BidId, 600m)], award.Consumables.Winners.Select(w => (w.BidId, w.AwardedPrice)));

        // H1 keeps M1; H2's M4 lost, its next choice M2 (capacity 400) takes its 300; H3's M3 lost and it named no other:
        // the cheapest winner with room is M1, since M2 has 100 left (a hospital with no listed winner ranks 0: its list is empty).
        Assert.Equal(
            [
                (s.Hospital1, (Guid?)m1.BidId, 500L, (decimal?)600m, 0, "FirstChoice", (string?)null),
                (s.Hospital2, m2.BidId, 300L, 400m, 0, "FirstChoice", ChooseAgainReasons.FirmLost),
                (Hospital3(s), m1.BidId, 200L, 600m, 0, "AllianceRule", ChooseAgainReasons.FirmLost),
            ],
            award.Consumables.Supplies.OrderBy(p => p.HospitalId, StringComparer.Ordinal)
                .Select(p => (p.HospitalId, p.BidId, p.Quantity, p.UnitPrice, p.ChoiceRank, p.ChoiceKind, p.ChoseAgainReason)));
        Assert.Equal([(s.Hospital1, true), (s.Hospital2, false), (Hospital3(s), false)],
            (await Task.WhenAll(new[] { s.Hospital1, s.Hospital2, Hospital3(s) }.Select(h => s.Batch.GetHospitalAllocationsAsync(h))))
                .Select(lines => (lines.Single().HospitalId, lines.Single().NamedBrand)));
        Assert.Equal((Stent, "Optimal", 0L, 2), award.Consumables.Categories.Select(c => (c.CategoryId, c.SolveStatus, c.UnsuppliedUnits, c.FirstChoices)).Single());
        var (_, engine) = await EngineAwardAsync(s);
        AssertSameAsEngine(award, engine);

        await ObjectAnswerAndFinaliseAsync(s, Maker4(s), view);
        var agreements = await s.Batch.ListAgreementsAsync();
        Assert.Equal(
            [(s.RegionA, s.Maker1, m1.BidId, 700L, 600m, 420_000m, 2), (s.RegionB, s.Maker2, m2.BidId, 300L, 400m, 120_000m, 1)],
            agreements.OrderBy(a => a.RegionCode, StringComparer.Ordinal).Select(a => (a.RegionCode, a.ManufacturerId, a.BidId, a.AnnualVolume, a.UnitPrice, a.AnnualAmount, a.Hospitals)));
        Assert.All(agreements, a => Assert.Equal(Stent, a.ProductId));
        var parts = await AgreementHospitalsAsync(s.BatchId);
        Assert.Equal(
            award.Consumables.Supplies.Select(p => (p.HospitalId, p.Quantity)).OrderBy(p => p.HospitalId, StringComparer.Ordinal),
            parts.Select(p => (p.HospitalId, p.Volume)).OrderBy(p => p.HospitalId, StringComparer.Ordinal));
        Assert.Equal(0, await CountAsync(
            "SELECT COUNT(*) FROM agreement_component_prices p JOIN agreements a ON a.agreement_id = p.agreement_id WHERE a.batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM events WHERE batch_id = @BatchId AND event_type = 'AgreementsCreated'", new { s.BatchId }));
        // The completion rows' budget is the agreed volume at the lot's maximum valid price.
        Assert.Equal(checked(1_000L * 848_000_000L), await CountAsync(
            "SELECT SUM(budget_e6) FROM completion_hospitals WHERE batch_id = @BatchId AND year_start = (SELECT MIN(year_start) FROM completion_hospitals WHERE batch_id = @BatchId)",
            new { s.BatchId }));
    }

    [Fact]
    public async Task A_hip_system_batch_is_awarded_by_demand_group_and_its_agreements_keep_the_component_prices()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s, HipLot(), "joints2021",
            [new ConsumableIntentionLine(Hip, s.Maker1, $"CERT-{s.Maker1}", $"MODEL-{s.Maker1}", null, 60, [], null)],
            [new ConsumableIntentionLine(Hip, s.Maker2, $"CERT-{s.Maker2}", $"MODEL-{s.Maker2}", null, 30, [], null)],
            [new ConsumableIntentionLine(Hip, Maker4(s), "CERT-Z", "MODEL-Z", null, 10, [s.Maker1], null)]);
        var m1 = await s.Bidder(s.Maker1).SubmitBidAsync("h1", HipBid(s, 20_000m, s.Maker1, 6_000m, 6_000m, 4_000m, 4_000m));
        var m2 = await s.Bidder(s.Maker2).SubmitBidAsync("h2", HipBid(s, 14_000m, s.Maker2, 5_000m, 4_000m, 3_000m, 2_000m));
        var m4 = await s.Bidder(Maker4(s)).SubmitBidAsync("h4", HipBid(s, 30_000m, Maker4(s), 10_000m, 10_000m, 5_000m, 5_000m));
        await OpenAsync(s);

        await Refused.WithAsync(ErrorCodes.AwardModeNotForBatch, () => s.Batch.RunAwardAsync(new AwardRequest("cost-optimal", new Dictionary<string, decimal>(), 10)), "mode");
        await Refused.WithAsync(ErrorCodes.AwardBudgetNotForBatch,
            () => s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal> { [s.RegionA] = 1_000_000m }, 10)), "regionBudgets");
        await Refused.WithAsync(ErrorCodes.AwardModeNotForBatch,
            () => s.Batch.CompareAwardsAsync(new AwardComparisonRequest(["consumables"], null, new Dictionary<string, decimal>(), 10)), "modes");
        Assert.Equal((TenderBatchPhase.Opened, null), ((await s.Batch.GetAsync()).Phase, (await s.Batch.GetAsync()).AwardStatus));

        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(s.Batch);
        Assert.Equal(TenderBatchPhase.Publicity, view.Phase);
        var award = (await s.Batch.GetAwardAsync())!;
        Assert.Equal(("consumables", "joints2021", "Optimal"), (award.Mode, award.RuleSet, award.SolveStatus));

        // Hand-worked (joints2021): demand M1 60, M2 30, M4 10 of 100: M1 + M2 reach 80% -> A = {M1, M2}, B = {M4}.
        // A: lowest 14,000, M1 20,000 = 1.4286 x <= 1.8. B: reference A's lowest, M4 30,000 = 2.1429 x, and above the
        // 50% cut (17,500): lost by ratio.
        Assert.Equal(
            [(m2.BidId, true, ConsumableReasons.WonByRatio, (decimal?)1m), (m1.BidId, true, ConsumableReasons.WonByRatio, 1.4286m),
             (m4.BidId, false, ConsumableReasons.AboveRatio, 2.1429m)],
            new[] { m2.BidId, m1.BidId, m4.BidId }.Select(id => award.Statements.Single(t => t.BidId == id)).Select(t => (t.BidId, t.Won, t.Reason, t.RatioToAnchor)));
        // Each statement's group and firm demand, stored with it: the losing M4 in B with its 10 of 100, where the winners' table has no row of it.
        var stored = await StoredGroupsAsync(award.AwardId);
        Assert.Equal(
            [("A", 30L, 300_000L), ("A", 60L, 600_000L), ("B", 10L, 100_000L)],
            new[] { m2.BidId, m1.BidId, m4.BidId }.Select(id => ((string?, long?, long?))stored[id]));
        Assert.Equal(("B", (long?)10L, (decimal?)0.1m, 1),
            award.Consumables!.Statements.Where(t => t.BidId == m4.BidId).Select(t => (t.Group, t.FirmIntendedVolume, t.FirmDemandShare, t.OfferNumber)).Single());
        Assert.Equal(
            [("A", 35_000m, 2, 2, (decimal?)14_000m, (decimal?)14_000m, 2), ("B", 35_000m, 1, 1, 30_000m, 14_000m, 0)],
            award.Consumables!.Groups.Select(g => (g.Group, g.MaxValidPrice, g.Firms, g.CompetingBidders, g.LowestPrice, g.ReferencePrice, g.WinningBidders)));
        Assert.Equal(
            [(m2.BidId, "A", 14_000m, "cup=4000,head=2000,liner=3000,stem=5000"), (m1.BidId, "A", 20_000m, "cup=6000,head=4000,liner=4000,stem=6000")],
            award.Consumables.Winners.Select(w => (w.BidId, w.Group, w.AwardedPrice,
                string.Join(",", w.ComponentPrices.Select(c => $"{c.ComponentId}={c.Price:0.####}")))));
        // H3's M4 lost; M1, its further choice, is its first available one.
        Assert.Equal(
            [(s.Hospital1, (Guid?)m1.BidId, 60L, (decimal?)1_200_000m, 0, (string?)null), (s.Hospital2, m2.BidId, 30L, 420_000m, 0, null),
             (Hospital3(s), m1.BidId, 10L, 200_000m, 0, ChooseAgainReasons.FirmLost)],
            award.Consumables.Supplies.OrderBy(p => p.HospitalId, StringComparer.Ordinal)
                .Select(p => (p.HospitalId, p.BidId, p.Quantity, p.Amount, p.ChoiceRank, p.ChoseAgainReason)));
        var (_, engine) = await EngineAwardAsync(s);
        AssertSameAsEngine(award, engine);

        await ObjectAnswerAndFinaliseAsync(s, Maker4(s), view);
        var agreements = (await s.Batch.ListAgreementsAsync()).OrderBy(a => a.RegionCode, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [(Hip, s.RegionA, s.Maker1, 70L, 20_000m, 1_400_000m), (Hip, s.RegionB, s.Maker2, 30L, 14_000m, 420_000m)],
            agreements.Select(a => (a.ProductId, a.RegionCode, a.ManufacturerId, a.AnnualVolume, a.UnitPrice, a.AnnualAmount)));
        Assert.Equal(
            [(agreements[0].AgreementId.ToString(), s.Hospital1, 60L), (agreements[0].AgreementId.ToString(), Hospital3(s), 10L), (agreements[1].AgreementId.ToString(), s.Hospital2, 30L)],
            (await AgreementHospitalsAsync(s.BatchId)).Select(p => (p.AgreementId, p.HospitalId, p.Volume))
                .OrderBy(p => p.AgreementId == agreements[0].AgreementId.ToString() ? 0 : 1).ThenBy(p => p.HospitalId, StringComparer.Ordinal));
        var components = await Store.ReadAsync(async c => (await c.QueryAsync<(string AgreementId, string ComponentId, long PriceE6)>(
            """
            SELECT p.agreement_id, p.component_id, p.unit_price_e6
              FROM agreement_component_prices p JOIN agreements a ON a.agreement_id = p.agreement_id
             WHERE a.batch_id = @BatchId
             ORDER BY p.agreement_id, p.component_id
            """, new { s.BatchId })).ToList());
        Assert.Equal(
            [("cup", 6_000m), ("head", 4_000m), ("liner", 4_000m), ("stem", 6_000m)],
            components.Where(p => p.AgreementId == agreements[0].AgreementId.ToString()).Select(p => (p.ComponentId, p.PriceE6 / 1_000_000m)));
        Assert.Equal(
            [("cup", 4_000m), ("head", 2_000m), ("liner", 3_000m), ("stem", 5_000m)],
            components.Where(p => p.AgreementId == agreements[1].AgreementId.ToString()).Select(p => (p.ComponentId, p.PriceE6 / 1_000_000m)));
    }

    [Fact]
    public async Task An_award_with_a_category_no_bid_won_stores_nothing_and_leaves_the_batch_opened_with_the_reason()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s, HipLot(), "joints2021",
            [new ConsumableIntentionLine(Hip, s.Maker1, $"CERT-{s.Maker1}", $"MODEL-{s.Maker1}", null, 60, [], null)]);
        // The components add up to less than the set price: a component bought alone would be cheaper than the set implies.
        await s.Bidder(s.Maker1).SubmitBidAsync("h1", HipBid(s, 20_000m, s.Maker1, 1_000m, 1_000m, 1_000m, 1_000m));
        await OpenAsync(s);

        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 5));
        var view = await Scenario.AwaitAwardAsync(s.Batch);

        Assert.Equal(TenderBatchPhase.Opened, view.Phase);
        Assert.Equal($"failed: no bid won in category {Hip} (1 {ConsumableReasons.ComponentsInconsistent})", view.AwardStatus);
        Assert.Null(await s.Batch.GetAwardAsync());
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM awards WHERE batch_id = @BatchId", new { s.BatchId }));
    }

    [Fact]
    public async Task An_award_a_checker_refuses_is_not_stored_and_its_status_names_the_rule()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s, StentLot(), "stents2020",
            [new ConsumableIntentionLine(Stent, s.Maker1, $"CERT-{s.Maker1}", $"MODEL-{s.Maker1}", null, 500, [], null)]);
        await s.Bidder(s.Maker1).SubmitBidAsync("st1", StentBid(s, 600m, s.Maker1, 90_000));
        await s.Bidder(Maker4(s)).SubmitBidAsync("st4", StentBid(s, 700m, Maker4(s), 90_000));
        await OpenAsync(s);
        var (input, award) = await EngineAwardAsync(s);
        Assert.Equal(SolveStatus.Optimal, award.Status);
        // The engine's award with a losing bid's statement turned into a win: the independent checker refuses it.
        var category = award.Winners.Categories.Single();
        var lost = category.Statements.Single(t => !t.Won);
        var tampered = award.Winners with
        {
            Categories = [category with { Statements = category.Statements.Select(t => t == lost ? t with { Won = true, Reason = ConsumableReasons.WonByRatio } : t).ToList() }],
        };
        var check = ConsumableAwardChecker.Check(input, tampered);
        var broken = award with { Winners = tampered, WinnerCheck = check, Status = SolveStatus.RuleBroken };

        var failure = AwardWorkerGrain.ConsumableFailure(broken, 5);
        Assert.StartsWith("the consumables award breaks a rule and was not published", failure);
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => fixture.Cluster.SiloServices.GetRequiredService<ConsumableAwardRepository>()
            .StoreAsync(s.BatchId, "consumables", input, broken, fixture.Clock.GetUtcNow(), "test"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM awards WHERE batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(TenderBatchPhase.Opened, (await s.Batch.GetAsync()).Phase);

        // The good award stored twice without the batch taking it: the second store removes the first with all its rows.
        var repository = fixture.Cluster.SiloServices.GetRequiredService<ConsumableAwardRepository>();
        var first = await repository.StoreAsync(s.BatchId, "consumables", input, award, fixture.Clock.GetUtcNow(), "test");
        // The checkers' time is stored apart, in check_ms, as a drug award's is.
        var second = await repository.StoreAsync(s.BatchId, "consumables", input, award with { CheckTime = TimeSpan.FromMilliseconds(1_234) }, fixture.Clock.GetUtcNow(), "test");
        Assert.Equal(TimeSpan.FromMilliseconds(1_234), second.Check.WallTime);
        Assert.Equal(1_234, await CountAsync("SELECT check_ms FROM awards WHERE award_id = @Id", new { Id = second.AwardId.ToString() }));
        foreach (var table in new[] { "awards", "award_statements", "award_hospital_allocations", "consumable_award_groups", "consumable_award_winners",
                     "consumable_award_choices", "consumable_award_categories" })
        {
            Assert.Equal(0, await CountAsync($"SELECT COUNT(*) FROM {table} WHERE award_id = @Id", new { Id = first.AwardId.ToString() }));
            Assert.True(await CountAsync($"SELECT COUNT(*) FROM {table} WHERE award_id = @Id", new { Id = second.AwardId.ToString() }) > 0, table);
        }
        Assert.Null(await s.Batch.GetAwardAsync());
    }

    [Fact]
    public async Task A_consumables_batch_stored_with_drug_products_is_not_awarded_in_any_mode_and_nothing_is_stored()
    {
        var s = NewScenario();
        await OpenBiddingAsync(s, StentLot(), "stents2020",
            [new ConsumableIntentionLine(Stent, s.Maker1, $"CERT-{s.Maker1}", $"MODEL-{s.Maker1}", null, 500, [], null)]);
        await s.Bidder(s.Maker1).SubmitBidAsync("st1", StentBid(s, 600m, s.Maker1, 90_000));
        await OpenAsync(s);
        // As a batch stored before configuration refused drug products beside categories: its award
        // would leave atorvastatin unawarded, so neither the batch nor the worker runs one.
        await Store.WriteAsync((c, t) => c.ExecuteAsync(
            "INSERT INTO batch_products (batch_id, product_id, max_unit_price_e6) VALUES (@BatchId, @ProductId, 500000)",
            new { s.BatchId, ProductId = s.Atorvastatin }, t));
        var request = new AwardRequest("consumables", new Dictionary<string, decimal>(), 5);

        var refused = await Refused.WithAsync(ErrorCodes.AwardModeNotForBatch,
            () => fixture.Cluster.SiloGrainFactory.GetGrain<IAwardWorkerGrain>(0).RunAsync(s.BatchId, request, "test"), "mode");
        Assert.Contains(s.Atorvastatin, refused.Message, StringComparison.Ordinal);
        var definition = (await s.Batch.GetAsync()).Definition! with { Products = [new BatchProduct(s.Atorvastatin, 0.5m)] };
        foreach (var mode in new[] { "consumables", "consumables-proportional", "ranked-pick", "cost-optimal", "hospital" })
        {
            var error = Assert.Throws<ProcurementException>(() => AwardRequests.CheckRun(s.BatchId, definition, request with { Mode = mode }));
            Assert.Equal((ErrorCodes.AwardModeNotForBatch, "mode"), (error.Code, error.Field));
            Assert.Contains(s.Atorvastatin, error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM awards WHERE batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(TenderBatchPhase.Opened, (await s.Batch.GetAsync()).Phase);
    }

    [Fact]
    public async Task A_drug_awards_statements_leave_the_consumables_columns_empty()
    {
        var s = NewScenario();
        await s.AwardAndFinaliseAsync(fixture.Clock);

        var award = (await s.Batch.GetAwardAsync())!;
        Assert.Null(award.Consumables);
        var stored = await StoredGroupsAsync(award.AwardId);
        Assert.Equal(3, stored.Count);
        Assert.All(stored.Values, r => Assert.Equal(((string?)null, (long?)null, (long?)null), r));
    }

    [Fact]
    public async Task A_consumables_mode_is_refused_on_a_drug_batch()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        await Refused.WithAsync(ErrorCodes.AwardModeNotForBatch,
            () => s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 5)), "mode");
    }
}

public sealed class SqliteConsumableAwardFlowTests(SqliteClusterFixture fixture) : ConsumableAwardFlowTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableAwardFlowTests(PostgresClusterFixture fixture) : ConsumableAwardFlowTests(fixture), IClassFixture<PostgresClusterFixture>;
