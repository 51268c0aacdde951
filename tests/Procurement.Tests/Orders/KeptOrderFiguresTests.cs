using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Orders;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// The sums migration 0020's triggers keep for the figures equal the same sums taken from the rows,
/// over a random sequence of every move the order grains make (answers after random times, refusals,
/// lapses, split shipments, partial and rejected acceptances, deemed acceptance, invoices, payments by
/// the hospital and the fund, overdue flags), added up over the stripes PostgreSQL's concurrent
/// writers keep apart; and a line's placed facts cannot be changed under them.
/// </summary>
public abstract class KeptOrderFiguresTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private IGrainFactory Grains => fixture.Cluster.Client;

    private ProcurementStore Store => fixture.Cluster.Database;

    private Task<int> SweepAsync() => fixture.Cluster.SiloGrainFactory.GetGrain<IOrderClockGrain>(0).SweepAsync();

    [Fact]
    public async Task Over_random_move_sequences_the_kept_sums_equal_the_sums_of_the_rows()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(20).AddHours(10));
        var random = new Random(20_261_204);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 20; step++)
        {
            var hospitalId = random.Next(3) == 0 ? s.Hospital2 : s.Hospital1;
            var orders = Grains.GetGrain<IHospitalOrdersGrain>(hospitalId);
            var lines = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => new OrderLineRequest(hospitalId == s.Hospital1 && random.Next(3) == 0 ? s.Amlodipine : s.Atorvastatin,
                    random.NextInt64(1, 500), "Pharmacy", random.Next(4) == 0 ? OrderUrgency.Emergency : OrderUrgency.Normal))
                .ToList();
            var order = await orders.PlaceOrderAsync(new OrderRequest($"p-{step}", lines));
            var confirmed = new List<OrderLine>();
            foreach (var line in order.Lines)
            {
                // Answers come within the shortest window (8 hours for an emergency line).
                fixture.Clock.Advance(TimeSpan.FromSeconds(random.Next(1, 9_000)));
                switch (random.Next(6))
                {
                    case 0:
                        seen.Add("refused");
                        await orders.RespondToLineAsync(line.ManufacturerId, $"r-{step}-{line.LineNo}", order.OrderId, line.LineNo, false, "out of stock");
                        break;
                    case 1:
                        seen.Add("unanswered");
                        break;
                    default:
                        await orders.RespondToLineAsync(line.ManufacturerId, $"r-{step}-{line.LineNo}", order.OrderId, line.LineNo, true, null);
                        confirmed.Add(line);
                        break;
                }
            }
            foreach (var line in confirmed)
            {
                var key = $"{step}-{line.LineNo}";
                var left = line.Quantity;
                for (var part = 0; left > 0 && part < 2 && random.Next(5) > 0; part++)
                {
                    var units = part == 1 ? left : random.NextInt64(1, left + 1);
                    left -= units;
                    fixture.Clock.Advance(TimeSpan.FromHours(random.Next(1, 40)));
                    var expiry = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime).AddYears(2);
                    var delivery = await orders.ShipAsync(line.ManufacturerId, new ShipmentRequest($"s-{key}-{part}", order.OrderId, line.LineNo, units, $"LOT-{key}", expiry));
                    var invoiced = random.Next(2) == 0;
                    if (invoiced)
                    {
                        await orders.InvoiceAsync(line.ManufacturerId, new InvoiceRequest($"i-{key}-{part}", delivery.DeliveryId, $"INV-{key}-{part}"));
                    }
                    var decision = random.Next(5) switch
                    {
                        0 => new DeliveryDecision($"a-{key}-{part}", false, null, DeliveryRejection.Damaged),
                        1 => new DeliveryDecision($"a-{key}-{part}", true, units / 2, DeliveryRejection.QuantityShort),
                        2 => null,
                        _ => new DeliveryDecision($"a-{key}-{part}", true),
                    };
                    if (decision is null)
                    {
                        seen.Add("left to the clock");
                        continue;
                    }
                    var decided = await orders.DecideDeliveryAsync(delivery.DeliveryId, decision);
                    if (decided.State != DeliveryState.Accepted)
                    {
                        continue;
                    }
                    var invoice = invoiced
                        ? (await orders.ListInvoicesAsync(500)).Single(i => i.DeliveryId == delivery.DeliveryId)
                        : await orders.InvoiceAsync(line.ManufacturerId, new InvoiceRequest($"i-{key}-{part}", delivery.DeliveryId, $"INV-{key}-{part}"));
                    switch (random.Next(4))
                    {
                        case 0:
                            seen.Add("paid by the fund");
                            await orders.SettleDirectlyAsync(new PaymentRequest($"f-{key}-{part}", invoice.InvoiceId, $"FUND-{key}"));
                            break;
                        case 1:
                            seen.Add("left unpaid");
                            break;
                        default:
                            fixture.Clock.Advance(TimeSpan.FromDays(random.Next(0, 3)));
                            await orders.PayAsync(new PaymentRequest($"h-{key}-{part}", invoice.InvoiceId, $"BANK-{key}"));
                            break;
                    }
                }
            }
            // Days pass: windows close, deliveries are deemed accepted, invoices fall overdue.
            fixture.Clock.Advance(TimeSpan.FromHours(random.Next(1, 7 * 24)));
            await SweepAsync();
        }
        Assert.Equal(["left to the clock", "left unpaid", "paid by the fund", "refused", "unanswered"], seen.Order(StringComparer.Ordinal));
        var counts = await Store.ReadAsync(c => c.QuerySingleAsync<(long Lapsed, long Fulfilled, long Overdue, long Paid)>("""
            SELECT (SELECT COUNT(*) FROM order_lines WHERE alliance_id = @AllianceId AND state = @Lapsed),
                   (SELECT COUNT(*) FROM order_lines WHERE alliance_id = @AllianceId AND state = @Fulfilled),
                   (SELECT COUNT(*) FROM invoices WHERE alliance_id = @AllianceId AND state = @Overdue),
                   (SELECT COUNT(*) FROM payments WHERE alliance_id = @AllianceId)
            """, new { s.AllianceId, Lapsed = (int)OrderLineState.Lapsed, Fulfilled = (int)OrderLineState.Fulfilled, Overdue = (int)InvoiceState.Overdue }));
        Assert.True(counts.Lapsed > 0 && counts.Fulfilled > 0 && counts.Overdue > 0 && counts.Paid > 0, $"the sequence should reach every state: {counts}");
        // Migration 0030's index of the lines not fulfilled is partial on delivered_on_time: it must be null on exactly those.
        var misplaced = await Store.ReadAsync(c => c.QuerySingleAsync<(long NotFulfilledWithTime, long FulfilledWithout, long Unfulfilled)>("""
            SELECT (SELECT COUNT(*) FROM order_lines WHERE alliance_id = @AllianceId AND state <> @Fulfilled AND delivered_on_time IS NOT NULL),
                   (SELECT COUNT(*) FROM order_lines WHERE alliance_id = @AllianceId AND state = @Fulfilled AND delivered_on_time IS NULL),
                   (SELECT COUNT(*) FROM order_lines WHERE alliance_id = @AllianceId AND state <> @Fulfilled)
            """, new { s.AllianceId, Fulfilled = (int)OrderLineState.Fulfilled }));
        Assert.Equal((0L, 0L), (misplaced.NotFulfilledWithTime, misplaced.FulfilledWithout));
        Assert.True(misplaced.Unfulfilled > 0);

        Assert.Equal(await SupplyFromRowsAsync(s.AllianceId), await SupplyKeptAsync(s.AllianceId));
        Assert.Equal(await AnswersFromRowsAsync(s.AllianceId), await AnswersKeptAsync(s.AllianceId));
        Assert.Equal(await HospitalsFromRowsAsync([s.Hospital1, s.Hospital2]), await HospitalsKeptAsync([s.Hospital1, s.Hospital2]));
        Assert.NotEmpty(await HospitalsKeptAsync([s.Hospital1, s.Hospital2]));
    }

    [Fact]
    public void The_fulfilled_state_written_as_a_literal_in_the_figures_is_the_enums() =>
        Assert.Equal(OrderFiguresGrain.FulfilledState, ((int)OrderLineState.Fulfilled).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_placed_line_cannot_be_changed_under_its_kept_sums()
    {
        var s = new Scenario(Grains, fixture.Clock);
        var startMonth = Months.Of(fixture.Clock.GetUtcNow().AddDays(9), Zone) + 1;
        await s.AwardAndFinaliseAsync(fixture.Clock, Months.FirstDay(startMonth));
        fixture.Clock.SetUtcNow(Months.Begins(startMonth, Zone).AddDays(3).AddHours(10));
        var order = await Grains.GetGrain<IHospitalOrdersGrain>(s.Hospital1).PlaceOrderAsync(
            new OrderRequest("facts-1", [new OrderLineRequest(s.Atorvastatin, 40, "Pharmacy", OrderUrgency.Normal)]));
        var before = await SupplyKeptAsync(s.AllianceId);

        foreach (var change in new[] { "quantity = quantity + 1", "month = month - 1", "hospital_id = hospital_id", "unit_price_e6 = unit_price_e6 * 2" })
        {
            await Assert.ThrowsAnyAsync<ProcurementException>(() => Store.WriteAsync((c, t) =>
                c.ExecuteAsync($"UPDATE order_lines SET {change} WHERE order_id = @OrderId", new { OrderId = order.OrderId.ToString() }, t)));
        }
        Assert.Equal(before, await SupplyKeptAsync(s.AllianceId));
        Assert.Equal(40, await Store.ReadAsync(c => c.QuerySingleAsync<long>("SELECT quantity FROM order_lines WHERE order_id = @OrderId", new { OrderId = order.OrderId.ToString() })));
    }

    private Task<List<(string, long, string, string, string, long, long, long, long, long)>> SupplyKeptAsync(string allianceId) =>
        ListAsync<(string, long, string, string, string, long, long, long, long, long)>("""
            SELECT alliance_id, CAST(month AS BIGINT), manufacturer_id, region_code, product_id, CAST(SUM(lines) AS BIGINT), CAST(SUM(ordered) AS BIGINT),
                   CAST(SUM(accepted) AS BIGINT), CAST(SUM(fulfilled) AS BIGINT), CAST(SUM(on_time) AS BIGINT)
              FROM order_supply_figures WHERE alliance_id = @Id
             GROUP BY alliance_id, month, manufacturer_id, region_code, product_id
             ORDER BY month, manufacturer_id, region_code, product_id
            """, allianceId);

    private Task<List<(string, long, string, string, string, long, long, long, long, long)>> SupplyFromRowsAsync(string allianceId) =>
        ListAsync<(string, long, string, string, string, long, long, long, long, long)>("""
            SELECT alliance_id, CAST(month AS BIGINT), manufacturer_id, region_code, product_id, CAST(COUNT(*) AS BIGINT), CAST(SUM(quantity) AS BIGINT),
                   CAST(SUM(accepted_units) AS BIGINT), CAST(SUM(CASE WHEN state = 4 THEN 1 ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN state = 4 AND delivered_on_time = 1 THEN 1 ELSE 0 END) AS BIGINT)
              FROM order_lines WHERE alliance_id = @Id
             GROUP BY alliance_id, month, manufacturer_id, region_code, product_id
             ORDER BY month, manufacturer_id, region_code, product_id
            """, allianceId);

    private Task<List<(long, string, string, string, long, long)>> AnswersKeptAsync(string allianceId) =>
        ListAsync<(long, string, string, string, long, long)>("""
            SELECT CAST(month AS BIGINT), manufacturer_id, region_code, product_id, quarter, CAST(SUM(answers) AS BIGINT) FROM order_answer_figures WHERE alliance_id = @Id
             GROUP BY month, manufacturer_id, region_code, product_id, quarter
             ORDER BY month, manufacturer_id, region_code, product_id, quarter
            """, allianceId);

    private Task<List<(long, string, string, string, long, long)>> AnswersFromRowsAsync(string allianceId) =>
        ListAsync<(long, string, string, string, long, long)>("""
            SELECT CAST(month AS BIGINT), manufacturer_id, region_code, product_id, response_seconds / 900, CAST(COUNT(*) AS BIGINT) FROM order_lines
             WHERE alliance_id = @Id AND response_seconds IS NOT NULL
             GROUP BY month, manufacturer_id, region_code, product_id, response_seconds / 900
             ORDER BY month, manufacturer_id, region_code, product_id, response_seconds / 900
            """, allianceId);

    private Task<List<(string, long, string, long, long, long, long, long, long, long)>> HospitalsKeptAsync(string[] hospitals) =>
        ListAsync<(string, long, string, long, long, long, long, long, long, long)>("""
            SELECT hospital_id, CAST(month AS BIGINT), alliance_id, CAST(SUM(amount_e6) AS BIGINT), CAST(SUM(selected_units) AS BIGINT), CAST(SUM(molecule_units) AS BIGINT),
                   CAST(SUM(invoices_due) AS BIGINT), CAST(SUM(paid) AS BIGINT), CAST(SUM(paid_on_time) AS BIGINT), CAST(SUM(payable_seconds) AS BIGINT)
              FROM order_hospital_figures WHERE hospital_id IN (@H1, @H2)
             GROUP BY hospital_id, month, alliance_id
             ORDER BY hospital_id, month, alliance_id
            """, hospitals);

    // Agreed lines only in this sequence: their units are the selected product's and count toward its molecule.
    private Task<List<(string, long, string, long, long, long, long, long, long, long)>> HospitalsFromRowsAsync(string[] hospitals) =>
        ListAsync<(string, long, string, long, long, long, long, long, long, long)>("""
            SELECT hospital_id, CAST(month AS BIGINT), alliance_id, CAST(SUM(amount) AS BIGINT), CAST(SUM(selected) AS BIGINT), CAST(SUM(molecule) AS BIGINT),
                   CAST(SUM(due) AS BIGINT), CAST(SUM(paid) AS BIGINT), CAST(SUM(on_time) AS BIGINT), CAST(SUM(seconds) AS BIGINT)
              FROM (SELECT hospital_id, month, alliance_id, accepted_units * unit_price_e6 AS amount,
                           CASE WHEN state IN (2, 3) THEN 0 ELSE quantity END AS selected, CASE WHEN state IN (2, 3) THEN 0 ELSE quantity END AS molecule,
                           0 AS due, 0 AS paid, 0 AS on_time, 0 AS seconds
                      FROM order_lines WHERE hospital_id IN (@H1, @H2)
                    UNION ALL
                    SELECT hospital_id, month, alliance_id, 0, 0, 0, CASE WHEN state IN (2, 3) THEN 1 ELSE 0 END, 0, 0, 0
                      FROM invoices WHERE hospital_id IN (@H1, @H2)
                    UNION ALL
                    SELECT hospital_id, month, alliance_id, 0, 0, 0, 0, 1, on_time, payable_seconds
                      FROM payments WHERE hospital_id IN (@H1, @H2)) parts
             GROUP BY hospital_id, month, alliance_id
             ORDER BY hospital_id, month, alliance_id
            """, hospitals);

    private async Task<List<T>> ListAsync<T>(string sql, string id) =>
        await Store.ReadAsync(async c => (await c.QueryAsync<T>(sql, new { Id = id })).ToList());

    private async Task<List<T>> ListAsync<T>(string sql, string[] hospitals) =>
        await Store.ReadAsync(async c => (await c.QueryAsync<T>(sql, new { H1 = hospitals[0], H2 = hospitals[1] })).ToList());
}

