using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests;

/// <summary>
/// Chinese names stored and read back through every path that loads them, and the alliance's view
/// of volume reporting with its once-a-day reminder, on each database (migration 0012).
/// </summary>
public abstract class ReportingProgressTests(ClusterFixture fixture)
{
    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task Chinese_names_are_stored_and_read_back_wherever_the_records_are_loaded()
    {
        var s = NewScenario();
        await s.RegisterAsync();
        await Grains.GetGrain<IAllianceGrain>(s.AllianceId).RegisterAsync(
            new Alliance(s.AllianceId, "Test alliance", [new Region(s.RegionA, "Region A") { NameZh = "甲省" }, new Region(s.RegionB, "Region B")]) { NameZh = "测试联盟" });
        await s.Hospital(s.Hospital1).RegisterAsync(new Hospital(s.Hospital1, "Hospital one", s.RegionA) { NameZh = "第一医院" });
        await s.Bidder(s.Maker1).RegisterAsync(new Manufacturer(s.Maker1, "Maker one", null) { NameZh = "一号药厂" });
        await Grains.GetGrain<IProductGrain>(s.Atorvastatin).RegisterAsync(
            new Product(s.Atorvastatin, "Atorvastatin calcium", "Tablet", new Specification("20mgx7", 7, 20m), []) { MoleculeZh = "阿托伐他汀钙" });

        var alliance = (await Grains.GetGrain<IAllianceGrain>(s.AllianceId).GetAsync())!;
        Assert.Equal("测试联盟", alliance.NameZh);
        Assert.Equal(["甲省", null], alliance.Regions.Select(r => r.NameZh));
        Assert.Equal("阿托伐他汀钙", (await Grains.GetGrain<IProductGrain>(s.Atorvastatin).GetAsync())!.MoleculeZh);
        Assert.Null((await Grains.GetGrain<IProductGrain>(s.Amlodipine).GetAsync())!.MoleculeZh);

        var directory = Grains.GetGrain<IDirectoryGrain>(0);
        Assert.Equal("甲省", (await directory.ListRegionsAsync()).Single(r => r.Code == s.RegionA).NameZh);
        var hospitals = await directory.ListHospitalsAsync([s.RegionA, s.RegionB]);
        Assert.Equal("第一医院", hospitals.Single(h => h.Id == s.Hospital1).NameZh);
        Assert.Null(hospitals.Single(h => h.Id == s.Hospital2).NameZh);
        Assert.Equal("一号药厂", (await directory.ListManufacturersAsync()).Single(m => m.Id == s.Maker1).NameZh);
        Assert.Equal("阿托伐他汀钙", (await directory.ListProductsAsync()).Single(p => p.Id == s.Atorvastatin).MoleculeZh);

        // A grain activated afresh reads them from the store, not from its memory.
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal("第一医院", (await s.Hospital(s.Hospital1).GetAsync())!.NameZh);
        Assert.Equal("一号药厂", (await s.Bidder(s.Maker1).GetAsync())!.NameZh);
    }

