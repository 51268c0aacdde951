using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// Agreement completion counts what hospitals accepted on the platform, and only that: over a
/// random sequence of orders, split shipments, partial acceptances and rejections, the counted and
/// surplus units equal the accepted units, the kept rows equal the figures summed from the lines,
/// and a rebuild of the kept rows (as the first start after migration 0015 does) gives them again.
/// </summary>
public abstract class CompletionFromDeliveriesTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task Over_random_order_sequences_completion_equals_the_accepted_volumes()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(2).AddHours(10));
        var random = new Random(20_261_203);
        var accepted = new Dictionary<string, long>(StringComparer.Ordinal) { [s.Hospital1] = 0, [s.Hospital2] = 0 };
        var shipped = 0L;
        for (var step = 0; step < 24; step++)
        {
            var hospitalId = random.Next(3) == 0 ? s.Hospital2 : s.Hospital1;
            var productId = hospitalId == s.Hospital1 && random.Next(3) == 0 ? s.Amlodipine : s.Atorvastatin;
            var orders = Grains.GetGrain<IHospitalOrdersGrain>(hospitalId);
            var quantity = random.NextInt64(1, 12_000);
            var order = await orders.PlaceOrderAsync(new OrderRequest($"p-{step}", [new OrderLineRequest(productId, quantity, "Pharmacy", OrderUrgency.Normal)]));
            var line = order.Lines[0];
            await orders.RespondToLineAsync(line.ManufacturerId, $"c-{step}", order.OrderId, 1, true, null);
            var left = quantity;
            for (var part = 0; left > 0 && part < 3; part++)
            {
                var units = part == 2 ? left : random.NextInt64(1, left + 1);
                left -= units;
                shipped += units;
                var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
                var delivery = await orders.ShipAsync(line.ManufacturerId, new ShipmentRequest($"s-{step}-{part}", order.OrderId, 1, units, $"LOT-{step}", expiry));
                var decision = random.Next(4) switch
                {
                    0 => new DeliveryDecision($"a-{step}-{part}", false, null, DeliveryRejection.Damaged),
                    1 => new DeliveryDecision($"a-{step}-{part}", true, units / 2, DeliveryRejection.QuantityShort),
                    _ => new DeliveryDecision($"a-{step}-{part}", true),
                };
                var decided = await orders.DecideDeliveryAsync(delivery.DeliveryId, decision);
                accepted[hospitalId] += decided.AcceptedUnits;
            }
            // Days pass between orders, within the first agreement year.
            fixture.Clock.Advance(TimeSpan.FromHours(random.Next(1, 200)));
        }
        Assert.True(accepted.Values.All(v => v > 0) && accepted.Values.Sum() < shipped, "the sequence should accept some and turn some away at each hospital");

        var monitoring = Grains.GetGrain<IMonitoringGrain>(0);
        var byHospital = await monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Hospital);
        foreach (var (hospitalId, units) in accepted)
        {
            var figures = byHospital.Single(c => c.Key == hospitalId);
            Assert.Equal(units, figures.CountedUnits + figures.SurplusUnits);
            Assert.Equal(0, figures.DeclaredOffPlatformUnits);
        }
        await AssertKeptMatchesLinesAsync(s.BatchId);

        // Rows kept wrong (as the rows kept before migration 0015 counted the self-report) are made again from the lines.
        await fixture.Cluster.Database.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            await connection.ExecuteAsync("UPDATE completion_hospitals SET counted = counted + 7, declared = 3 WHERE batch_id = @BatchId", new { s.BatchId }, transaction);
            await connection.ExecuteAsync("UPDATE completion_agreements SET counted = counted + 7 WHERE batch_id = @BatchId", new { s.BatchId }, transaction);
        });
        Assert.NotEqual(byHospital, await monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Hospital));
        Assert.True(await ProcurementStore.RebuildCompletionAsync(fixture.Cluster.Database.Dialect) >= 1);
        Assert.Equal(byHospital, await monitoring.GetCompletionAsync(s.BatchId, CompletionLevel.Hospital));
        await AssertKeptMatchesLinesAsync(s.BatchId);
    }

    private async Task AssertKeptMatchesLinesAsync(string batchId)
    {
        var monitoring = fixture.Cluster.SiloServices.GetRequiredService<MonitoringRepository>();
        var now = fixture.Clock.GetUtcNow();
        foreach (var level in Enum.GetValues<CompletionLevel>())
        {
            Assert.Equal(await monitoring.RecomputeAsync(batchId, level, now), await monitoring.CompletionAsync(batchId, level, now));
        }
    }
}

public sealed class SqliteCompletionFromDeliveriesTests(SqliteClusterFixture fixture) : CompletionFromDeliveriesTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresCompletionFromDeliveriesTests(PostgresClusterFixture fixture) : CompletionFromDeliveriesTests(fixture), IClassFixture<PostgresClusterFixture>;