public sealed class SqliteKeptOrderFiguresTests(SqliteClusterFixture fixture) : KeptOrderFiguresTests(fixture), IClassFixture<SqliteClusterFixture>
{
    // The lines not fulfilled are read from the partial index of migration 0030 (not by a scan of
    // every line of the months), which SQLite uses only when the query names its predicate; keyed
    // by the delivery time since migration 0036, the read ranges over the lines already due since
    // the first month began (not back through every refused and lapsed line of earlier months).
    [Fact]
    public async Task Supply_performance_reads_the_lines_not_fulfilled_from_their_partial_index()
    {
        var plan = await fixture.Cluster.Database.ReadAsync(async c => (await c.QueryAsync<(long, long, long, string)>("EXPLAIN QUERY PLAN " + OrderFiguresGrain.SupplySql,
            new { AllianceId = "A", From = 1, To = 2, Since = DateTimeOffset.UnixEpoch, Now = DateTimeOffset.UnixEpoch, MedianPerMille = 500, P90PerMille = 900 })).Select(r => r.Item4).ToList());
        Assert.Contains("SEARCH order_lines USING INDEX ix_order_lines_unfulfilled (alliance_id=? AND deliver_by>? AND deliver_by<?)", plan);
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN order_lines", StringComparison.Ordinal));
    }

