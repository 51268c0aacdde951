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

    [Fact]
    public async Task Over_random_order_sequences_with_refusals_and_lapses_a_line_is_marked_surplus_exactly_beyond_the_remaining_agreed_volume()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(1).AddHours(10));
        var orders = Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var first = await orders.PlaceOrderAsync(new OrderRequest("probe", [new OrderLineRequest(s.Atorvastatin, 1, "Pharmacy", OrderUrgency.Normal)]));
        var agreementId = first.Lines[0].AgreementId!.Value.ToString();
        var manufacturerId = first.Lines[0].ManufacturerId;
        await orders.RespondToLineAsync(manufacturerId, "probe-c", first.OrderId, 1, true, null);
        // The agreed volume of the first agreement year, as awarded: what the test's own count is held to.
        var agreed = await fixture.Cluster.Database.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT annual_volume FROM agreement_hospitals WHERE agreement_id = @AgreementId AND hospital_id = @HospitalId",
            new { AgreementId = agreementId, HospitalId = s.Hospital1 }));
        Assert.True(agreed > 100, $"the scenario's agreed volume {agreed} is too small for the sequence");
        // Lines that still draw (placed, confirmed, fulfilled): the test's count of their unmarked units.
        var live = new Dictionary<(Guid, int), long> { [(first.OrderId, 1)] = 1 };
        var random = new Random(20_261_205);
        var (refused, lapsed, marked) = (0, 0, 0);
        for (var step = 0; step < 40; step++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => new OrderLineRequest(s.Atorvastatin, random.NextInt64(1, agreed / 3), "Pharmacy", OrderUrgency.Normal))
                .ToList();
            var order = await orders.PlaceOrderAsync(new OrderRequest($"p-{step}", lines));
            foreach (var line in order.Lines)
            {
                var remaining = Math.Max(0, agreed - live.Values.Sum());
                Assert.Equal(Math.Max(0, line.Quantity - remaining), line.SurplusUnits);
                Assert.Equal(OrderLineKind.Agreed, line.Kind);
                marked += line.SurplusUnits > 0 ? 1 : 0;
                live[(order.OrderId, line.LineNo)] = line.Quantity - line.SurplusUnits;
            }
            foreach (var line in order.Lines)
            {
                switch (random.Next(5))
                {
                    case 0:
                        await orders.RespondToLineAsync(manufacturerId, $"r-{step}-{line.LineNo}", order.OrderId, line.LineNo, false, "Out of stock");
                        live.Remove((order.OrderId, line.LineNo));
                        refused++;
                        break;
                    case 1:
                        // Left unanswered: the clock lapses it below, and it draws no more.
                        break;
                    case 2:
                        var confirmed = await orders.RespondToLineAsync(manufacturerId, $"c-{step}-{line.LineNo}", order.OrderId, line.LineNo, true, null);
                        var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
                        var delivery = await orders.ShipAsync(manufacturerId, new ShipmentRequest($"s-{step}-{line.LineNo}", order.OrderId, line.LineNo, confirmed.Quantity, "LOT", expiry));
                        await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"a-{step}-{line.LineNo}", true));
                        break;
                    default:
                        await orders.RespondToLineAsync(manufacturerId, $"c-{step}-{line.LineNo}", order.OrderId, line.LineNo, true, null);
                        break;
                }
            }
            // A day passes: every unanswered line's window (24 h) closes and the order clock lapses it.
            fixture.Clock.Advance(TimeSpan.FromHours(25));
            await fixture.Cluster.SiloGrainFactory.GetGrain<IOrderClockGrain>(0).SweepAsync();
            foreach (var line in (await orders.GetOrderAsync(order.OrderId)).Lines.Where(l => l.State == OrderLineState.Lapsed))
            {
                Assert.True(live.Remove((order.OrderId, line.LineNo)), $"line {line.LineNo} of step {step} lapsed after an answer");
                lapsed++;
            }
        }
        Assert.True(refused > 0 && lapsed > 0 && marked > 0, $"the sequence should refuse ({refused}), lapse ({lapsed}) and mark surplus ({marked})");
        // The store's draw-down (the lines that still draw) is the test's own count, and never above the agreed volume.
        var drawn = await fixture.Cluster.Database.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COALESCE(SUM(quantity - surplus_units), 0) FROM order_lines WHERE agreement_id = @AgreementId AND hospital_id = @HospitalId AND state NOT IN (2, 3)",
            new { AgreementId = agreementId, HospitalId = s.Hospital1 }));
        Assert.Equal(live.Values.Sum(), drawn);
        Assert.InRange(drawn, 0, agreed);
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
