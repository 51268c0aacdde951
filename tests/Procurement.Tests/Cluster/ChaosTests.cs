using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Procurement.Tests.Cluster;

/// <summary>
/// Modelled on Orleans' own chaos tests: a real PostgreSQL, three silo processes clustered through
/// the ADO.NET membership table over mutual TLS, and a standalone portal as their client, all on loopback. While
/// manufacturers amend bids and a hospital reports usage through the portal without pause, one
/// silo is killed with SIGKILL every 10 s and started again. Afterwards every acknowledged bid
/// action and usage report is in the database exactly once, and a batch whose opening time passed
/// during the chaos was opened on time by a surviving silo. The figures are printed.
/// Short in CI (<c>PROCUREMENT_CHAOS_SECONDS</c>, default 30); the full form is 120.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const string Password = "chaos-test-password";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Three_silos_killed_in_turn_lose_no_acknowledged_bid_or_report_and_open_the_batch_on_time()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("PROCUREMENT_CHAOS_SECONDS"), out var s) ? s : 30;
        var connectionString = await OrleansDatabase.CreatePostgresAsync();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;

        var environment = new Dictionary<string, string>
        {
            ["Store__Provider"] = "postgresql",
            ["Store__ConnectionString"] = connectionString,
            ["Sealing__KeyFile"] = Infrastructure.SiloCluster.KeyFile,
            ["ConnectionStrings__Orleans"] = connectionString,
            ["Orleans__Clustering"] = "adonet",
            ["Orleans__Invariant"] = "Npgsql",
            ["Orleans__ClusterId"] = database,
            ["Orleans__AdvertisedIP"] = "127.0.0.1",
            ["Demo__Password"] = Password,
            ["Portal__LoginPermitsPerMinute"] = "10000",
            // A sequential bidder reaches 50 actions/s here; this test is about surviving kills, not the bid rate limit.
            ["Portal__BidsPerSecondPerManufacturer"] = "10000",
            ["Portal__BidBurstPerManufacturer"] = "10000",
        };
        // Mutual TLS between the silos and to the portal, as every adonet deployment has it.
        using var ca = TestCertificates.CreateAuthority("chaos-ca");
        var siloEnvironment = new Dictionary<string, string>(environment.Concat(ca.PemSettings("silo")));
        var portalEnvironment = new Dictionary<string, string>(environment.Concat(ca.PfxSettings("portal")));
        var silos = Enumerable.Range(0, 3).Select(i => new SiloSlot(i, siloEnvironment)).ToArray();
        SiloHostTests.SiloProcess? portal = null;
        try
        {
            silos[0].Start(seed: true);
            await silos[0].Process!.WaitForLineAsync("Demo seed: alliance", TimeSpan.FromSeconds(120));
            silos[1].Start(seed: false);
            silos[2].Start(seed: false);
            await Task.WhenAll(silos.Skip(1).Select(slot => slot.Process!.WaitForLineAsync("Now listening on", TimeSpan.FromSeconds(120))));
            var portalPort = SiloHostTests.FreePort();
            portal = SiloHostTests.SiloProcess.Start($"--urls http://127.0.0.1:{portalPort}", "Procurement.BidPortal.dll", portalEnvironment);
            await portal.WaitForLineAsync("Now listening on", TimeSpan.FromSeconds(120));
            var baseAddress = new Uri($"http://127.0.0.1:{portalPort}");

            var admin = await SignInAsync(baseAddress, "alliance.admin");
            var hospital = await SignInAsync(baseAddress, "hospital.bj1");
            var makers = new[] { await SignInAsync(baseAddress, "maker.huahai"), await SignInAsync(baseAddress, "maker.qilu") };
            var month = await AwardedBatchForUsageAsync(admin, hospital, makers);
            var chaosStart = DateTimeOffset.UtcNow;
            var opening = chaosStart.AddSeconds(Math.Max(10, seconds * 2 / 3));
            var chaosBatch = await BiddingBatchAsync(admin, hospital, opening, "CHAOS");

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var log = new ChaosLog();
            var workers = new List<Task>
            {
                BidderAsync(makers[0], "M-HUAHAI", chaosBatch, 1.40m, log, stop.Token),
                BidderAsync(makers[1], "M-QILU", chaosBatch, 1.60m, log, stop.Token),
                ReporterAsync(hospital, month, log, stop.Token),
            };
            var killer = KillerAsync(silos, log, stop.Token);
            await Task.WhenAll(workers);
            await killer;

            // Afterwards: every acknowledged action is stored exactly once (sealed: the opening, which
            // decrypts them into bid_actions, may still be under way).
            await using var connection = new NpgsqlConnection(connectionString);
            var stored = (await connection.QueryAsync<(string ManufacturerId, string ClientRequestId)>(
                "SELECT manufacturer_id, client_request_id FROM sealed_bid_actions WHERE batch_id = @BatchId", new { BatchId = chaosBatch })).ToHashSet();
            var lostBids = log.Bids.Where(b => !stored.Contains(b)).ToList();
            var units = (await connection.QueryAsync<long>(
                """
                SELECT units FROM usage_lines WHERE hospital_id = 'H-BJ-001' AND product_id = 'ATORVASTATIN-TAB' AND manufacturer_id = 'M-HUAHAI'
                UNION ALL
                SELECT units FROM usage_line_history WHERE hospital_id = 'H-BJ-001' AND product_id = 'ATORVASTATIN-TAB' AND manufacturer_id = 'M-HUAHAI'
                """)).ToList();
            var lostReports = log.Reports.Where(u => !units.Contains(u)).ToList();
            var duplicateReports = units.GroupBy(u => u).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            // The opening (due during the chaos) is recorded with the time it happened; wait for it a while.
            DateTime? openedAt = null;
            for (var wait = Stopwatch.StartNew(); openedAt is null && wait.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(250))
            {
                openedAt = await connection.ExecuteScalarAsync<DateTime?>("SELECT opened_at FROM tender_batches WHERE batch_id = @BatchId", new { BatchId = chaosBatch });
            }
            var opened = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM bid_actions WHERE batch_id = @BatchId", new { BatchId = chaosBatch });

            output.WriteLine($"chaos: {seconds} s, {log.Kills.Count} kill(s) of 3 silos, restarts {log.Restarts}");
            output.WriteLine($"bid actions acknowledged {log.Bids.Count}, stored {stored.Count}, lost {lostBids.Count}; usage reports acknowledged {log.Reports.Count}, lost {lostReports.Count}, duplicated {duplicateReports.Count}");
            output.WriteLine($"requests {log.Requests}, failures seen by clients {log.Failures} ({string.Join(", ", log.FailureKinds.Select(k => $"{k.Key} x{k.Value}"))})");
            output.WriteLine($"recovery after a kill (first success of every client): {string.Join(", ", log.Recoveries.Select(r => $"{r.TotalSeconds:F1} s"))}");
            output.WriteLine($"opening due {opening:O}, opened {openedAt:O}");

            Assert.NotEmpty(log.Kills);
            Assert.True(log.FailureKinds.Keys.All(k => k is "503" or nameof(HttpRequestException) or nameof(TaskCanceledException)),
                $"a client saw a failure other than 503 (retry) or a dropped connection: {string.Join(", ", log.FailureKinds.Keys)}");
            Assert.True(log.Bids.Count > 20, $"only {log.Bids.Count} bid actions were acknowledged");
            Assert.True(log.Reports.Count > 10, $"only {log.Reports.Count} usage reports were acknowledged");
            Assert.Empty(lostBids);
            Assert.Empty(lostReports);
            Assert.Empty(duplicateReports);
            Assert.NotNull(openedAt);
            Assert.Equal(stored.Count, opened);
            var lateBy = new DateTimeOffset(DateTime.SpecifyKind(openedAt!.Value, DateTimeKind.Utc)) - opening;
            Assert.InRange(lateBy, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        }
        finally
        {
            portal?.Dispose();
            foreach (var slot in silos)
            {
                slot.Process?.Dispose();
            }
        }
    }

    /// <summary>One silo's ports and process; started again on the same ports after each kill.</summary>
    private sealed class SiloSlot(int index, IReadOnlyDictionary<string, string> environment)
    {
        private readonly int _http = SiloHostTests.FreePort();
        private readonly int _silo = SiloHostTests.FreePort();
        private readonly int _gateway = SiloHostTests.FreePort();

        public int Index => index;

        public SiloHostTests.SiloProcess? Process { get; private set; }

        public void Start(bool seed) =>
            Process = SiloHostTests.SiloProcess.Start(
                $"--urls http://127.0.0.1:{_http} --Orleans:SiloPort={_silo} --Orleans:GatewayPort={_gateway} --Demo:Seed={(seed ? "true" : "false")}",
                environment: environment);
    }

    private sealed class ChaosLog
    {
        public ConcurrentBag<(string ManufacturerId, string ClientRequestId)> Bids { get; } = [];
        public ConcurrentBag<long> Reports { get; } = [];
        public ConcurrentBag<DateTimeOffset> Kills { get; } = [];
        public ConcurrentBag<TimeSpan> Recoveries { get; } = [];
        public ConcurrentDictionary<string, int> FailureKinds { get; } = new();
        private long _requests;
        private long _failures;
        public int Restarts;
        public long Requests => Interlocked.Read(ref _requests);
        public long Failures => Interlocked.Read(ref _failures);
        public ConcurrentDictionary<string, DateTimeOffset> LastSuccess { get; } = new();

        public void Request() => Interlocked.Increment(ref _requests);

        public void Failure(string kind)
        {
            Interlocked.Increment(ref _failures);
            FailureKinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
        }
    }

    /// <summary>Sends one request until it is answered (the same request: ids make a retry act once); null when the answer is a refusal.</summary>
    private static async Task<JsonElement?> UntilAnsweredAsync(string client, Func<Task<HttpResponseMessage>> send, ChaosLog log, CancellationToken stop, Func<string, bool>? refusalEnds = null)
    {
        while (true)
        {
            log.Request();
            try
            {
                using var response = await send();
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    log.LastSuccess[client] = DateTimeOffset.UtcNow;
                    return JsonSerializer.Deserialize<JsonElement>(text, Json);
                }
                if ((int)response.StatusCode is >= 400 and < 500 && refusalEnds is not null && refusalEnds(text))
                {
                    return null;
                }
                log.Failure($"{(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                log.Failure(ex.GetType().Name);
            }
            if (stop.IsCancellationRequested)
            {
                return null;
            }
            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static async Task BidderAsync(HttpClient client, string manufacturerId, string batchId, decimal basePrice, ChaosLog log, CancellationToken stop)
    {
        var bidIds = new Dictionary<string, Guid>();
        string[] products = ["ATORVASTATIN-TAB", "AMLODIPINE-TAB"];
        var round = 0;
        while (!stop.IsCancellationRequested)
        {
            foreach (var product in products)
            {
                var requestId = Guid.NewGuid().ToString("N");
                var price = (product == "ATORVASTATIN-TAB" ? basePrice : basePrice * 2) - (round % 50) * 0.001m;
                var body = Bid(requestId, batchId, product, price);
                var bidId = bidIds.GetValueOrDefault(product);
                var receipt = await UntilAnsweredAsync(
                    manufacturerId,
                    () => bidId == Guid.Empty ? client.PostAsJsonAsync($"/api/batches/{batchId}/bids", body) : client.PutAsJsonAsync($"/api/bids/{bidId}", body),
                    log,
                    stop,
                    text => text.Contains("BID_DEADLINE_PASSED", StringComparison.Ordinal) || text.Contains("BIDDING_NOT_OPEN", StringComparison.Ordinal));
                if (receipt is null)
                {
                    return;
                }
                bidIds[product] = receipt.Value.GetProperty("bidId").GetGuid();
                log.Bids.Add((manufacturerId, requestId));
            }
            round++;
        }
    }

    private static async Task ReporterAsync(HttpClient hospital, string month, ChaosLog log, CancellationToken stop)
    {
        for (var units = 1_000L; !stop.IsCancellationRequested; units++)
        {
            var line = new[] { new { productId = "ATORVASTATIN-TAB", manufacturerId = "M-HUAHAI", units, amount = units * 0.19m } };
            if (await UntilAnsweredAsync("hospital", () => hospital.PostAsJsonAsync($"/api/usage/{month}", line), log, stop) is null)
            {
                return;
            }
            log.Reports.Add(units);
        }
    }

    private async Task KillerAsync(SiloSlot[] silos, ChaosLog log, CancellationToken stop)
    {
        var next = 0;
        while (true)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var slot = silos[next++ % silos.Length];
            var killedAt = DateTimeOffset.UtcNow;
            slot.Process!.Dispose();
            log.Kills.Add(killedAt);
            output.WriteLine($"{killedAt:HH:mm:ss.fff} killed silo {slot.Index}");
            await Task.Delay(1000, CancellationToken.None);
            slot.Start(seed: false);
            Interlocked.Increment(ref log.Restarts);
            // The clients at work when the silo died; a bidder past the deadline has stopped and is not waited for.
            var active = log.LastSuccess.Where(c => c.Value > killedAt.AddSeconds(-5)).Select(c => c.Key).ToList();
            _ = RecoveryAsync(killedAt, active, log);
        }
    }

    private static async Task RecoveryAsync(DateTimeOffset killedAt, IReadOnlyList<string> clients, ChaosLog log)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60) && clients.Count > 0)
        {
            var after = clients.Select(c => log.LastSuccess.GetValueOrDefault(c)).ToList();
            if (after.All(t => t > killedAt))
            {
                log.Recoveries.Add(after.Max() - killedAt);
                return;
            }
            await Task.Delay(100);
        }
    }

    private static object Bid(string requestId, string batchId, string product, decimal price) => new
    {
        clientRequestId = requestId,
        content = new
        {
            batchId,
            productId = product,
            specificationCode = product == "ATORVASTATIN-TAB" ? "20mgx7" : "5mgx28",
            pricePerPack = price,
            annualCapacity = 10_000_000L,
            supplyRegions = new[] { "BJ", "TJ" },
        },
    };

    private static async Task<HttpClient> SignInAsync(Uri baseAddress, string user)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        // Signed-in unsafe API calls carry it (the portal's cross-site request defence).
        client.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await client.PostAsJsonAsync("/api/session", new { userName = user, password = Password });
            if (response.IsSuccessStatusCode)
            {
                return client;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{user} could not sign in: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(500);
        }
    }

    /// <summary>Before the chaos: a batch awarded and finalised with agreements from this month, so usage can be reported against them.</summary>
    private static async Task<string> AwardedBatchForUsageAsync(HttpClient admin, HttpClient hospital, HttpClient[] makers)
    {
        var opening = DateTimeOffset.UtcNow.AddSeconds(12);
        var batchId = await BiddingBatchAsync(admin, hospital, opening, "USAGE", publicityDays: 0);
        await PortalRound(makers[0].PostAsJsonAsync($"/api/batches/{batchId}/bids", Bid(Guid.NewGuid().ToString("N"), batchId, "ATORVASTATIN-TAB", 1.40m)));
        await PortalRound(makers[0].PostAsJsonAsync($"/api/batches/{batchId}/bids", Bid(Guid.NewGuid().ToString("N"), batchId, "AMLODIPINE-TAB", 2.80m)));
        await PortalRound(makers[1].PostAsJsonAsync($"/api/batches/{batchId}/bids", Bid(Guid.NewGuid().ToString("N"), batchId, "ATORVASTATIN-TAB", 1.75m)));
        await PortalRound(makers[1].PostAsJsonAsync($"/api/batches/{batchId}/bids", Bid(Guid.NewGuid().ToString("N"), batchId, "AMLODIPINE-TAB", 3.50m)));
        await Task.Delay(opening - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        await WaitForPhaseAsync(admin, batchId, "Opened", TimeSpan.FromSeconds(30));
        await PortalRound(admin.PostAsJsonAsync($"/api/batches/{batchId}/award", new { mode = "ranked-pick", regionBudgets = new { }, timeLimitSeconds = 5 }));
        await WaitForPhaseAsync(admin, batchId, "Publicity", TimeSpan.FromSeconds(60));
        var beijing = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        await PortalRound(admin.PostAsJsonAsync($"/api/batches/{batchId}/finalise", new { agreementsStart = new DateOnly(beijing.Year, beijing.Month, 1) }));
        return $"{beijing:yyyy-MM}";
    }

    private static async Task<string> BiddingBatchAsync(HttpClient admin, HttpClient hospital, DateTimeOffset opening, string prefix, int publicityDays = 7)
    {
        var batchId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)].ToUpperInvariant();
        await PortalRound(admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name = $"{prefix} batch",
                products = new[] { new { productId = "ATORVASTATIN-TAB", maxValidUnitPrice = 0.5m }, new { productId = "AMLODIPINE-TAB", maxValidUnitPrice = 0.2m } },
                regionCodes = new[] { "BJ", "TJ" },
                hospitalIds = new[] { "H-BJ-001", "H-TJ-001" },
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string>(), conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                windows = new { reportingCloses = opening.AddSeconds(-2), biddingDeadline = opening, openingTime = opening, publicityDays },
                agreementMonths = 12,
            },
        }));
        await PortalRound(admin.PostAsync($"/api/batches/{batchId}/open-reporting", null));
        await PortalRound(hospital.PostAsJsonAsync($"/api/batches/{batchId}/volume-reports", new[]
        {
            new { productId = "ATORVASTATIN-TAB", annualVolume = 700_000L },
            new { productId = "AMLODIPINE-TAB", annualVolume = 1_400_000L },
        }));
        await PortalRound(admin.PostAsync($"/api/batches/{batchId}/close-reporting", null));
        await PortalRound(admin.PostAsync($"/api/batches/{batchId}/open-bidding", null));
        return batchId;
    }

    private static async Task WaitForPhaseAsync(HttpClient admin, string batchId, string phase, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var view = await PortalRound(admin.GetAsync($"/api/batches/{batchId}"));
            if (view.GetProperty("phase").GetString() == phase)
            {
                return;
            }
            if (phase == "Opened" && view.GetProperty("phase").GetString() == "Bidding" && watch.Elapsed > TimeSpan.FromSeconds(5))
            {
                // The batch opens itself at its opening time; asking is the alliance's fallback.
                using var _ = await admin.PostAsync($"/api/batches/{batchId}/open-bids", null);
            }
            Assert.True(watch.Elapsed < timeout, $"Batch {batchId} did not reach {phase}: {view}");
            await Task.Delay(250);
        }
    }

    private static Task<JsonElement> PortalRound(Task<HttpResponseMessage> call) => Portal.PortalRound.OkAsync(call);
}