    // A supplier's inbox reads its lines newest first from ix_order_lines_supplier and stops at its
    // limit; the one query it was (manufacturer OR designated by EXISTS) scanned every line of the
    // platform and sorted them, at every inbox page and supplier export.
    [Fact]
    public async Task A_suppliers_lines_are_read_from_the_supplier_index_not_by_a_scan_of_every_line()
    {
        foreach (var sql in new[] { OrderDirectoryGrain.ManufacturerLinesSql, OrderDirectoryGrain.DesignatedLinesSql })
        {
            var plan = await PlanAsync(sql, new { ManufacturerId = "M", RegionCode = "R" });
            Assert.Contains("SEARCH l USING INDEX ix_order_lines_supplier (manufacturer_id=?)", plan);
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
        }
        // A page after the first seeks its cursor's time in the index (the lines before it are never read).
        foreach (var sql in new[] { OrderDirectoryGrain.ManufacturerLinesAfterSql, OrderDirectoryGrain.DesignatedLinesAfterSql })
        {
            var plan = await PlanAsync(sql, new { ManufacturerId = "M", RegionCode = "R", At = DateTimeOffset.UnixEpoch, OrderId = "o", LineNo = 1 });
            Assert.Contains("SEARCH l USING INDEX ix_order_lines_supplier (manufacturer_id=? AND placed_at<?)", plan);
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
        }
    }

