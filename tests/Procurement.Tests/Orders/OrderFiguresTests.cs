using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Orders.Domain;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// The parts of the order figures counted in SQL held to their C# definitions on hand-worked data:
/// the answer-time percentiles (Figures.PercentileHours) and the reporting mismatches' share
/// boundary (Figures.ReportDifference against the configured share).
/// </summary>
public abstract class OrderFiguresTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private ProcurementStore Store => fixture.Cluster.Database;

    private IGrainFactory Grains => fixture.Cluster.Client;

    private IOrderFiguresGrain FiguresGrain => Grains.GetGrain<IOrderFiguresGrain>(0);

    private async Task<Scenario> AwardedAsync()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(9).AddHours(3));
        return s;
    }

    [Fact]
    public async Task The_answer_time_percentiles_counted_in_SQL_are_the_quarter_hour_definition_over_one_month_and_over_two()
    {
        var s = await AwardedAsync();
        var month = Months.Of(fixture.Clock.GetUtcNow(), Zone);
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);

        // Answered after these seconds (null: not answered): two lines this month, five the next,
        // so a quarter hour (the first) holds answers of both months.
        await OrderAndAnswerAsync(orders, s, "pct-1", [100, 1_000]);
        fixture.Clock.SetUtcNow(Months.Begins(month + 1, Zone).AddDays(9).AddHours(3));
        await OrderAndAnswerAsync(orders, s, "pct-2", [800, 5_000, 5_400, 40_000, null]);
        long?[] seconds = [100, 1_000, 800, 5_000, 5_400, 40_000, null];

        // Both months: quarter hours 0 (two answers), 1, 5, 6 and 44; the median is the 3rd of 6
        // (quarter hour 1, up to 0.5 h), the 90th percentile the 6th (quarter hour 44, up to 11.25 h).
        var both = await OneAsync(s, month, month + 1);
        Assert.Equal((7L, 0.5m, 11.25m), (both.Lines, both.ResponseHoursP50!.Value, both.ResponseHoursP90!.Value));
        Assert.Equal((Definition(seconds, 0.5m), Definition(seconds, 0.9m)), (both.ResponseHoursP50, both.ResponseHoursP90));

        // The next month only: quarter hours 0, 5, 6 and 44; the median is the 2nd of 4 (1.5 h), the 90th the 4th.
        long?[] next = seconds[2..];
        var one = await OneAsync(s, month + 1, month + 1);
        Assert.Equal((5L, 1.5m, 11.25m), (one.Lines, one.ResponseHoursP50!.Value, one.ResponseHoursP90!.Value));
        Assert.Equal((Definition(next, 0.5m), Definition(next, 0.9m)), (one.ResponseHoursP50, one.ResponseHoursP90));

        // No line answered: no percentile.
        fixture.Clock.SetUtcNow(Months.Begins(month + 2, Zone).AddDays(9).AddHours(3));
        await OrderAndAnswerAsync(orders, s, "pct-3", [null]);
        var none = await OneAsync(s, month + 2, month + 2);
        Assert.Equal((1L, (decimal?)null, (decimal?)null), (none.Lines, none.ResponseHoursP50, none.ResponseHoursP90));
    }

    /// <summary>Orders one line per entry and has the supplier answer each after its seconds (in rising order), leaving the nulls unanswered.</summary>
    private async Task OrderAndAnswerAsync(IHospitalOrdersGrain orders, Scenario s, string requestId, long?[] seconds)
    {
        var order = await orders.PlaceOrderAsync(new OrderRequest(requestId,
            [.. seconds.Select(_ => new OrderLineRequest(s.Atorvastatin, 10, "Pharmacy", OrderUrgency.Normal))]));
        for (var i = 0; i < seconds.Length; i++)
        {
            if (seconds[i] is { } after)
            {
                fixture.Clock.SetUtcNow(order.PlacedAt.AddSeconds(after));
                await orders.RespondToLineAsync(s.Maker1, $"{requestId}-{i}", order.OrderId, i + 1, true, null);
            }
        }
    }

    private async Task<SupplyPerformance> OneAsync(Scenario s, int from, int to) =>
        (await FiguresGrain.GetSupplyPerformanceAsync(s.AllianceId, Months.Format(from), Months.Format(to)))
            .Single(x => x.ManufacturerId == s.Maker1 && x.RegionCode == s.RegionA && x.ProductId == s.Atorvastatin);

    private static decimal? Definition(IEnumerable<long?> seconds, decimal share) =>
        Figures.PercentileHours(
            seconds.OfType<long>().GroupBy(x => x / Figures.BucketSeconds).Select(g => (g.Key, (long)g.Count())), share);

    [Fact]
    public async Task A_report_is_a_mismatch_only_when_its_difference_rounded_to_four_decimals_passes_the_share()
    {
        var s = await AwardedAsync();
        var month = Months.Of(fixture.Clock.GetUtcNow(), Zone);
        fixture.Clock.SetUtcNow(Months.Begins(month + 1, Zone).AddDays(2));
        // Each hospital declares 100,000 atorvastatin bought off the platform; the share is 20 %.
        await s.Hospital(s.Hospital1).ReportUsageAsync(Months.Format(month), [new UsageLine(s.Atorvastatin, s.Maker1, 100_000, 40_000m)]);
        await s.Hospital(s.Hospital2).ReportUsageAsync(Months.Format(month), [new UsageLine(s.Atorvastatin, s.Maker2, 100_000, 44_000m)]);

        // Exactly 20 % more is within; 20.005 % more rounds to 20.01 %, a mismatch; amlodipine reported as none and bought as none is none.
        await ReportAsync(s, (s.Hospital1, s.Atorvastatin, 120_000), (s.Hospital2, s.Atorvastatin, 120_005), (s.Hospital1, s.Amlodipine, 0));
        Assert.Equal([(s.Hospital2, s.Atorvastatin, 120_005L, 100_000L, 0.2001m)], await MismatchesAsync(s));

        // 20.004 % more rounds to 20 %, within (the SQL passes it, the rounding drops it); 20.005 % less
        // rounds away from zero, a mismatch; one unit reported of what was never bought is 100 %.
        await ReportAsync(s, (s.Hospital1, s.Atorvastatin, 120_004), (s.Hospital2, s.Atorvastatin, 79_995), (s.Hospital1, s.Amlodipine, 1));
        Assert.Equal([(s.Hospital1, s.Amlodipine, 1L, 0L, 1m), (s.Hospital2, s.Atorvastatin, 79_995L, 100_000L, -0.2001m)], await MismatchesAsync(s));
        // Asked for the largest one: both are counted, the larger listed.
        var first = await FiguresGrain.GetReportingMismatchesAsync(s.BatchId, 1);
        Assert.Equal((2, true, s.Hospital1, s.Amlodipine), (first.Count, first.More, first.Largest.Single().HospitalId, first.Largest.Single().ProductId));
        foreach (var limit in new[] { 0, ReportingMismatches.MaxRows + 1 })
        {
            Assert.Equal("limit", (await Refused.WithAsync(ErrorCodes.InvalidField, () => FiguresGrain.GetReportingMismatchesAsync(s.BatchId, limit))).Field);
        }
        Assert.Equal((0.2m, 0.2001m, -0.2001m), (
            Figures.ReportDifference(120_004, 100_000),
            Figures.ReportDifference(120_005, 100_000),
            Figures.ReportDifference(79_995, 100_000)));
    }

    private Task ReportAsync(Scenario s, params (string Hospital, string Product, long Volume)[] reports) =>
        Store.WriteAsync(async (c, t) =>
        {
            foreach (var (hospital, product, volume) in reports)
            {
                Assert.Equal(1, await c.ExecuteAsync(
                    "UPDATE volume_reports SET annual_volume = @Volume WHERE batch_id = @BatchId AND hospital_id = @Hospital AND product_id = @Product",
                    new { Volume = volume, s.BatchId, Hospital = hospital, Product = product }, t));
            }
        });

    private async Task<List<(string, string, long, long, decimal)>> MismatchesAsync(Scenario s) =>
        [.. (await FiguresGrain.GetReportingMismatchesAsync(s.BatchId, ReportingMismatches.MaxRows)).Largest.Select(m => (m.HospitalId, m.ProductId, m.Reported, m.PlatformUnits + m.OffPlatformUnits, m.Difference))];
}

public sealed class SqliteOrderFiguresTests(SqliteClusterFixture fixture) : OrderFiguresTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresOrderFiguresTests(PostgresClusterFixture fixture) : OrderFiguresTests(fixture), IClassFixture<PostgresClusterFixture>;
