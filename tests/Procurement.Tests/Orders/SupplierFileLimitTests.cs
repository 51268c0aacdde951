using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// A supplier's file of a period holds at most <see cref="PurchasingRecord.MaxRows"/> lines, each
/// whole: at the limit it is all there; one line more and it is refused naming the period, never cut
/// short (a national manufacturer asks a day at a time, or pages the API). On SQLite: the limit is
/// the grain's, the same on every database.
/// </summary>
public sealed class SupplierFileLimitTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task A_period_of_exactly_the_limit_is_whole_and_one_line_more_is_refused_naming_the_period()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(3).AddHours(2));
        var orders = fixture.Cluster.Client.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        const int perOrder = 500;
        for (var placed = 0; placed < PurchasingRecord.MaxRows; placed += perOrder)
        {
            await orders.PlaceOrderAsync(new OrderRequest($"bulk-{placed}",
                [.. Enumerable.Range(0, Math.Min(perOrder, PurchasingRecord.MaxRows - placed)).Select(i => new OrderLineRequest(s.Atorvastatin, 1, $"Ward {i}", OrderUrgency.Normal))]));
        }
        var directory = fixture.Cluster.Client.GetGrain<IOrderDirectoryGrain>(0);
        var day = TimeZoneInfo.ConvertTime(fixture.Clock.GetUtcNow(), Zone).ToString("yyyy-MM-dd");
        var month = Months.Format(startMonth);

        var whole = await directory.GetSupplierRecordAsync(s.Maker1, month, month);
        Assert.Equal(PurchasingRecord.MaxRows, whole.Count);
        Assert.Equal(PurchasingRecord.MaxRows, whole.Select(l => (l.Line.OrderId, l.Line.LineNo)).Distinct().Count());

        await orders.PlaceOrderAsync(new OrderRequest("bulk-one-more", [new OrderLineRequest(s.Atorvastatin, 1, "Ward X", OrderUrgency.Normal)]));
        foreach (var (from, to) in new[] { (month, month), (day, day) })
        {
            var refused = await Refused.WithAsync(ErrorCodes.TooManyRows, () => directory.GetSupplierRecordAsync(s.Maker1, from, to));
            Assert.Equal("from", refused.Field);
        }
        // Another supplier's file of the same period is untouched by them.
        Assert.Empty(await directory.GetSupplierRecordAsync(s.Maker2, month, month));
    }
}
