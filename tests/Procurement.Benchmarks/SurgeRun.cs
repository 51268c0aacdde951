using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.Benchmarks;

/// <summary>
/// One run of the surge on one database: the server started over a fresh store (<see cref="SurgeServer{TEntry}"/>),
/// the set-up through the API (this file), the load phases (<c>SurgeRun.Load.cs</c>) and the
/// durability check after the server has stopped (<c>SurgeRun.Durability.cs</c>).
/// </summary>
internal sealed partial class SurgeRun<TEntry>(SurgeSettings settings, string provider) : ISurgeRun
    where TEntry : class
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SurgeServer<TEntry> _server = new(provider, "procurement-surge");
    private string _batchId = "";
    private Maker[] _makers = [];
    private SurgeLoad<Maker> _load = null!;

    private string Tag => _server.Tag;

    public async Task<bool> RunAsync()
    {
        await _server.PrepareStoreAsync("load average before", "procurement_surge",
            ["server_version", "fsync", "synchronous_commit", "wal_sync_method", "max_connections", "data_directory"]);
        var acks = new List<Ack>();
        IReadOnlyList<SealedBid> apiBids;
        var setup = Stopwatch.StartNew();
        try
        {
            using var admin = await _server.StartAsync();
            await CreateMakersAsync(_server.Services.GetRequiredService<IGrainFactory>());
            _load = new SurgeLoad<Maker>(Tag, _makers, _server.Postmaster, "requests", "answered 200");
            await OpenBiddingAsync(admin);
            await SignInMakersAsync();
            Console.WriteLine($"{Tag} setup (server start, demo seed, {settings.Manufacturers} manufacturers with qualifications and accounts, batch {_batchId} in Bidding, {settings.Manufacturers} sign-ins): {setup.Elapsed.TotalSeconds:F1} s");

            // Warm-up (not counted): the HTTP, cookie and grain paths of every client.
            await _load.FlatOutAsync("warm-up", TimeSpan.FromSeconds(3), (m, _) => SurgeNet.GetAsync(m.Http, "/api/session"), print: false);

            var wal0 = await _server.WalAsync();
            var acks0 = _makers.Sum(m => m.Acks.Count);
            await _load.FlatOutAsync("bid surge, flat out", TimeSpan.FromSeconds(settings.Seconds), BidAsync, print: true);
            if (settings.PacedSeconds > 0 && settings.Rate > 0)
            {
                await _load.PacedAsync($"bids paced at {settings.Rate}/s", TimeSpan.FromSeconds(settings.PacedSeconds), settings.Rate, BidAsync);
            }
            if (settings.GrainSeconds > 0)
            {
                var grains = _server.Services.GetRequiredService<IGrainFactory>();
                await _load.FlatOutAsync("diagnostic: the same bid actions through the silo's grain factory, no HTTP", TimeSpan.FromSeconds(settings.GrainSeconds),
                    (m, _) => BidThroughGrainAsync(grains, m), print: true);
            }
            if (settings.SingleSeconds > 0)
            {
                await _load.FlatOutAsync("diagnostic: one client alone, bid actions through HTTP", TimeSpan.FromSeconds(settings.SingleSeconds), BidAsync, print: true, only: _makers[..1]);
            }
            if (await _server.WalAsync() is { } wal1 && wal0 is { } start)
            {
                var commits = wal1.Commits - start.Commits;
                var syncs = wal1.Syncs - start.Syncs;
                var syncMs = wal1.SyncMs - start.SyncMs;
                var acked = _makers.Sum(m => m.Acks.Count) - acks0;
                Console.WriteLine($"{Tag} WAL over the bid phases (pg_stat_wal, pg_stat_database; backends report with a delay of up to a second): {acked:N0} bid actions acknowledged, "
                    + $"{commits:N0} transactions (reads included), {syncs:N0} WAL syncs taking {syncMs / 1000:F1} s in all = {syncMs / Math.Max(1, syncs):F2} ms each");
            }
            if (settings.CeilingSeconds > 0)
            {
                await _load.FlatOutAsync("ceiling: GET /health (anonymous; the store health check, one SELECT COUNT(*))", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (m, _) => SurgeNet.GetAsync(m.Http, "/health"), print: true);
                await _load.FlatOutAsync("ceiling: GET /api/session (cookie, one in-memory grain call, JSON)", TimeSpan.FromSeconds(settings.CeilingSeconds),
                    (m, _) => SurgeNet.GetAsync(m.Http, "/api/session"), print: true);
            }
            foreach (var maker in _makers)
            {
                acks.AddRange(maker.Acks);
            }
            apiBids = await ReadThroughApiAsync();
            foreach (var maker in _makers)
            {
                maker.Http.Dispose();
            }
        }
        finally
        {
            await _server.StopAsync();
        }
        try
        {
            return await CheckDurabilityAsync(acks, apiBids);
        }
        finally
        {
            _server.Clean();
        }
    }

    private async Task CreateMakersAsync(IGrainFactory grains)
    {
        _makers = Enumerable.Range(1, settings.Manufacturers)
            .Select(i => new Maker(i - 1, $"M-SURGE-{i:0000}", $"maker.surge{i:0000}", SurgeNet.Client(_server.BaseAddress)))
            .ToArray();
        await Parallel.ForEachAsync(_makers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (maker, _) =>
        {
            var bidder = grains.GetGrain<IBidderGrain>(maker.ManufacturerId);
            await bidder.RegisterAsync(new Manufacturer(maker.ManufacturerId, $"Surge Pharmaceutical {maker.Index + 1}", null));
            foreach (var product in SurgeCatalog.Products)
            {
                await bidder.DeclareQualificationAsync(new Qualification(product.Id, true, 5, false, $"GMP-{maker.ManufacturerId}"));
            }
            await grains.GetGrain<IAccountGrain>(maker.UserName)
                .CreateAsync($"Surge tender desk {maker.Index + 1}", OrganisationKind.Manufacturer, maker.ManufacturerId, SurgeCatalog.DemoPassword);
        });
    }

    /// <summary>A five-product batch of the North alliance, through the API as the alliance and a hospital would: created, reported, closed, bidding.</summary>
    private async Task OpenBiddingAsync(HttpClient admin)
    {
        _batchId = $"SURGE-{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        var now = DateTimeOffset.UtcNow;
        await OkAsync(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId = _batchId,
            definition = new
            {
                allianceId = SurgeCatalog.Alliance,
                name = "Bid-deadline surge",
                products = SurgeCatalog.Products.Select(p => new { productId = p.Id, maxValidUnitPrice = p.MaxUnitPrice }).ToArray(),
                regionCodes = SurgeCatalog.Regions,
                hospitalIds = SurgeCatalog.Hospitals,
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                // Reporting closes a little after now (it is closed by hand at once); the deadline is long after the run.
                windows = new { reportingCloses = now.AddMinutes(5), biddingDeadline = now.AddDays(1), openingTime = now.AddDays(1), publicityDays = 7 },
                agreementMonths = 24,
            },
        }));
        await OkAsync(admin.PostAsync($"/api/batches/{_batchId}/open-reporting", null));
        using (var hospital = SurgeNet.Client(_server.BaseAddress))
        {
            await OkAsync(hospital.PostAsJsonAsync("/api/session", new { userName = "hospital.bj1", password = SurgeCatalog.DemoPassword }));
            await OkAsync(hospital.PostAsJsonAsync($"/api/batches/{_batchId}/volume-reports",
                SurgeCatalog.Products.Select(p => new { productId = p.Id, annualVolume = 1_000_000L }).ToArray()));
        }
        await OkAsync(admin.PostAsync($"/api/batches/{_batchId}/close-reporting", null));
        await OkAsync(admin.PostAsync($"/api/batches/{_batchId}/open-bidding", null));
    }

    private async Task SignInMakersAsync() =>
        await Parallel.ForEachAsync(_makers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (maker, _) =>
            await OkAsync(maker.Http.PostAsJsonAsync("/api/session", new { userName = maker.UserName, password = SurgeCatalog.DemoPassword })));

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        }
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text, Json);
    }
}
