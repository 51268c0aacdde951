using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// The renewal of a consumables batch, on each database (docs/CONSUMABLES.md, "Renewal"): a stent
/// lot and a hip-system lot awarded to two winners each and finalised; one agreement terminated,
/// one suspended; at the first notice window the renewal continues the agreements that still run,
/// lists both categories at the highest price now paid (the hip's components each at the highest
/// component price), and keeps every continued agreement as a volume floor: a hospital may not
/// intend less than its part, an award with less intended in a category and region is refused,
/// and one whose winners cannot supply the floor is not stored. The clock is the fixture's own.
/// </summary>
public abstract class ConsumableRenewalTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private ProcurementStore Store => fixture.Cluster.Database;

    private static string Hospital3(Scenario s) => $"H3-{s.Tag}";

    private static ConsumableLot StentLot() => new(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []);

    private static ConsumableLot HipLot() => new(Hip, "Ceramic-on-ceramic hip", "C03", 35_000m, ConsumablePurchaseUnit.System,
    [
        new ConsumableLotComponent("stem", "Femoral stem", 12_000m),
        new ConsumableLotComponent("cup", "Acetabular cup", null),
        new ConsumableLotComponent("liner", "Liner", 5_000m),
        new ConsumableLotComponent("head", "Femoral head", null),
    ]);

    private static ConsumableIntentionLine Intention(string category, string maker, long quantity) =>
        new(category, maker, $"CERT-{category}-{maker}", $"MODEL-{category}", null, quantity, [], null);

    private static BidContent StentBid(string batchId, Scenario s, string maker, decimal price, long capacity) =>
        new(batchId, Stent, "", price, capacity, [s.RegionA, s.RegionB]) { Consumable = new ConsumableOffer($"CERT-{Stent}-{maker}", $"MODEL-{Stent}", null, []) };

    private static BidContent HipBid(string batchId, Scenario s, string maker, decimal price, decimal stem, decimal cup, decimal liner, decimal head) =>
        new(batchId, Hip, "", price, 7_000, [s.RegionA, s.RegionB])
        {
            Consumable = new ConsumableOffer($"CERT-{Hip}-{maker}", $"MODEL-{Hip}", null,
                [new("stem", stem), new("cup", cup), new("liner", liner), new("head", head)]),
        };

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(45), $"Waited 45 s for {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The previous batch (joints2021, both lots), finalised with agreements from the month after:
    /// stents H1 (region A) 500 from M1 at 600, H3 (region A) 200 and H2 (region B) 300 from M2 at
    /// 450; hips H1 60 from M1 at 20,000 (stem 6,000, cup 6,000, liner 4,000, head 4,000) and H2 30
    /// from M2 at 14,000 (stem 2,500, cup 4,000, liner 3,000, head 4,500). Returns the first month.
    /// </summary>
    private async Task<int> AwardedAsync(Scenario s)
    {
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.RegisterAsync();
        await s.Hospital(Hospital3(s)).RegisterAsync(new Hospital(Hospital3(s), "Hospital three", s.RegionA));
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            HospitalIds = [s.Hospital1, s.Hospital2, Hospital3(s)],
            Consumables = new ConsumableTerms([StentLot(), HipLot()], "joints2021", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId, [Intention(Stent, s.Maker1, 500), Intention(Hip, s.Maker1, 60)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId, [Intention(Stent, s.Maker2, 300), Intention(Hip, s.Maker2, 30)]);
        await s.Hospital(Hospital3(s)).SubmitConsumableIntentionsAsync(s.BatchId, [Intention(Stent, s.Maker2, 200)]);
        await s.Batch.CloseVolumeReportingAsync();
        await s.Batch.OpenBiddingAsync();
        foreach (var maker in new[] { s.Maker1, s.Maker2 })
        {
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Stent, true, 0, false, null));
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(Hip, true, 0, false, null));
        }
        await s.Bidder(s.Maker1).SubmitBidAsync("s1", StentBid(s.BatchId, s, s.Maker1, 600m, 90_000));
        await s.Bidder(s.Maker2).SubmitBidAsync("s2", StentBid(s.BatchId, s, s.Maker2, 450m, 90_000));
        await s.Bidder(s.Maker1).SubmitBidAsync("h1", HipBid(s.BatchId, s, s.Maker1, 20_000m, 6_000m, 6_000m, 4_000m, 4_000m));
        await s.Bidder(s.Maker2).SubmitBidAsync("h2", HipBid(s.BatchId, s, s.Maker2, 14_000m, 2_500m, 4_000m, 3_000m, 4_500m));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();
        await s.Batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(s.Batch);
        Assert.True(view.Phase == TenderBatchPhase.Publicity, $"The award did not reach publicity: {view.AwardStatus}");
        fixture.Clock.SetUtcNow(view.PublicityEnds!.Value);
        await s.Batch.FinaliseAsync(Months.FirstDay(startMonth));
        return startMonth;
    }

    private RenewalRequest Renewal(string id)
    {
        var now = fixture.Clock.GetUtcNow();
        return new RenewalRequest(id, $"Renewal {id}", new TenderWindows(now.AddDays(30), now.AddDays(40), now.AddDays(40), 7), 12);
    }

    /// <summary>Row counts of the business tables, the renewal tables and the awards: equal before and after means nothing was written.</summary>
    private async Task<Dictionary<string, long>> CountsAsync()
    {
        var counts = await TableCounts.ReadAsync(Store);
        foreach (var table in new[] { "renewal_products", "renewal_consumable_agreements", "awards", "award_statements", "consumable_award_winners" })
        {
            counts[table] = await Store.ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));
        }
        return counts;
    }

    [Fact]
    public async Task A_consumables_renewal_continues_the_running_agreements_at_the_highest_price_paid_with_their_volumes_as_floors()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        var start = await AwardedAsync(s);
        var agreements = await s.Batch.ListAgreementsAsync();
        Assert.Equal(
            [(Hip, s.RegionA, s.Maker1, 60L, 20_000m), (Hip, s.RegionB, s.Maker2, 30L, 14_000m),
             (Stent, s.RegionA, s.Maker1, 500L, 600m), (Stent, s.RegionA, s.Maker2, 200L, 450m), (Stent, s.RegionB, s.Maker2, 300L, 450m)],
            agreements.Select(a => (a.ProductId, a.RegionCode, a.ManufacturerId, a.AnnualVolume, a.UnitPrice))
                .OrderBy(a => a.ProductId, StringComparer.Ordinal).ThenBy(a => a.RegionCode, StringComparer.Ordinal).ThenBy(a => a.ManufacturerId, StringComparer.Ordinal));
        await Refused.WithAsync(ErrorCodes.NotExpiring, () => s.Batch.CreateRenewalAsync(Renewal($"{s.BatchId}-R")));

        // In the first month M1's stent agreement (the dearest stent, 600) is terminated and M2's hip agreement suspended.
        fixture.Clock.SetUtcNow(Months.Begins(start, Zone).AddDays(3));
        var terminated = agreements.Single(a => a.ProductId == Stent && a.ManufacturerId == s.Maker1);
        var suspended = agreements.Single(a => a.ProductId == Hip && a.ManufacturerId == s.Maker2);
        Assert.Equal(AgreementState.Terminated, (await fixture.Cluster.Client.GetGrain<IAgreementGrain>(terminated.AgreementId).TerminateAsync("Withdrawn")).State);
        Assert.Equal(AgreementState.Suspended, (await fixture.Cluster.Client.GetGrain<IAgreementGrain>(suspended.AgreementId).SuspendAsync("Recall under review")).State);
        fixture.Clock.SetUtcNow(Months.Begins(start + 24, Zone).AddDays(-180));
        await WaitAsync(() => s.Batch.ListAgreementsAsync(),
            a => a.Where(x => x.State is AgreementState.Active or AgreementState.Expiring).All(x => x.State == AgreementState.Expiring)
                && a.Any(x => x.State == AgreementState.Expiring), "expiring");

        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.CreateRenewalAsync(Renewal(s.BatchId)), "batchId");
        var renewal = await s.Batch.CreateRenewalAsync(Renewal($"{s.BatchId}-R"));
        Assert.Equal((TenderBatchPhase.Draft, s.BatchId), (renewal.Phase, renewal.RenewalOf));
        var definition = renewal.Definition!;
        Assert.Empty(definition.Products);
        Assert.Equal([s.RegionA, s.RegionB], definition.RegionCodes);
        Assert.Equal([s.Hospital1, s.Hospital2, Hospital3(s)], definition.HospitalIds);
        var terms = definition.Consumables!;
        Assert.Equal("joints2021", terms.RuleSetName);
        // Stents: the terminated 600 is not continued, so the highest price now paid is M2's 450.
        // Hips: the set price the highest paid (20,000, M1), each component the highest kept for it (head 4,500 is M2's);
        // they add up to 20,500, at least the set price, so a bid at the maximum can still be consistent.
        Assert.Equal(
            [(Stent, "C0201", 450m, ConsumablePurchaseUnit.Unit, ""), (Hip, "C03", 20_000m, ConsumablePurchaseUnit.System, "stem=6000,cup=6000,liner=4000,head=4500")],
            terms.Categories.Select(c => (c.CategoryId, c.ClassPrefix, c.MaxValidPrice, c.PurchaseUnit,
                string.Join(",", c.Components.Select(p => $"{p.ComponentId}={p.MaxValidPrice:0.####}")))));
        var floors = await Store.ReadAsync(async c => (await c.QueryAsync<(string, string, string, string, long, long)>("""
            SELECT category_id, region_code, previous_manufacturer_id, previous_agreement_id, previous_unit_price_e6, previous_annual_volume
              FROM renewal_consumable_agreements WHERE batch_id = @BatchId ORDER BY category_id, region_code
            """, new { renewal.BatchId })).ToList());
        Assert.Equal(
            [
                (Hip, s.RegionA, s.Maker1, agreements.Single(a => a.ProductId == Hip && a.RegionCode == s.RegionA).AgreementId.ToString(), 20_000_000_000L, 60L),
                (Hip, s.RegionB, s.Maker2, suspended.AgreementId.ToString(), 14_000_000_000L, 30L),
                (Stent, s.RegionA, s.Maker2, agreements.Single(a => a.ProductId == Stent && a.RegionCode == s.RegionA && a.ManufacturerId == s.Maker2).AgreementId.ToString(), 450_000_000L, 200L),
                (Stent, s.RegionB, s.Maker2, agreements.Single(a => a.ProductId == Stent && a.RegionCode == s.RegionB).AgreementId.ToString(), 450_000_000L, 300L),
            ],
            floors);
        Assert.Equal(0, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM renewal_products WHERE batch_id = @BatchId", new { renewal.BatchId })));

        // A renewal id taken: refused, nothing written.
        var before = await CountsAsync();
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => s.Batch.CreateRenewalAsync(Renewal($"{s.BatchId}-R")), "batchId");
        Assert.Equal(before, await CountsAsync());

        // Reporting: a hospital may not intend less than its part of the continued agreements, reason or not; nothing is written.
        var r = fixture.Cluster.Client.GetGrain<ITenderBatchGrain>(renewal.BatchId);
        await r.OpenVolumeReportingAsync();
        before = await CountsAsync();
        await Refused.WithAsync(ErrorCodes.RenewalVolumeBelowPrevious,
            () => s.Hospital(Hospital3(s)).SubmitConsumableIntentionsAsync(renewal.BatchId, [Intention(Stent, s.Maker2, 199)]), "lines[0].annualQuantity");
        await Refused.WithAsync(ErrorCodes.RenewalVolumeBelowPrevious,
            () => s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(renewal.BatchId,
                [Intention(Stent, s.Maker2, 300), Intention(Hip, s.Maker2, 29) with { BelowHistoryReason = "Fewer operations planned" }]), "lines[1].annualQuantity");
        Assert.Equal(before, await CountsAsync());
        // H1's stent agreement was terminated, so it has no stent floor; its hip floor is 60.
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(renewal.BatchId, [Intention(Stent, s.Maker1, 100), Intention(Hip, s.Maker1, 60)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(renewal.BatchId, [Intention(Stent, s.Maker2, 300), Intention(Hip, s.Maker2, 35)]);
        await s.Hospital(Hospital3(s)).SubmitConsumableIntentionsAsync(renewal.BatchId, [Intention(Stent, s.Maker2, 250)]);
        await r.CloseVolumeReportingAsync();
        await r.OpenBiddingAsync();

        // The new maxima hold at bidding: a stent above 450, a hip head above 4,500.
        await Refused.WithAsync(ErrorCodes.PriceAboveMaximum,
            () => s.Bidder(s.Maker1).SubmitBidAsync("rs1x", StentBid(renewal.BatchId, s, s.Maker1, 451m, 90_000)), "pricePerPack");
        await Refused.WithAsync(ErrorCodes.PriceAboveMaximum,
            () => s.Bidder(s.Maker1).SubmitBidAsync("rh1x", HipBid(renewal.BatchId, s, s.Maker1, 19_000m, 6_000m, 5_000m, 3_400m, 4_600m)), "consumable.componentPrices[3].price");
        await s.Bidder(s.Maker1).SubmitBidAsync("rs1", StentBid(renewal.BatchId, s, s.Maker1, 440m, 90_000));
        await s.Bidder(s.Maker2).SubmitBidAsync("rs2", StentBid(renewal.BatchId, s, s.Maker2, 430m, 90_000));
        await s.Bidder(s.Maker1).SubmitBidAsync("rh1", HipBid(renewal.BatchId, s, s.Maker1, 19_000m, 6_000m, 6_000m, 4_000m, 3_000m));
        await s.Bidder(s.Maker2).SubmitBidAsync("rh2", HipBid(renewal.BatchId, s, s.Maker2, 13_000m, 2_500m, 4_000m, 3_000m, 3_500m));
        fixture.Clock.SetUtcNow(renewal.Definition!.Windows.OpeningTime.AddMilliseconds(1));
        await r.OpenBidsAsync();
        await r.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(r);
        Assert.True(view.Phase == TenderBatchPhase.Publicity, $"The renewal's award did not reach publicity: {view.AwardStatus}");

        // Every previous supplier won again and keeps its hospitals; each category and region at least its floor.
        var supplies = (await r.GetAwardAsync())!.Consumables!.Supplies;
        Assert.Equal(
            [(Hip, s.RegionA, 60L), (Hip, s.RegionB, 35L), (Stent, s.RegionA, 350L), (Stent, s.RegionB, 300L)],
            supplies.GroupBy(p => (p.CategoryId, p.RegionCode)).Select(g => (g.Key.CategoryId, g.Key.RegionCode, g.Sum(p => p.Quantity)))
                .OrderBy(g => g.CategoryId, StringComparer.Ordinal).ThenBy(g => g.RegionCode, StringComparer.Ordinal));
        Assert.Equal(
            [(s.Hospital1, Hip, s.Maker1), (s.Hospital1, Stent, s.Maker1), (s.Hospital2, Hip, s.Maker2), (s.Hospital2, Stent, s.Maker2), (Hospital3(s), Stent, s.Maker2)],
            supplies.Select(p => (p.HospitalId, p.CategoryId, p.ManufacturerId)).OrderBy(p => p.HospitalId, StringComparer.Ordinal).ThenBy(p => p.CategoryId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_renewal_award_below_the_previous_volume_is_refused_before_it_runs_or_not_stored_after()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        var start = await AwardedAsync(s);
        fixture.Clock.SetUtcNow(Months.Begins(start + 24, Zone).AddDays(-180));
        await WaitAsync(() => s.Batch.ListAgreementsAsync(), a => a.All(x => x.State == AgreementState.Expiring), "expiring");

        // Renewal 1: H2 states no hip intention, so region B intends 0 hips against a floor of 30: the award is refused, nothing written.
        var short1 = await s.Batch.CreateRenewalAsync(Renewal($"{s.BatchId}-R1"));
        var r1 = fixture.Cluster.Client.GetGrain<ITenderBatchGrain>(short1.BatchId);
        await r1.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(short1.BatchId, [Intention(Stent, s.Maker1, 500), Intention(Hip, s.Maker1, 60)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(short1.BatchId, [Intention(Stent, s.Maker2, 300)]);
        await s.Hospital(Hospital3(s)).SubmitConsumableIntentionsAsync(short1.BatchId, [Intention(Stent, s.Maker2, 200)]);
        await r1.CloseVolumeReportingAsync();
        await r1.OpenBiddingAsync();
        await s.Bidder(s.Maker1).SubmitBidAsync("a1", StentBid(short1.BatchId, s, s.Maker1, 440m, 90_000));
        await s.Bidder(s.Maker1).SubmitBidAsync("a2", HipBid(short1.BatchId, s, s.Maker1, 19_000m, 6_000m, 6_000m, 4_000m, 3_000m));

        // Renewal 2: every intention at its floor, but M2, the only stent bidder, can make 250 stents a year: of the
        // hospitals that named it only H3's 200 fits, so region A has 200 stents of 700 and region B none of 300.
        var short2 = await s.Batch.CreateRenewalAsync(Renewal($"{s.BatchId}-R2"));
        var r2 = fixture.Cluster.Client.GetGrain<ITenderBatchGrain>(short2.BatchId);
        await r2.OpenVolumeReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(short2.BatchId, [Intention(Stent, s.Maker2, 500), Intention(Hip, s.Maker1, 60)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(short2.BatchId, [Intention(Stent, s.Maker2, 300), Intention(Hip, s.Maker2, 30)]);
        await s.Hospital(Hospital3(s)).SubmitConsumableIntentionsAsync(short2.BatchId, [Intention(Stent, s.Maker2, 200)]);
        await r2.CloseVolumeReportingAsync();
        await r2.OpenBiddingAsync();
        await s.Bidder(s.Maker2).SubmitBidAsync("b1", StentBid(short2.BatchId, s, s.Maker2, 440m, 250));
        await s.Bidder(s.Maker1).SubmitBidAsync("b2", HipBid(short2.BatchId, s, s.Maker1, 19_000m, 6_000m, 6_000m, 4_000m, 3_000m));
        await s.Bidder(s.Maker2).SubmitBidAsync("b3", HipBid(short2.BatchId, s, s.Maker2, 13_000m, 2_500m, 4_000m, 3_000m, 3_500m));

        fixture.Clock.SetUtcNow(short1.Definition!.Windows.OpeningTime.AddMilliseconds(1));
        await r1.OpenBidsAsync();
        await r2.OpenBidsAsync();
        var before = await CountsAsync();
        var refusal = await Refused.WithAsync(ErrorCodes.RenewalVolumeBelowPrevious,
            () => r1.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10)), "consumables.categories[1]");
        Assert.Contains($"category {Hip} in region {s.RegionB}: 0 of 30", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
        Assert.Equal((TenderBatchPhase.Opened, null), ((await r1.GetAsync()).Phase, (await r1.GetAsync()).AwardStatus));

        await r2.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        var view = await Scenario.AwaitAwardAsync(r2);
        Assert.Equal(TenderBatchPhase.Opened, view.Phase);
        Assert.Equal(
            $"failed: {ErrorCodes.RenewalVolumeBelowPrevious}: the award supplies less than the previous year's agreed volume in "
            + $"category {Stent} in region {s.RegionA}: 200 of 700; category {Stent} in region {s.RegionB}: 0 of 300",
            view.AwardStatus);
        Assert.Null(await r2.GetAwardAsync());
        Assert.Equal(0, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM awards WHERE batch_id = @BatchId", new { short2.BatchId })));
    }
}

public sealed class SqliteConsumableRenewalTests(SqliteClusterFixture fixture) : ConsumableRenewalTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableRenewalTests(PostgresClusterFixture fixture) : ConsumableRenewalTests(fixture), IClassFixture<PostgresClusterFixture>;