    [Fact]
    public async Task The_alliance_sees_who_has_reported_and_a_reminder_goes_out_once_a_business_day()
    {
        var s = NewScenario();
        await s.OpenReportingAsync();
        await s.Hospital(s.Hospital2).SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 30_000, null, null)]);

        var progress = await s.Batch.GetReportingProgressAsync();
        Assert.Equal([(s.Hospital1, false), (s.Hospital2, true)], progress.Hospitals.Select(h => (h.Hospital.Id, h.Reported)));
        Assert.Equal("Hospital one", progress.Hospitals[0].Hospital.Name);
        Assert.Equal(new RegionVolumeTotal(s.Atorvastatin, s.RegionB, 30_000, 1), Assert.Single(progress.Regions));
        Assert.Equal(30_000, progress.Products.Single(p => p.ProductId == s.Atorvastatin).TotalAnnualVolume);
        Assert.Null(progress.LastReminderDay);
        Assert.Equal((0, 0), (progress.Categories.Count, progress.CategoryRegions.Count));

        var first = await s.Batch.RemindHospitalsToReportAsync();
        Assert.Equal((false, 1), (first.AlreadySent, first.Hospitals));
        var again = await s.Batch.RemindHospitalsToReportAsync();
        Assert.Equal((true, 1, first.SentAt, first.Day), (again.AlreadySent, again.Hospitals, again.SentAt, again.Day));
        Assert.Equal(first.Day, (await s.Batch.GetReportingProgressAsync()).LastReminderDay);

        var monitoring = Grains.GetGrain<IMonitoringGrain>(0);
        var notice = Assert.Single(await monitoring.ListNotificationsAsync("hospital", s.Hospital1), n => n.BatchId == s.BatchId);
        Assert.Equal(ReportingReminder.NotificationKind, notice.Kind);
        Assert.Contains(s.BatchId, notice.Message);
        Assert.DoesNotContain(await monitoring.ListNotificationsAsync("hospital", s.Hospital2), n => n.BatchId == s.BatchId);

        // The business day is Beijing's: the next one begins at 16:00 UTC.
        var beijing = fixture.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        fixture.Clock.Advance(beijing.Date.AddDays(1) - beijing.DateTime);
        var nextDay = await s.Batch.RemindHospitalsToReportAsync();
        Assert.Equal((false, first.Day.AddDays(1)), (nextDay.AlreadySent, nextDay.Day));
        Assert.Equal(2, (await monitoring.ListNotificationsAsync("hospital", s.Hospital1)).Count(n => n.BatchId == s.BatchId));

        await s.Batch.CloseVolumeReportingAsync();
        var refused = await Assert.ThrowsAsync<ProcurementException>(() => s.Batch.RemindHospitalsToReportAsync());
        Assert.Equal(ErrorCodes.ReportingClosed, refused.Code);
    }

    [Fact]
    public async Task In_a_consumables_batch_a_hospital_has_reported_when_it_stated_its_brand_intentions()
    {
        var s = NewScenario();
        await s.RegisterAsync();
        const string stent = "STENT-DES", hip = "HIP-SYSTEM";
        var definition = s.Definition();
        await s.Batch.ConfigureAsync(definition with
        {
            Products = [],
            HospitalIds = [.. definition.HospitalIds, s.OutsideHospital],
            Consumables = new ConsumableTerms(
                [
                    new ConsumableLot(stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
                    new ConsumableLot(hip, "Hip system", "C03", 35_000m, ConsumablePurchaseUnit.System, [new ConsumableLotComponent("stem", "Femoral stem", null)]),
                ],
                "joints2021", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        var stated = fixture.Clock.GetUtcNow();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId,
            [new(stent, s.Maker1, "CERT-1", "DES-1", null, 300, [s.Maker2], null), new(hip, s.Maker2, "CERT-2", "HIP-1", null, 20, [], null)]);
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await s.Hospital(s.OutsideHospital).SubmitConsumableIntentionsAsync(s.BatchId, [new(stent, s.Maker2, "CERT-3", "DES-2", null, 120, [], null)]);

        // Hospital one and nine (region A) stated; hospital two (region B) did not.
        var progress = await s.Batch.GetReportingProgressAsync();
        Assert.Equal(
            [(s.Hospital1, true, 0, 2), (s.OutsideHospital, true, 0, 1), (s.Hospital2, false, 0, 0)],
            progress.Hospitals.Select(h => (h.Hospital.Id, h.Reported, h.ProductsReported, h.CategoriesReported)));
        // The later of its reports and intentions (a database keeps microseconds at most).
        Assert.InRange((progress.Hospitals[0].LastReportedAt!.Value - stated).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Null(progress.Hospitals[2].LastReportedAt);
        Assert.Empty(progress.Products);
        Assert.Empty(progress.Regions);
        // Units per category in the batch's order, every category; per region where someone stated one.
        Assert.Equal([new CategoryIntentionTotal(stent, null, 420, 2), new CategoryIntentionTotal(hip, null, 20, 1)], progress.Categories);
        Assert.Equal([new CategoryIntentionTotal(hip, s.RegionA, 20, 1), new CategoryIntentionTotal(stent, s.RegionA, 420, 2)], progress.CategoryRegions);
        // The progress's sums are the demand's, summed in C# from the intentions.
        var demand = await s.Batch.GetConsumableDemandAsync();
        Assert.Equal(demand.Categories.Select(c => (c.CategoryId, c.TotalQuantity, c.Hospitals)),
            progress.Categories.Select(c => (c.CategoryId, c.TotalAnnualQuantity, c.ReportingHospitals)));

        // The reminder goes to hospital two only, asking for brand intentions.
        var reminder = await s.Batch.RemindHospitalsToReportAsync();
        Assert.Equal((false, 1), (reminder.AlreadySent, reminder.Hospitals));
        var monitoring = Grains.GetGrain<IMonitoringGrain>(0);
        var notice = Assert.Single(await monitoring.ListNotificationsAsync("hospital", s.Hospital2), n => n.BatchId == s.BatchId);
        Assert.Contains("state your brand intentions", notice.Message);
        Assert.DoesNotContain("annual volumes", notice.Message);
        Assert.DoesNotContain(await monitoring.ListNotificationsAsync("hospital", s.Hospital1), n => n.BatchId == s.BatchId);

        // Once hospital two states one, every hospital has reported and the next day's reminder reaches none.
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId, [new(hip, s.Maker1, "CERT-4", "HIP-2", null, 7, [], null)]);
        progress = await s.Batch.GetReportingProgressAsync();
        Assert.All(progress.Hospitals, h => Assert.True(h.Reported));
        Assert.Equal(new CategoryIntentionTotal(hip, null, 27, 2), progress.Categories[1]);
        Assert.Contains(new CategoryIntentionTotal(hip, s.RegionB, 7, 1), progress.CategoryRegions);
        var beijing = fixture.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        fixture.Clock.Advance(beijing.Date.AddDays(1) - beijing.DateTime);
        var next = await s.Batch.RemindHospitalsToReportAsync();
        Assert.Equal((false, 0), (next.AlreadySent, next.Hospitals));
    }

    [Theory]
    [InlineData("0.8", 1_000_000, 800_000)]
    [InlineData("0.8", 1_000_001, 800_001)]
    [InlineData("0.75", 10, 8)]
    [InlineData("0.8", 0, 0)]
    public void The_floor_is_the_share_of_history_rounded_up_and_below_it_a_reason_is_needed(string share, long average, long floor)
    {
        var terms = new ReportingTerms(TenderBatchPhase.VolumeReporting, true, [], DateTimeOffset.UnixEpoch, decimal.Parse(share, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(floor, terms.FloorOf(average));
        Assert.False(terms.NeedsReason(floor, average));
        if (floor > 0)
        {
            Assert.True(terms.NeedsReason(floor - 1, average));
        }
    }
}

public sealed class SqliteReportingProgressTests(SqliteClusterFixture fixture) : ReportingProgressTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresReportingProgressTests(PostgresClusterFixture fixture) : ReportingProgressTests(fixture), IClassFixture<PostgresClusterFixture>;
