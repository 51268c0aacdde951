using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.Benchmarks;

/// <summary>
/// One run of the order surge on one database: the server started over a fresh store (<see cref="SurgeServer{TEntry}"/>),
/// the set-up (this file), the load phases (<c>OrderSurgeRun.Load.cs</c>) and the resends and the
/// count of what was stored (<c>OrderSurgeRun.Durability.cs</c>).
/// </summary>
internal sealed partial class OrderSurgeRun<TEntry>(OrderSurgeSettings settings, string provider) : ISurgeRun
    where TEntry : class
{
    private readonly SurgeServer<TEntry> _server = new(provider, "procurement-order-surge", new DemoSeedWatch());
    private Buyer[] _buyers = [];
    private SurgeLoad<Buyer> _load = null!;

    private string Tag => _server.Tag;

    public async Task<bool> RunAsync()
    {
        await _server.PrepareStoreAsync("load average at the start", "procurement_order_surge",
            ["server_version", "fsync", "synchronous_commit", "wal_sync_method", "max_connections"]);
        ResendOutcome resends;
        var setup = Stopwatch.StartNew();
        try
        {
            using var admin = await _server.StartAsync();
            var grains = _server.Services.GetRequiredService<IGrainFactory>();
            await CreateHospitalsAsync(grains);
            _load = new SurgeLoad<Buyer>(Tag, _buyers, _server.Postmaster, "orders", "answered with success", CountOrders);
            await ListPricesAsync(admin);
            await SignInHospitalsAsync();
            // The demo seed goes on after its accounts exist (earlier rounds on a clock set back): the load waits for it.
            await _server.SeedDoneAsync(TimeSpan.FromMinutes(5));
            Console.WriteLine($"{Tag} setup (server start, demo seed to its end, {OrderSurgeCatalog.ProductCount} products listed by {SurgeCatalog.Alliance} through the API, "
                + $"{settings.Hospitals} hospitals with accounts, {settings.Hospitals} sign-ins): {setup.Elapsed.TotalSeconds:F1} s");

            // Warm-up (not counted): the HTTP, cookie, grain and store paths of every client; its orders are checked as all others.
            await _load.FlatOutAsync("warm-up", TimeSpan.FromSeconds(3), (b, _) => SurgeNet.GetAsync(b.Http, "/api/session"), print: false);
            await _load.FlatOutAsync("warm-up", TimeSpan.FromSeconds(2), OrderAsync, print: false);

            var wal0 = await _server.WalAsync();
            var acked0 = AckedOrders();
            await _load.FlatOutAsync("order surge, flat out", TimeSpan.FromSeconds(settings.Seconds), OrderAsync, print: true);
            if (settings.PacedSeconds > 0 && settings.Rate > 0)
            {
                await _load.PacedAsync($"orders paced at {settings.Rate} lines/s", TimeSpan.FromSeconds(settings.PacedSeconds), settings.Rate / (double)settings.Lines, OrderAsync);
            }
            if (await _server.WalAsync() is { } wal1 && wal0 is { } start)
            {
                var orders = AckedOrders() - acked0;
                Console.WriteLine($"{Tag} WAL over the two order phases (pg_stat_wal, pg_stat_database; backends report with a delay of up to a second): "
                    + $"{orders:N0} orders acknowledged, {wal1.Commits - start.Commits:N0} transactions (reads included), "
                    + $"{wal1.Syncs - start.Syncs:N0} WAL syncs taking {(wal1.SyncMs - start.SyncMs) / 1000:F1} s in all, {(wal1.Bytes - start.Bytes) / (1024.0 * 1024):F0} MiB of WAL");
            }
            if (settings.GrainSeconds > 0)
            {
                await _load.FlatOutAsync("diagnostic: the same orders through the silo's grain factory, no HTTP", TimeSpan.FromSeconds(settings.GrainSeconds),
                    (b, _) => OrderThroughGrainAsync(grains, b), print: true);
            }
            if (settings.SingleSeconds > 0)
            {
                await _load.FlatOutAsync("diagnostic: one client alone, orders through HTTP", TimeSpan.FromSeconds(settings.SingleSeconds), OrderAsync, print: true, only: _buyers[..1]);
            }
            resends = await ResendAsync();
            if (settings.CeilingSeconds > 0)
            {
                await _load.FlatOutAsync("ceiling: GET /health (anonymous; the store health check, one SELECT COUNT(*))", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (b, _) => SurgeNet.GetAsync(b.Http, "/health"), print: true);
                await _load.FlatOutAsync("ceiling: GET /api/session (cookie, one in-memory grain call, JSON)", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (b, _) => SurgeNet.GetAsync(b.Http, "/api/session"), print: true);
            }
            foreach (var buyer in _buyers)
            {
                buyer.Http.Dispose();
            }
        }
        finally
        {
            await _server.StopAsync();
        }
        try
        {
            return await CheckDurabilityAsync(resends);
        }
        finally
        {
            _server.Clean();
        }
    }

    private int AckedOrders() => _buyers.Sum(b => b.Acks.Count);

    /// <summary>The surge's products (reference data, as the demo seed registers its own) and its hospitals with their accounts, through the grains.</summary>
    private async Task CreateHospitalsAsync(IGrainFactory grains)
    {
        foreach (var product in OrderSurgeCatalog.Products)
        {
            await grains.GetGrain<IProductGrain>(product.Id).RegisterAsync(product);
        }
        _buyers = Enumerable.Range(0, settings.Hospitals)
            .Select(i => new Buyer(i, OrderSurgeCatalog.HospitalId(i), OrderSurgeCatalog.UserName(i), SurgeNet.Client(_server.BaseAddress)))
            .ToArray();
        await Parallel.ForEachAsync(_buyers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (buyer, _) =>
        {
            await grains.GetGrain<IHospitalGrain>(buyer.HospitalId)
                .RegisterAsync(new Hospital(buyer.HospitalId, $"Surge Hospital {buyer.Index + 1}", OrderSurgeCatalog.Region(buyer.Index)));
            await grains.GetGrain<IAccountGrain>(buyer.UserName)
                .CreateAsync($"Surge pharmacy {buyer.Index + 1}", OrganisationKind.Hospital, buyer.HospitalId, SurgeCatalog.DemoPassword);
        });
    }

    /// <summary>The alliance lists a price for each product, through the API as its administrator would.</summary>
    private static async Task ListPricesAsync(HttpClient admin)
    {
        using var response = await admin.PutAsJsonAsync("/api/alliance/listed-prices", OrderSurgeCatalog.ListedPrices);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /api/alliance/listed-prices: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task SignInHospitalsAsync() =>
        await Parallel.ForEachAsync(_buyers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (buyer, _) =>
        {
            using var response = await buyer.Http.PostAsJsonAsync("/api/session", new { userName = buyer.UserName, password = SurgeCatalog.DemoPassword });
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"Sign-in of {buyer.UserName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        });
}
