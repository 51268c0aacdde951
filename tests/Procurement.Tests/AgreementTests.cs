using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests;

/// <summary>
/// After the award: agreements, monthly usage, completion and flags, expiry on the clock, renewal
/// and supply failure, on each database. The business clock is the fixture's and moves forward by
/// months; the agreement reminder ticks every real second and reads it.
/// </summary>
public abstract class AgreementTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    private IMonitoringGrain Monitoring => fixture.Cluster.Client.GetGrain<IMonitoringGrain>(0);

    /// <summary>Bids, opening, a cost-optimal award, publicity and finalising, agreements from the first day of the month after.</summary>
    private async Task<(Scenario S, int StartMonth, IReadOnlyList<Agreement> Agreements)> AwardedAsync()
    {
        var s = NewScenario();
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        Assert.Equal(TenderBatchPhase.Awarded, (await s.Batch.GetAsync()).Phase);
        return (s, startMonth, await s.Batch.ListAgreementsAsync());
    }

    /// <summary>Moves the business clock to a moment of a month, in the business time zone.</summary>
    private void SetMonth(int month, int day = 15) =>
        fixture.Clock.SetUtcNow(Months.Begins(month, Zone).AddDays(day - 1).AddHours(10));

    [Fact]
    public async Task Award_to_agreements_usage_completion_expiry_notices_renewal_and_expiry()
    {
        var (s, start, agreements) = await AwardedAsync();

        // One agreement per winner x product x region; cost-optimal gives Maker2 (dearer) the smaller region.
        Assert.Equal(3, agreements.Count);
        var atvA = agreements.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionA);
        var atvB = agreements.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionB);
        var aml = agreements.Single(a => a.ProductId == s.Amlodipine);
        Assert.Equal((s.Maker1, 49_000L, 0.40m, 19_600m), (atvA.ManufacturerId, atvA.AnnualVolume, atvA.UnitPrice, atvA.AnnualAmount));
        Assert.Equal((s.Maker2, 21_000L), (atvB.ManufacturerId, atvB.AnnualVolume));
        Assert.Equal(s.Maker2, atvA.SpareManufacturerId);
        Assert.All(agreements, a => Assert.Equal((AgreementState.Active, 1, Months.FirstDay(start), Months.FirstDay(start + 24)), (a.State, a.Version, a.Start, a.End)));
        var part = Assert.Single(await fixture.Cluster.Client.GetGrain<IAgreementGrain>(atvA.AgreementId).ListHospitalsAsync());
        Assert.Equal((s.Hospital1, 49_000L, 19_600m, 5_880m), (part.HospitalId, part.AnnualVolume, part.AnnualAmount, part.Prepayment));
        Assert.Contains(await Monitoring.ListNotificationsAsync("manufacturer", s.Maker2), n => n.Kind == "AgreementsCreated");

        // Month one: Hospital1 buys on the platform the agreed brand, some of another brand (at a
        // listed price, with a reason), and amlodipine; it declares 2,000 more bought off the platform.
        SetMonth(start);
        var h1 = s.Hospital(s.Hospital1);
        await fixture.Cluster.Client.GetGrain<IAllianceGrain>(s.AllianceId).ListPricesAsync([new ListedPrice(s.Atorvastatin, s.Maker2, 0.44m)]);
        await BuyAsync(s.Hospital1, s.Atorvastatin, 10_000);
        await BuyAsync(s.Hospital1, s.Atorvastatin, 500, s.Maker2, "Shortage at the hospital's pharmacy");
        await BuyAsync(s.Hospital1, s.Amlodipine, 1_000);
        var declared = Assert.Single(await h1.ReportUsageAsync(Months.Format(start), [new UsageLine(s.Atorvastatin, s.Maker1, 2_000, 800m)]));
        // Declared off the platform: classified as ever, counted toward nothing.
        Assert.Equal((UsageClassification.Agreed, atvA.AgreementId, 0L, 0L, 1), (declared.Classification, declared.AgreementId, declared.CountedUnits, declared.SurplusUnits, declared.Revision));

        // Hospital2 buys its whole year in two months: the second month's order is surplus above the agreed volume.
        await BuyAsync(s.Hospital2, s.Atorvastatin, 20_000);
        SetMonth(start + 1);
        var second = await BuyAsync(s.Hospital2, s.Atorvastatin, 3_000);
        Assert.Equal(2_000L, second.SurplusUnits);

        // A correction of a declaration is an amendment: the new figure counts, the old one is kept.
        var amended = (await h1.ReportUsageAsync(Months.Format(start), [new UsageLine(s.Atorvastatin, s.Maker1, 2_500, 1_000m)])).Single();
        Assert.Equal(2, amended.Revision);
        // The same line sent again (a retry after a lost answer) is acknowledged as it stands: no new revision.
        var resent = (await h1.ReportUsageAsync(Months.Format(start), [new UsageLine(s.Atorvastatin, s.Maker1, 2_500, 1_000m)])).Single();
        Assert.Equal(2, resent.Revision);
        var revisions = await h1.GetUsageRevisionsAsync(Months.Format(start));
        Assert.Equal([2_000L, 2_500L], revisions.Where(r => r.ProductId == s.Atorvastatin && r.ManufacturerId == s.Maker1).Select(r => r.Units));

        // Half-way through the first agreement year: Hospital1 is behind, Hospital2 is not. Only
        // what was accepted on the platform counts; the declared units are a figure of their own.
        SetMonth(start + 6, 1);
        var byHospital = await Monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Hospital);
        var first = byHospital.Single(c => c.Key == s.Hospital1);
        Assert.InRange(first.TimeProgress, 0.49m, 0.51m);
        Assert.Equal(49_000 + aml.AnnualVolume, first.AgreedVolume);
        Assert.Equal((10_000L + 1_000, 500L, 2_500L), (first.CountedUnits, first.SubstituteUnits, first.DeclaredOffPlatformUnits));
        Assert.True(first.Flagged);
        var secondHospital = byHospital.Single(c => c.Key == s.Hospital2);
        Assert.Equal((21_000L, 21_000L, 2_000L, 1m, false, 0L),
            (secondHospital.AgreedVolume, secondHospital.CountedUnits, secondHospital.SurplusUnits, secondHospital.CompletionRate, secondHospital.Flagged, secondHospital.DeclaredOffPlatformUnits));
        Assert.Equal([s.Hospital1], (await Monitoring.GetFlaggedHospitalsAsync(s.BatchId)).Select(c => c.Key));
        var batch = Assert.Single(await Monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Batch));
        Assert.Equal((49_000 + 21_000 + aml.AnnualVolume, 10_000L + 21_000 + 1_000, 2_500L), (batch.AgreedVolume, batch.CountedUnits, batch.DeclaredOffPlatformUnits));
        var byRegion = await Monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Region);
        Assert.Equal([s.RegionA, s.RegionB], byRegion.Select(r => r.Key));
        Assert.Equal(3, (await Monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Agreement)).Count);
        await AssertKeptMatchesLinesAsync(s.BatchId);

        // Retained savings: budget at the maximum valid price, less spending, times the band's share.
        await Monitoring.SetHospitalScoresAsync(s.BatchId, new Dictionary<string, int> { [s.Hospital2] = 72 });
        var savings = await Monitoring.GetRetainedSavingsAsync(s.BatchId);
        var h2Savings = savings.Single(r => r.HospitalId == s.Hospital2);
        Assert.Equal((10_500m, 10_120m, 72, 0.40m, 152m), (h2Savings.Budget, h2Savings.Spending, h2Savings.Score, h2Savings.Share, h2Savings.Retained));
        Assert.Equal((null, 0m, 0m), (savings.Single(r => r.HospitalId == s.Hospital1).Score, savings.Single(r => r.HospitalId == s.Hospital1).Share, savings.Single(r => r.HospitalId == s.Hospital1).Retained));

        // 180 days before the end the reminder makes them Expiring and tells the alliance and the suppliers.
        var end = Months.Begins(start + 24, Zone);
        await Refused.WithAsync(ErrorCodes.NotExpiring, () => s.Batch.CreateRenewalAsync(Renewal(s)));
        fixture.Clock.SetUtcNow(end.AddDays(-180));
        await WaitAsync(() => s.Batch.ListAgreementsAsync(), a => a.All(x => x.State == AgreementState.Expiring), "expiring");
        Assert.Contains(await Monitoring.ListNotificationsAsync("alliance", s.AllianceId), n => n.Kind == "ExpiryNotice180Days" && n.Message.StartsWith("3 agreement(s)", StringComparison.Ordinal));
        fixture.Clock.SetUtcNow(end.AddDays(-30));
        await WaitAsync(() => Monitoring.ListNotificationsAsync("manufacturer", s.Maker1), n => n.Any(x => x.Kind == "ExpiryNotice30Days"), "30-day notice");
        var notices = await Monitoring.ListNotificationsAsync("manufacturer", s.Maker1);
        Assert.Equal(1, notices.Count(n => n.Kind == "ExpiryNotice90Days"));

        // The renewal: same products and regions, previous price as the ceiling, previous volume as the floor.
        var renewal = await s.Batch.CreateRenewalAsync(Renewal(s));
        Assert.Equal((TenderBatchPhase.Draft, s.BatchId), (renewal.Phase, renewal.RenewalOf));
        Assert.Equal([(s.Amlodipine, 0.10m), (s.Atorvastatin, 0.44m)],
            renewal.Definition!.Products.OrderBy(p => p.ProductId, StringComparer.Ordinal).Select(p => (p.ProductId, p.MaxValidUnitPrice)));
        var floors = await Store.ReadAsync(c => c.QueryAsync<(string, string, string, long)>(
            "SELECT product_id, region_code, previous_manufacturer_id, previous_annual_volume FROM renewal_products WHERE batch_id = @BatchId ORDER BY product_id, region_code",
            new { BatchId = renewal.BatchId }));
        Assert.Contains((s.Atorvastatin, s.RegionA, s.Maker1, 49_000L), floors);

        // At the end they expire; purchases after it count toward nothing.
        fixture.Clock.SetUtcNow(end);
        await WaitAsync(() => s.Batch.ListAgreementsAsync(), a => a.All(x => x.State == AgreementState.Expired), "expired");
        SetMonth(start + 24);
        var late = Assert.Single(await h1.ReportUsageAsync(Months.Format(start + 24), [new UsageLine(s.Atorvastatin, s.Maker1, 100, 40m)]));
        Assert.Equal((UsageClassification.OutsideAgreement, (Guid?)null), (late.Classification, late.AgreementId));

        var events = await Store.ReadAsync(c => c.QueryAsync<string>(
            "SELECT event_type FROM events WHERE entity_type = 'agreement' AND entity_id = @Id ORDER BY event_id", new { Id = atvA.AgreementId.ToString() }));
        Assert.Equal(["ExpiryNotice180Days", "ExpiryNotice90Days", "ExpiryNotice30Days", "AgreementExpired"], events);
    }

    private RenewalRequest Renewal(Scenario s)
    {
        var now = fixture.Clock.GetUtcNow();
        return new RenewalRequest($"{s.BatchId}-R", $"Renewal of {s.BatchId}", new TenderWindows(now.AddDays(30), now.AddDays(40), now.AddDays(40), 7), 12);
    }

    [Fact]
    public async Task A_supply_failure_hands_the_remaining_volume_to_the_spare_as_a_new_version()
    {
        var (s, start, agreements) = await AwardedAsync();
        var failed = agreements.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionA);
        var h1 = s.Hospital(s.Hospital1);
        SetMonth(start);
        await BuyAsync(s.Hospital1, s.Atorvastatin, 3_000);
        SetMonth(start + 1);
        await BuyAsync(s.Hospital1, s.Atorvastatin, 2_000);

        SetMonth(start + 2);
        var grain = fixture.Cluster.Client.GetGrain<IAgreementGrain>(failed.AgreementId);
        var successor = await grain.RecordSupplyFailureAsync("Maker1's plant stopped; verified by the provincial inspectorate.");
        Assert.Equal((s.Maker2, 2, failed.AgreementId, AgreementState.Active), (successor.ManufacturerId, successor.Version, successor.PreviousAgreementId, successor.State));
        Assert.Equal((Months.FirstDay(start + 2), failed.End, 0.44m), (successor.Start, successor.End, successor.UnitPrice));
        var old = await grain.GetAsync();
        Assert.Equal((AgreementState.TakenOver, Months.FirstDay(start + 2)), (old.State, old.End));
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => grain.RecordSupplyFailureAsync("again"));

        // From now orders go to the spare at its price; the failed brand, declared bought off the platform, is a substitute.
        var bought = await BuyAsync(s.Hospital1, s.Atorvastatin, 4_000);
        Assert.Equal((s.Maker2, successor.AgreementId, 0.44m), (bought.ManufacturerId, bought.AgreementId!.Value, bought.UnitPrice));
        var month3 = await h1.ReportUsageAsync(Months.Format(start + 2), [new UsageLine(s.Atorvastatin, s.Maker1, 100, 40m)]);
        Assert.Equal(UsageClassification.SubstituteBrand, month3.Single(l => l.ManufacturerId == s.Maker1).Classification);

        // The year's agreed volume is split: what the failed supplier delivered, and the rest for the spare.
        var byAgreement = await Monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Agreement);
        Assert.Equal((5_000L, 5_000L), byAgreement.Where(c => c.Key == failed.AgreementId.ToString()).Select(c => (c.AgreedVolume, c.CountedUnits)).Single());
        Assert.Equal((44_000L, 4_000L), byAgreement.Where(c => c.Key == successor.AgreementId.ToString()).Select(c => (c.AgreedVolume, c.CountedUnits)).Single());
        var hospital = (await Monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Hospital)).Single(c => c.Key == s.Hospital1);
        Assert.Equal(49_000 + agreements.Single(a => a.ProductId == s.Amlodipine).AnnualVolume, hospital.AgreedVolume);
        await AssertKeptMatchesLinesAsync(s.BatchId);

        Assert.Contains(await Monitoring.ListNotificationsAsync("hospital", s.Hospital1), n => n.Kind == "SupplierChanged" && n.AgreementId == successor.AgreementId);
        Assert.Contains(await Monitoring.ListNotificationsAsync("manufacturer", s.Maker2), n => n.Kind == "AgreementTakenOver");
        var events = await Store.ReadAsync(c => c.QueryAsync<string>(
            "SELECT event_type FROM events WHERE entity_type = 'agreement' AND entity_id IN (@Failed, @Successor) ORDER BY event_id",
            new { Failed = failed.AgreementId.ToString(), Successor = successor.AgreementId.ToString() }));
        Assert.Equal(["SupplyFailureRecorded", "AgreementTakenOver"], events);

        // Suspension and termination are refused where they do not apply, allowed where they do.
        var aml = fixture.Cluster.Client.GetGrain<IAgreementGrain>(agreements.Single(a => a.ProductId == s.Amlodipine).AgreementId);
        Assert.Equal(AgreementState.Suspended, (await aml.SuspendAsync("Quality recall under review")).State);
        Assert.Equal(AgreementState.Active, (await aml.ResumeAsync("Recall closed")).State);
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => aml.ResumeAsync("not suspended"));
        Assert.Equal(AgreementState.Terminated, (await aml.TerminateAsync("Withdrawn from the market")).State);
        await AssertKeptMatchesLinesAsync(s.BatchId);
        await Refused.WithAsync(ErrorCodes.AgreementNotFound, () => fixture.Cluster.Client.GetGrain<IAgreementGrain>(Guid.NewGuid()).GetAsync(), "agreementId");
    }

    [Fact]
    public async Task Bad_usage_is_refused_with_the_row_and_field_and_nothing_is_written()
    {
        var (s, start, _) = await AwardedAsync();
        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.FinaliseAsync(Months.FirstDay(start).AddDays(1)), "agreementsStart");
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => s.Batch.FinaliseAsync(Months.FirstDay(start)));
        SetMonth(start + 1);
        var h1 = s.Hospital(s.Hospital1);
        var month = Months.Format(start);

        await Refused.WithAsync(ErrorCodes.InvalidField, () => h1.ReportUsageAsync(month, [new UsageLine(s.Atorvastatin, s.Maker1, -1, 0m)]), "lines[0].units");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => h1.ReportUsageAsync(month, [new UsageLine(s.Atorvastatin, s.Maker1, 1, 0.001m)]), "lines[0].amount");
        await Refused.WithAsync(ErrorCodes.FutureMonth, () => h1.ReportUsageAsync(Months.Format(start + 2), [new UsageLine(s.Atorvastatin, s.Maker1, 1, 1m)]), "month");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => h1.ReportUsageAsync("2027-13", [new UsageLine(s.Atorvastatin, s.Maker1, 1, 1m)]), "month");
        await Refused.WithAsync(ErrorCodes.UnknownManufacturer,
            () => h1.ReportUsageAsync(month, [new UsageLine(s.Atorvastatin, s.Maker1, 1, 1m), new UsageLine(s.Atorvastatin, "NOBODY", 1, 1m)]), "lines[1].manufacturerId");
        await Refused.WithAsync(ErrorCodes.DuplicateLine,
            () => h1.ReportUsageAsync(month, [new UsageLine(s.Atorvastatin, s.Maker1, 1, 1m), new UsageLine(s.Atorvastatin, s.Maker1, 2, 1m)]), "lines[1].productId");
        // Hospital2 has no amlodipine agreement and declared no substitute.
        await Refused.WithAsync(ErrorCodes.NoAgreementForProduct,
            () => s.Hospital(s.Hospital2).ReportUsageAsync(month, [new UsageLine(s.Amlodipine, s.Maker1, 1, 1m)]), "lines[0].productId");

        // An upload with bad rows: every bad row is reported and nothing is stored.
        var bad = await h1.ImportUsageCsvAsync(month, $"""
            product_id,manufacturer_id,units,amount
            {s.Atorvastatin},{s.Maker1},9000,3600.00
            {s.Atorvastatin},{s.Maker2},lots,10
            {s.Amlodipine},{s.Maker1},-5,1
            UNKNOWN-PRODUCT,{s.Maker1},1,1
            """);
        Assert.False(bad.Accepted);
        Assert.Equal(
            [(2, "units", ErrorCodes.InvalidField), (3, "units", ErrorCodes.InvalidField), (4, "productId", ErrorCodes.NoAgreementForProduct)],
            bad.Errors.Select(e => (e.Row, e.Field, e.Code)));
        var header = await h1.ImportUsageCsvAsync(month, "product,units\nX,1");
        Assert.Equal((false, 0, ErrorCodes.MalformedFile), (header.Accepted, header.Errors.Single().Row, header.Errors.Single().Code));
        Assert.Empty(await h1.GetUsageAsync(null));
        Assert.Equal(0, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_lines WHERE hospital_id = @Id", new { Id = s.Hospital1 })));

        // A declared substitute product counts against the agreement of the product it stands for.
        await s.Hospital(s.Hospital2).DeclareSubstituteAsync(s.Amlodipine, s.Atorvastatin);
        var substitute = Assert.Single(await s.Hospital(s.Hospital2).ReportUsageAsync(month, [new UsageLine(s.Amlodipine, s.Maker1, 7, 0.70m)]));
        Assert.Equal(UsageClassification.DeclaredSubstitute, substitute.Classification);

        // The good file goes in whole.
        var good = await h1.ImportUsageCsvAsync(month, $"""
            product_id,manufacturer_id,units,amount
            {s.Atorvastatin},{s.Maker1},9000,3600.00
            {s.Amlodipine},{s.Maker1},500,50
            """);
        Assert.True(good.Accepted, string.Join("; ", good.Errors));
        Assert.Equal([9_000L, 500L], good.Lines.OrderBy(l => l.ProductId == s.Amlodipine).Select(l => l.Units));
        Assert.Equal(2, (await h1.GetUsageAsync(month)).Count);
    }

    /// <summary>
    /// Buys on the platform as a hospital and its supplier do: one order line, confirmed, shipped in
    /// full and accepted at the clock's time. Returns the line as it stands after.
    /// </summary>
    private async Task<OrderLine> BuyAsync(string hospitalId, string productId, long units, string? manufacturerId = null, string? reason = null)
    {
        var orders = fixture.Cluster.Client.GetGrain<IHospitalOrdersGrain>(hospitalId);
        var id = Guid.NewGuid().ToString("N");
        var order = await orders.PlaceOrderAsync(new OrderRequest($"o-{id}", [new OrderLineRequest(productId, units, "Pharmacy", OrderUrgency.Normal, manufacturerId, reason)]));
        var line = order.Lines[0];
        await orders.RespondToLineAsync(line.ManufacturerId, $"c-{id}", order.OrderId, line.LineNo, true, null);
        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
        var delivery = await orders.ShipAsync(line.ManufacturerId, new ShipmentRequest($"s-{id}", order.OrderId, line.LineNo, units, "LOT-1", expiry));
        await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"a-{id}", true));
        return (await orders.GetOrderAsync(order.OrderId)).Lines[0];
    }

    /// <summary>The kept completion rows give, at every level, what summing the lines gives.</summary>
    private async Task AssertKeptMatchesLinesAsync(string batchId)
    {
        var monitoring = fixture.Cluster.SiloServices.GetRequiredService<MonitoringRepository>();
        var now = fixture.Clock.GetUtcNow();
        foreach (var level in Enum.GetValues<CompletionLevel>())
        {
            var kept = await monitoring.CompletionAsync(batchId, level, now);
            var summed = await monitoring.RecomputeAsync(batchId, level, now);
            Assert.Equal(summed, kept);
        }
    }

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
}

public sealed class SqliteAgreementTests(SqliteClusterFixture fixture) : AgreementTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresAgreementTests(PostgresClusterFixture fixture) : AgreementTests(fixture), IClassFixture<PostgresClusterFixture>;