    // A hospital's receipts to accept and invoices to pay are read from its own rows (its indexes
    // by hospital), never from the platform-wide due indexes of the order clock; the states named
    // are the enums'.
    [Fact]
    public async Task A_hospitals_waiting_work_is_read_from_its_own_rows()
    {
        var deliveries = await PlanAsync(OrderRepository.SelectDeliveriesToAcceptSql, new { HospitalId = "H" });
        Assert.Contains(deliveries, step => step.StartsWith("SEARCH d USING INDEX ix_deliveries_hospital (hospital_id=?)", StringComparison.Ordinal));
        var invoices = await PlanAsync(OrderRepository.SelectInvoicesToPaySql, new { HospitalId = "H" });
        Assert.Contains(invoices, step => step.StartsWith("SEARCH i USING INDEX ix_invoices_hospital (hospital_id=?)", StringComparison.Ordinal));
        Assert.All(deliveries.Concat(invoices), step => Assert.False(step.StartsWith("SCAN", StringComparison.Ordinal), step));
        Assert.Equal((0, 1, 2), ((int)DeliveryState.Shipped, (int)InvoiceState.Payable, (int)InvoiceState.Overdue));
    }

    // A batch's purchasing is read for OCDS a page at a time, agreement by agreement: each
    // agreement's parties by key, each party's lines through the draw-down index, sorted one
    // hospital at a time; never a scan or sort of the batch's lines (a national batch holds
    // tens of millions), nor of the deliveries.
    [Fact]
    public async Task A_batchs_purchasing_pages_are_read_by_agreement_and_hospital_through_their_indexes()
    {
        var lines = await PlanAsync(OrderDirectoryGrain.AgreementLinesSql + " LIMIT @Take", new { AgreementId = "A", HospitalAfter = "", Take = 10 });
        Assert.Equal(
            ["SEARCH h USING COVERING INDEX sqlite_autoindex_agreement_hospitals_1 (agreement_id=? AND hospital_id>?)",
             "SEARCH l USING INDEX ix_order_lines_drawdown (hospital_id=? AND agreement_id=?)",
             "USE TEMP B-TREE FOR LAST 3 TERMS OF ORDER BY"],
            lines);
        var cursorHospital = await PlanAsync(OrderDirectoryGrain.HospitalLinesAfterSql + " LIMIT @Take",
            new { AgreementId = "A", HospitalId = "H", At = DateTimeOffset.UnixEpoch, OrderId = "o", LineNo = 1, Take = 10 });
        Assert.Contains("SEARCH l USING INDEX ix_order_lines_drawdown (hospital_id=? AND agreement_id=?)", cursorHospital);
        Assert.DoesNotContain(cursorHospital, step => step.StartsWith("SCAN", StringComparison.Ordinal));
        var settlements = await PlanAsync(OrderDirectoryGrain.AgreementSettlementsSql, new { AgreementId = "A", HospitalFrom = "", HospitalTo = "Z", Accepted = 1 });
        Assert.Contains("SEARCH h USING COVERING INDEX sqlite_autoindex_agreement_hospitals_1 (agreement_id=? AND hospital_id>? AND hospital_id<?)", settlements);
        Assert.Contains("SEARCH l USING INDEX ix_order_lines_drawdown (hospital_id=? AND agreement_id=?)", settlements);
        Assert.Contains("SEARCH d USING INDEX ix_deliveries_line (order_id=? AND line_no=?)", settlements);
        Assert.DoesNotContain(settlements, step => step.StartsWith("SCAN", StringComparison.Ordinal) || step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    private Task<List<string>> PlanAsync(string sql, object parameters) =>
        fixture.Cluster.Database.ReadAsync(async c => (await c.QueryAsync<(long, long, long, string)>("EXPLAIN QUERY PLAN " + sql, parameters)).Select(r => r.Item4).ToList());

    // Migration 0039: a supplier's work queues are read from rows that hold only the waiting work
    // (the partial index of its lines placed or confirmed, the queue of its deliveries not
    // invoiced), by manufacturer, so a national manufacturer's inbox never reads the lines it has
    // done with. The SQL's literal states are the enum's.
    [Fact]
    public async Task A_suppliers_work_queues_are_read_from_the_rows_of_waiting_work_only()
    {
        foreach (var sql in new[]
        {
            OrderDirectoryGrain.ManufacturerToAnswerSql, OrderDirectoryGrain.DesignatedToAnswerSql,
            OrderDirectoryGrain.ManufacturerToShipSql, OrderDirectoryGrain.DesignatedToShipSql,
        })
        {
            var plan = await PlanAsync(sql, new { ManufacturerId = "M", RegionCode = "R" });
            Assert.Contains("SEARCH l USING INDEX ix_order_lines_open (manufacturer_id=?)", plan);
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
        }
        // The lines to ship come in the index's order: only the lines of one delivery time are
        // sorted by key among themselves (SQLite's "RIGHT PART" or "LAST 2 TERMS" of the ORDER BY),
        // never the supplier's waiting lines as a whole.
        var toShip = await PlanAsync(OrderDirectoryGrain.ManufacturerToShipSql, new { ManufacturerId = "M" });
        Assert.DoesNotContain("USE TEMP B-TREE FOR ORDER BY", toShip);
        Assert.Contains(toShip, step => step.StartsWith("USE TEMP B-TREE FOR", StringComparison.Ordinal));
        foreach (var sql in new[] { OrderDirectoryGrain.ManufacturerToInvoiceSql, OrderDirectoryGrain.DesignatedToInvoiceSql })
        {
            var plan = await PlanAsync(sql, new { ManufacturerId = "M", RegionCode = "R" });
            Assert.Contains("SEARCH q USING PRIMARY KEY (manufacturer_id=?)", plan);
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
        }
        Assert.Equal(OrderRepository.ConfirmedState, ((int)OrderLineState.Confirmed).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([OrderLineState.Placed, OrderLineState.Confirmed], Enum.GetValues<OrderLineState>().Where(state => (int)state < 2));
    }

    // Migration 0038: a supplier's receivables (every invoice not paid, not only those of the lines
    // its inbox shows) are read from the partial index of the invoices not paid, by manufacturer,
    // oldest first, for the list and the sums by age alike; the SQL's literal state is the enum's.
    [Fact]
    public async Task A_suppliers_receivables_are_read_from_the_partial_index_of_unpaid_invoices()
    {
        foreach (var sql in new[]
        {
            OrderRepository.SelectManufacturerReceivablesSql, OrderRepository.SelectDesignatedReceivablesSql,
            OrderRepository.SelectManufacturerReceivableAgesSql, OrderRepository.SelectDesignatedReceivableAgesSql,
        })
        {
            var plan = await fixture.Cluster.Database.ReadAsync(async c => (await c.QueryAsync<(long, long, long, string)>("EXPLAIN QUERY PLAN " + sql,
                new { ManufacturerId = "M", RegionCode = "R", ShippedBy = "D", After30 = DateTimeOffset.UnixEpoch, After60 = DateTimeOffset.UnixEpoch, After90 = DateTimeOffset.UnixEpoch })).Select(r => r.Item4).ToList());
            Assert.Contains("SEARCH i USING INDEX ix_invoices_receivable (manufacturer_id=?)", plan);
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal)
                || (step.Contains("TEMP B-TREE", StringComparison.Ordinal) && step.Contains("ORDER BY", StringComparison.Ordinal)));
        }
        Assert.All(new[] { InvoiceState.Issued, InvoiceState.Payable, InvoiceState.Overdue }, state => Assert.True((int)state < 3));
        Assert.All(new[] { InvoiceState.Paid, InvoiceState.Void }, state => Assert.True((int)state >= 3));
        Assert.Equal(5, Enum.GetValues<InvoiceState>().Length);
    }

    // Migration 0030 keeps only a batch's events in ix_events_batch (the purchasing's events have
    // none); a batch's events are still read through it.
    [Fact]
    public async Task A_batchs_events_are_read_from_the_partial_batch_index()
    {
        var plan = await fixture.Cluster.Database.ReadAsync(async c => (await c.QueryAsync<(long, long, long, string)>("EXPLAIN QUERY PLAN " + EventLog.SelectByBatchSql,
            new { BatchId = "B" })).Select(r => r.Item4).ToList());
        Assert.Equal(["SEARCH events USING INDEX ix_events_batch (batch_id=?)"], plan);
    }

    // Migration 0035: the order clock finds the hospitals with a window or due date passed by a
    // range of each due index (partial on the one state it looks for), not by scanning every row
    // through the hospitals' indexes, as SQLite did with the parts joined by UNION.
    [Fact]
    public async Task The_order_clock_reads_the_rows_due_from_their_partial_indexes()
    {
        var plan = await fixture.Cluster.Database.ReadAsync(async c => (await c.QueryAsync<(long, long, long, string)>("EXPLAIN QUERY PLAN " + OrderRepository.SelectDueHospitalsSql,
            new { Now = DateTimeOffset.UnixEpoch })).Select(r => r.Item4).ToList());
        Assert.Contains("SEARCH order_lines USING INDEX ix_order_lines_due (respond_by<?)", plan);
        Assert.Contains("SEARCH deliveries USING INDEX ix_deliveries_due (accept_by<?)", plan);
        Assert.Contains("SEARCH invoices USING INDEX ix_invoices_due (due_at<?)", plan);
        Assert.Equal(OrderRepository.PlacedState, ((int)OrderLineState.Placed).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(OrderRepository.ShippedState, ((int)DeliveryState.Shipped).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(OrderRepository.PayableState, ((int)InvoiceState.Payable).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // Migration 0032: the components bought separately of a batch or of a manufacturer's agreements
    // are read from the few lines that buy one, not from every line of the platform.
    [Fact]
    public async Task Components_bought_separately_are_read_from_their_partial_index()
    {
        foreach (var (sql, args) in new (string, object)[]
                 {
                     (MonitoringRepository.SelectComponentPurchasesSql, new { BatchId = "B" }),
                     (MonitoringRepository.SelectComponentPurchasesOfManufacturerSql, new { ManufacturerId = "M" }),
                 })
        {
            var plan = await fixture.Cluster.Database.ReadAsync(async c => (await c.QueryAsync<(long, long, long, string)>("EXPLAIN QUERY PLAN " + sql, args)).Select(r => r.Item4).ToList());
            Assert.Contains(plan, step => step.Contains("l USING INDEX ix_order_lines_components", StringComparison.Ordinal));
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN l ", StringComparison.Ordinal) && !step.Contains("ix_order_lines_components", StringComparison.Ordinal));
        }
    }
}

public sealed class PostgresKeptOrderFiguresTests(PostgresClusterFixture fixture) : KeptOrderFiguresTests(fixture), IClassFixture<PostgresClusterFixture>;
