using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Orders;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// A month of a national round on the platform (46,000 hospitals x 55 products, one order line
/// each: 2.53 M lines at full scale) taken through the hospital order grains stage by stage: each
/// hospital places its order; the distributor of its region (designated by every manufacturer
/// there, as regional distributors are) confirms, ships, and, once the hospital has accepted,
/// invoices the 55 lines in one call each; the hospital pays. Each stage's lines per second are
/// printed beside the comparison, measured first in the same run: a plain bulk insert of the same
/// lines (and their orders) into a fresh store of the same provider (for PostgreSQL a database of
/// the same server), migrated and seeded alike, the figures' trigger dropped (a bare insert). The
/// agreements are seeded straight into the tables (the award is not measured).
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- order-month [--hospitals N]
///        [--products M] [--provider sqlite|postgresql|both] [--parallel P] [--plain-only]
///        [--plain-after] [--plain-multirow] [--sqlite-cache-mib C]
/// --plain-only runs the comparison alone. --plain-multirow adds a second comparison, the same lines
/// in multi-row INSERTs of 200 rows (as the platform inserts an order's lines on a server).
/// --plain-after also runs the comparisons of sessions 10-17 after the stages, into the stages'
/// store (the trigger on, then dropped): slower than the fresh store's, as the tables are larger.
/// On PostgreSQL at full size the insert with the trigger on slowed as it went (about 1,000 lines/s after 28 minutes, stopped): in its one transaction every
/// line updates one of 1,705 figure rows, whose row versions, we take it, pile up until the commit.
/// </summary>
public static class OrderMonthBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var hospitals = IngestBenchmark.IntOption(args, "--hospitals", 46_000);
        var products = IngestBenchmark.IntOption(args, "--products", 55);
        var parallel = IngestBenchmark.IntOption(args, "--parallel", 256);
        var plainOnly = args.Contains("--plain-only");
        var plainAfter = args.Contains("--plain-after");
        var multiRow = args.Contains("--plain-multirow");
        var cacheMiB = IngestBenchmark.IntOption(args, "--sqlite-cache-mib", new StoreOptions().SqliteCacheMiB);
        var index = Array.IndexOf(args, "--provider");
        var provider = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        IngestBenchmark.PrintMachine();
        Console.WriteLine($"Workload: {hospitals:N0} hospitals x {products} products = {(long)hospitals * products:N0} order lines of one month; {parallel} hospitals in flight; SQLite writer cache {cacheMiB} MiB.");
        foreach (var name in provider == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { provider })
        {
            await RunOneAsync(name, hospitals, products, parallel, plainOnly, plainAfter, multiRow, cacheMiB);
        }
        return 0;
    }

    private sealed class HospitalMonth
    {
        public Guid OrderId;
        public OrderLine[] Lines = [];
        public Delivery[] Deliveries = [];
        public Invoice[] Invoices = [];
    }

    private static async Task RunOneAsync(string provider, int hospitalCount, int productCount, int parallel, bool plainOnly, bool plainAfter, bool multiRow, int cacheMiB)
    {
        var hospitals = Enumerable.Range(1, hospitalCount).Select(i => $"H{i:000000}").ToList();
        var products = Enumerable.Range(1, productCount).Select(i => $"P{i:000}").ToList();
        var regions = Enumerable.Range(1, 31).Select(i => $"R{i:00}").ToList();
        var rows = (long)hospitalCount * productCount;

        // The comparison first, while the machine is as fresh as it will be for the stages: a store of
        // its own, migrated and seeded as the stages' store is, so the insert meets the same indexes,
        // foreign keys and table sizes the stages start from.
        double fresh;
        {
            var plainOptions = TestStores.For(provider);
            plainOptions.SqliteCacheMiB = cacheMiB;
            await using var plainStore = new ProcurementStore(Options.Create(plainOptions), NullLoggerFactory.Instance);
            var seeded = Stopwatch.StartNew();
            await SeedAsync(plainStore, hospitals, products, regions);
            Console.WriteLine($"[{provider}] comparison store seeded: {seeded.Elapsed.TotalSeconds:F1} s");
            fresh = await BarePlainInsertAsync(plainStore, provider, hospitals, products, regions, "fresh", "into a fresh store of the same provider, seeded alike");
        }
        double? freshMultiRow = null;
        if (multiRow)
        {
            // The same lines in multi-row INSERTs of 200 rows (the way the platform inserts an
            // order's lines on a server): one round trip per 200 lines instead of one per line.
            var plainOptions = TestStores.For(provider);
            plainOptions.SqliteCacheMiB = cacheMiB;
            await using var plainStore = new ProcurementStore(Options.Create(plainOptions), NullLoggerFactory.Instance);
            await SeedAsync(plainStore, hospitals, products, regions);
            await DropFiguresTriggerAsync(plainStore, provider);
            var watch = Stopwatch.StartNew();
            await MultiRowPlainInsertAsync(plainStore, hospitals, products, regions);
            freshMultiRow = rows / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"[{provider}] plain bulk insert in multi-row INSERTs (200 rows a statement) into a fresh store: {rows:N0} order lines in {watch.Elapsed.TotalSeconds:F1} s = {freshMultiRow:N0} lines/s (the figures' trigger dropped)");
        }
        if (plainOnly)
        {
            return;
        }

        var options = TestStores.For(provider);
        options.SqliteCacheMiB = cacheMiB;
        // 10:00 in Beijing on a Tuesday of the agreements' fourth month (agreements from 2027-01); the clock stands still.
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 4, 20, 2, 0, 0, TimeSpan.Zero));
        await using var cluster = await SiloCluster.StartAsync(options, clock, $"bench-orders-{provider}");
        var store = cluster.Database;
        var setup = Stopwatch.StartNew();
        await SeedAsync(store, hospitals, products, regions);
        Console.WriteLine($"[{provider}] setup: {setup.Elapsed.TotalSeconds:F1} s");

        var factory = cluster.SiloGrainFactory;
        var months = new HospitalMonth[hospitalCount];
        var expiry = new DateOnly(2029, 6, 30);
        var rates = new List<(string Stage, double Rate)>();

        async Task StageAsync(string stage, Func<int, IHospitalOrdersGrain, string, Task> work)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, hospitalCount), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (h, _) =>
                await work(h, factory.GetGrain<IHospitalOrdersGrain>(hospitals[h]), $"D-{regions[h % regions.Count]}"));
            watch.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            var rate = rows / watch.Elapsed.TotalSeconds;
            rates.Add((stage, rate));
            Console.WriteLine($"[{provider}] {stage,-12}: {rows:N0} lines in {watch.Elapsed.TotalSeconds,7:F1} s = {rate,9:N0} lines/s ({hospitalCount:N0} calls; process CPU {cpu / watch.Elapsed:F2} cores)");
        }

        await RunStagesAsync();

        async Task RunStagesAsync()
        {
            await StageAsync("order", async (h, grain, _) =>
            {
                var order = await grain.PlaceOrderAsync(new OrderRequest($"o-{h}", products.Select((p, i) => new OrderLineRequest(p, 800 + (h + i) % 400, "Central pharmacy", OrderUrgency.Normal)).ToList()));
                months[h] = new HospitalMonth { OrderId = order.OrderId, Lines = [.. order.Lines] };
            });
            await StageAsync("confirm", async (h, grain, supplier) =>
                await grain.RespondToLinesAsync(supplier, months[h].Lines.Select(l => new LineAnswer($"c-{h}-{l.LineNo}", l.OrderId, l.LineNo, true)).ToList()));
            await StageAsync("ship", async (h, grain, supplier) =>
                months[h].Deliveries = [.. await grain.ShipManyAsync(supplier, months[h].Lines.Select(l => new ShipmentRequest($"s-{h}-{l.LineNo}", l.OrderId, l.LineNo, l.Quantity, "LOT-2704", expiry)).ToList())]);
            await StageAsync("accept", async (h, grain, _) =>
                await grain.DecideDeliveriesAsync(months[h].Deliveries.Select(d => new DeliveryDecisionOf(d.DeliveryId, new DeliveryDecision($"a-{h}-{d.LineNo}", true))).ToList()));
            await StageAsync("invoice", async (h, grain, supplier) =>
                months[h].Invoices = [.. await grain.InvoiceManyAsync(supplier, months[h].Deliveries.Select(d => new InvoiceRequest($"i-{h}-{d.LineNo}", d.DeliveryId, $"FP{h:000000}{d.LineNo:00}")).ToList())]);
            await StageAsync("pay", async (h, grain, _) =>
                await grain.PayManyAsync(months[h].Invoices.Select(i => new PaymentRequest($"p-{h}-{i.InvoiceNumber}", i.InvoiceId, $"BANK-{h}")).ToList()));

            // None lost, none doubled: every line fulfilled, accepted, invoiced and paid once; completion counts every unit.
            var counts = await store.ReadAsync(c => c.QuerySingleAsync<(long Fulfilled, long Accepted, long Paid, long Payments, long Units, long Purchased)>("""
                SELECT (SELECT COUNT(*) FROM order_lines WHERE state = 4 AND accepted_units = quantity),
                       (SELECT COUNT(*) FROM deliveries WHERE state = 1),
                       (SELECT COUNT(*) FROM invoices WHERE state = 3),
                       (SELECT COUNT(*) FROM payments),
                       (SELECT COALESCE(SUM(accepted_units), 0) FROM order_lines),
                       (SELECT COALESCE(SUM(units), 0) FROM platform_purchases)
                """, commandTimeout: 600));
            Console.WriteLine($"[{provider}] stored: {counts.Fulfilled:N0} lines fulfilled, {counts.Accepted:N0} deliveries accepted, {counts.Paid:N0} invoices paid, {counts.Payments:N0} payments; {counts.Units:N0} units accepted, {counts.Purchased:N0} counted as platform purchases");
            if (counts.Fulfilled != rows || counts.Accepted != rows || counts.Paid != rows || counts.Payments != rows || counts.Units != counts.Purchased)
            {
                throw new InvalidOperationException("Lost or doubled work: the counts above must all equal the lines, and the units the purchases.");
            }

            // The clock stood still: no window closed, so the order clock moved nothing (a lapse tried against a line already answered would roll back its group).
            var scheduled = await store.ReadAsync(c => c.QuerySingleAsync<(long Lapsed, long Deemed, long Overdue)>("""
                SELECT (SELECT COUNT(*) FROM events WHERE event_type = 'OrderLineLapsed'), (SELECT COUNT(*) FROM deliveries WHERE deemed = 1),
                       (SELECT COUNT(*) FROM events WHERE event_type = 'InvoiceOverdue')
                """, commandTimeout: 600));
            Console.WriteLine($"[{provider}] moved by the order clock: {scheduled.Lapsed:N0} lines lapsed, {scheduled.Deemed:N0} deliveries deemed accepted, {scheduled.Overdue:N0} invoices overdue");

            // The kept figures (migration 0020) counted the same: every line ordered and fulfilled, every invoice paid.
            var kept = await store.ReadAsync(c => c.QuerySingleAsync<(long Lines, long Fulfilled, long Answers, long Paid)>("""
                SELECT (SELECT COALESCE(SUM(lines), 0) FROM order_supply_figures), (SELECT COALESCE(SUM(fulfilled), 0) FROM order_supply_figures),
                       (SELECT COALESCE(SUM(answers), 0) FROM order_answer_figures), (SELECT COALESCE(SUM(paid), 0) FROM order_hospital_figures)
                """, commandTimeout: 600));
            Console.WriteLine($"[{provider}] kept figures: {kept.Lines:N0} lines, {kept.Fulfilled:N0} fulfilled, {kept.Answers:N0} answers, {kept.Paid:N0} paid");
            if (kept.Lines != rows || kept.Fulfilled != rows || kept.Answers != rows || kept.Paid != rows)
            {
                throw new InvalidOperationException("The kept figures do not count every line: each must equal the lines.");
            }
        }

        foreach (var (stage, rate) in rates)
        {
            Console.WriteLine($"[{provider}] {stage,-12} / plain: {rate / fresh,6:P0} (target >= 50%; the plain insert into the fresh store, {fresh:N0} lines/s)");
        }
        if (freshMultiRow is { } m)
        {
            foreach (var (stage, rate) in rates)
            {
                Console.WriteLine($"[{provider}] {stage,-12} / plain in multi-row INSERTs: {rate / m,6:P0} ({m:N0} lines/s)");
            }
        }
        if (!plainAfter)
        {
            return;
        }

        // Sessions 10-17's comparisons, into the stages' store after them: the table as it is (its
        // figures' trigger adds each line to the kept sums), then without that trigger.
        var on = Stopwatch.StartNew();
        await PlainInsertAsync(store, hospitals, products, regions, "plain");
        var withTrigger = rows / on.Elapsed.TotalSeconds;
        Console.WriteLine($"[{provider}] plain bulk insert after the stages: {rows:N0} order lines in {on.Elapsed.TotalSeconds:F1} s = {withTrigger:N0} lines/s (the figures' trigger on)");
        var bare = await BarePlainInsertAsync(store, provider, hospitals, products, regions, "bare", "after the stages, into their store");
        var after = Math.Max(withTrigger, bare);
        foreach (var (stage, rate) in rates)
        {
            Console.WriteLine($"[{provider}] {stage,-12} / plain after the stages: {rate / after,6:P0}");
        }
    }

    private static async Task SeedAsync(ProcurementStore store, List<string> hospitals, List<string> products, List<string> regions)
    {
        await UsageBenchmark.SeedAsync(store, hospitals, products, regions);
        await store.WriteAsync(async (c, t) =>
        {
            var at = DateTimeOffset.UtcNow;
            await c.ExecuteAsync("INSERT INTO distributors (distributor_id, name, updated_at) VALUES (@Id, @Id, @At)", regions.Select(r => new { Id = $"D-{r}", At = at }), t);
            await c.ExecuteAsync(
                "INSERT INTO distributor_designations (manufacturer_id, region_code, distributor_id, designated_at) VALUES (@Maker, @Region, @Distributor, @At)",
                products.SelectMany((_, i) => regions.Select(r => new { Maker = UsageBenchmark.Maker(i), Region = r, Distributor = $"D-{r}", At = at })), t);
        });
    }

    /// <summary>A bare insert: the lines' kept figures are not added to (the trigger of migration 0020 dropped).</summary>
    private static Task DropFiguresTriggerAsync(ProcurementStore store, string provider) =>
        store.WriteAsync((c, t) => c.ExecuteAsync(provider == StoreProviders.PostgreSql
            ? "DROP TRIGGER order_lines_figures_placed ON order_lines" : "DROP TRIGGER order_lines_figures_placed", transaction: t));

    /// <summary>The figures' trigger dropped, then the plain insert: lines per second.</summary>
    private static async Task<double> BarePlainInsertAsync(ProcurementStore store, string provider, List<string> hospitals, List<string> products, List<string> regions, string tag, string where)
    {
        await DropFiguresTriggerAsync(store, provider);
        var rows = (long)hospitals.Count * products.Count;
        var watch = Stopwatch.StartNew();
        await PlainInsertAsync(store, hospitals, products, regions, tag);
        var rate = rows / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"[{provider}] plain bulk insert {where}: {rows:N0} order lines in {watch.Elapsed.TotalSeconds:F1} s = {rate:N0} lines/s (with their {hospitals.Count:N0} orders; one connection, one transaction, prepared INSERTs; the figures' trigger dropped)");
        return rate;
    }

    // The plain inserts' statements, one row or many: an order and its lines as the platform stores
    // them, each row's values named with a suffix of its own (@o, or @o0, @o1, ... in a multi-row statement).
    private const string InsertOrdersHead = "INSERT INTO orders (order_id, hospital_id, request_id, placed_at, placed_by) VALUES ";

    private static string OrderValues(string r) => $"(@o{r}, @h{r}, @r{r}, @t, 'plain')";

    private const string InsertLinesHead = """
        INSERT INTO order_lines (order_id, line_no, hospital_id, region_code, product_id, manufacturer_id, kind, agreement_id, year_start, alliance_id,
                                 quantity, surplus_units, unit_price_e6, delivery_point, urgency, substitute_reason, state, placed_at, respond_by, deliver_by, month)
        VALUES
        """ + " ";

    private static string LineValues(string r) =>
        $"(@o{r}, @n{r}, @h{r}, @g{r}, @p{r}, @m{r}, 0, @a{r}, @y, 'ALLIANCE', @q{r}, 0, 400000, 'Central pharmacy', 0, NULL, 0, @t, @d, @d, @y)";

    /// <summary>The plain insert's rows in multi-row INSERTs of 200 rows (orders and lines), one transaction.</summary>
    private static async Task MultiRowPlainInsertAsync(ProcurementStore store, List<string> hospitals, List<string> products, List<string> regions)
    {
        const int perStatement = 200;
        await using var connection = await store.Dialect.OpenForWriteAsync();
        await using var transaction = await store.Dialect.BeginWriteAsync(connection, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var month = Months.Parse("2027-01", "month");
        var orders = new List<(string OrderId, int Hospital)>();
        var lines = new List<(string OrderId, int Hospital, int Product)>();
        async Task FlushOrdersAsync()
        {
            if (orders.Count == 0)
            {
                return;
            }
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new System.Text.StringBuilder(InsertOrdersHead);
            for (var r = 0; r < orders.Count; r++)
            {
                sql.Append(r == 0 ? "" : ", ").Append(OrderValues($"{r}"));
                UsageBenchmark.Add(command, $"o{r}", orders[r].OrderId);
                UsageBenchmark.Add(command, $"h{r}", hospitals[orders[r].Hospital]);
                UsageBenchmark.Add(command, $"r{r}", $"multi-{orders[r].Hospital}");
            }
            Instants.Bind(UsageBenchmark.Add(command, "t", ""), now);
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync();
            orders.Clear();
        }
        async Task FlushLinesAsync()
        {
            if (lines.Count == 0)
            {
                return;
            }
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new System.Text.StringBuilder(InsertLinesHead);
            for (var r = 0; r < lines.Count; r++)
            {
                var (orderId, h, j) = lines[r];
                var region = regions[h % regions.Count];
                sql.Append(r == 0 ? "" : ", ").Append(LineValues($"{r}"));
                UsageBenchmark.Add(command, $"o{r}", orderId);
                UsageBenchmark.Add(command, $"n{r}", j + 1);
                UsageBenchmark.Add(command, $"h{r}", hospitals[h]);
                UsageBenchmark.Add(command, $"g{r}", region);
                UsageBenchmark.Add(command, $"p{r}", products[j]);
                UsageBenchmark.Add(command, $"m{r}", UsageBenchmark.Maker(j));
                UsageBenchmark.Add(command, $"a{r}", UsageBenchmark.AgreementId(products[j], region));
                UsageBenchmark.Add(command, $"q{r}", 800L + (h + j) % 400);
            }
            UsageBenchmark.Add(command, "y", month);
            Instants.Bind(UsageBenchmark.Add(command, "t", ""), now);
            Instants.Bind(UsageBenchmark.Add(command, "d", ""), now.AddYears(10));
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync();
            lines.Clear();
        }
        for (var i = 0; i < hospitals.Count; i++)
        {
            var orderId = OrderIds.Next().ToString();
            orders.Add((orderId, i));
            if (orders.Count == perStatement)
            {
                await FlushOrdersAsync();
            }
            for (var j = 0; j < products.Count; j++)
            {
                lines.Add((orderId, i, j));
                if (lines.Count == perStatement)
                {
                    await FlushOrdersAsync(); // a line's order is inserted before it
                    await FlushLinesAsync();
                }
            }
        }
        await FlushOrdersAsync();
        await FlushLinesAsync();
        await transaction.CommitAsync();
    }

    /// <summary>The same number of order lines (and their orders) inserted plainly: the comparison each stage is held to.</summary>
    internal static async Task PlainInsertAsync(ProcurementStore store, List<string> hospitals, List<string> products, List<string> regions, string tag)
    {
        await using var connection = await store.Dialect.OpenForWriteAsync();
        await using var transaction = await store.Dialect.BeginWriteAsync(connection, CancellationToken.None);
        await using var order = connection.CreateCommand();
        order.Transaction = transaction;
        order.CommandText = InsertOrdersHead + OrderValues("");
        var oId = UsageBenchmark.Add(order, "o", "");
        var oHospital = UsageBenchmark.Add(order, "h", "");
        var oRequest = UsageBenchmark.Add(order, "r", "");
        var now = DateTimeOffset.UtcNow;
        Instants.Bind(UsageBenchmark.Add(order, "t", ""), now);
        await order.PrepareAsync();
        await using var line = connection.CreateCommand();
        line.Transaction = transaction;
        line.CommandText = InsertLinesHead + LineValues("");
        var lOrder = UsageBenchmark.Add(line, "o", "");
        var lNo = UsageBenchmark.Add(line, "n", 0);
        var lHospital = UsageBenchmark.Add(line, "h", "");
        var lRegion = UsageBenchmark.Add(line, "g", "");
        var lProduct = UsageBenchmark.Add(line, "p", "");
        var lMaker = UsageBenchmark.Add(line, "m", "");
        var lAgreement = UsageBenchmark.Add(line, "a", "");
        UsageBenchmark.Add(line, "y", Months.Parse("2027-01", "month"));
        var lQuantity = UsageBenchmark.Add(line, "q", 0L);
        Instants.Bind(UsageBenchmark.Add(line, "t", ""), now);
        // Windows far ahead of every clock: placed lines whose window had closed would be lapsed by the
        // order clock while the insert is timed (the benchmark's business clock stands in 2027).
        Instants.Bind(UsageBenchmark.Add(line, "d", ""), now.AddYears(10));
        await line.PrepareAsync();
        for (var i = 0; i < hospitals.Count; i++)
        {
            var orderId = OrderIds.Next().ToString(); // time-ordered, as the platform makes them
            var region = regions[i % regions.Count];
            oId.Value = orderId;
            oHospital.Value = hospitals[i];
            oRequest.Value = $"{tag}-{i}";
            await order.ExecuteNonQueryAsync();
            for (var j = 0; j < products.Count; j++)
            {
                lOrder.Value = orderId;
                lNo.Value = j + 1;
                lHospital.Value = hospitals[i];
                lRegion.Value = region;
                lProduct.Value = products[j];
                lMaker.Value = UsageBenchmark.Maker(j);
                lAgreement.Value = UsageBenchmark.AgreementId(products[j], region);
                lQuantity.Value = 800L + (i + j) % 400;
                await line.ExecuteNonQueryAsync();
            }
        }
        await transaction.CommitAsync();
    }
}
