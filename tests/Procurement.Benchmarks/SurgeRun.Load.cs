using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.Benchmarks;

/// <summary>One acknowledged bid action as the client saw it (HTTP 200 with a receipt).</summary>
internal readonly record struct Ack(int Maker, string RequestId, Guid BidId, int Version, string Sha256, bool Submitted);

/// <summary>
/// The load: clients flat out or paced, the bid action each sends (resent as it was when its
/// outcome is unknown) and what each simulated manufacturer knows of its bids.
/// </summary>
internal sealed partial class SurgeRun<TEntry>
{
    /// <summary>One request of a client; returns null when it was answered with success, else what went wrong.</summary>
    private delegate Task<string?> ClientAction(Maker maker, long counter);

    private static async Task<string?> GetAsync(Maker maker, string path)
    {
        try
        {
            using var response = await maker.Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? null : SurgeNet.Describe(response.StatusCode, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.GetType().Name;
        }
    }

    /// <summary>
    /// The maker's next bid action: a submit while a product has no bid yet, then amendments round
    /// the five products, each a new price and a fresh client request id. A request whose outcome is
    /// unknown (no answer, or a 5xx) is sent again with the same id, as a client should.
    /// </summary>
    private async Task<string?> BidAsync(Maker maker, long counter)
    {
        var request = maker.Take();
        try
        {
            using var content = new StringContent(request.Body(_batchId), Encoding.UTF8, "application/json");
            using var response = request.Submit
                ? await maker.Http.PostAsync($"/api/batches/{_batchId}/bids", content)
                : await maker.Http.PutAsync($"/api/bids/{maker.BidIds[request.Product]}", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var receipt = JsonDocument.Parse(text);
                var root = receipt.RootElement;
                maker.Acknowledge(request, root.GetProperty("bidId").GetGuid(), root.GetProperty("version").GetInt32(), root.GetProperty("contentSha256").GetString()!);
                return null;
            }
            if ((int)response.StatusCode >= 500)
            {
                maker.Unanswered(request);
            }
            return SurgeNet.Describe(response.StatusCode, text);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            maker.Unanswered(request);
            return ex.GetType().Name;
        }
    }

    /// <summary>The same bid action through the silo's own grain factory, without HTTP (a diagnostic).</summary>
    private async Task<string?> BidThroughGrainAsync(IGrainFactory grains, Maker maker)
    {
        var request = maker.Take();
        var bidder = grains.GetGrain<IBidderGrain>(maker.ManufacturerId);
        try
        {
            var content = request.Content(_batchId);
            var receipt = request.Submit
                ? await bidder.SubmitBidAsync(request.RequestId, content)
                : await bidder.AmendBidAsync(request.RequestId, maker.BidIds[request.Product]!.Value, content);
            maker.Acknowledge(request, receipt.BidId, receipt.Version, receipt.ContentSha256);
            return null;
        }
        catch (Procurement.Contracts.Errors.ProcurementException ex) when (ex.Code != Procurement.Contracts.Errors.ErrorCodes.StoreFailure)
        {
            return ex.Code;
        }
        catch (Exception ex)
        {
            maker.Unanswered(request);
            return ex.GetType().Name;
        }
    }

    /// <summary>Every client sends its next request as soon as the last is answered, until the time is up.</summary>
    private async Task<PhaseLog> FlatOutAsync(string name, TimeSpan duration, ClientAction action, bool print, Maker[]? clients = null)
    {
        clients ??= _makers;
        var log = new PhaseLog();
        var cpu = CpuMark.Now(_postgres?.Postmaster);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(clients.Select(maker => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                var error = await action(maker, maker.Counter++);
                var micros = (long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
                log.Add(micros, micros, error);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = CpuMark.Now(_postgres?.Postmaster).Since(cpu);
        if (print)
        {
            Console.WriteLine($"{Tag} {name}: {log.Count:N0} requests in {elapsed:F1} s, {clients.Length} client(s)");
            Console.WriteLine($"{Tag}     answered 200: {log.Ok:N0} = {log.Ok / elapsed:N0}/s; errors: {log.Errors}");
            Console.WriteLine($"{Tag}     latency: {log.Latency}");
            Console.WriteLine($"{Tag}     {used}; load average {LoadAverage()}");
        }
        return log;
    }

    /// <summary>
    /// Amendments at a fixed total rate, each client its share, evenly staggered. Latency counts
    /// from when a request was due, not when it went out: a client held up by a slow answer sends
    /// the late ones back to back and their wait is counted (no coordinated omission).
    /// </summary>
    private async Task PacedAsync(string name, TimeSpan duration, int rate)
    {
        var log = new PhaseLog();
        var cpu = CpuMark.Now(_postgres?.Postmaster);
        var interval = (double)_makers.Length / rate * Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var late = 0;
        var unsent = 0;
        await Task.WhenAll(_makers.Select(maker => Task.Run(async () =>
        {
            var due = start + (long)(interval * maker.Index / _makers.Length);
            while (due < end)
            {
                if (Stopwatch.GetTimestamp() >= end)
                {
                    // Time is up with requests still due: a server that falls behind does not stretch the phase.
                    Interlocked.Add(ref unsent, (int)Math.Ceiling((end - due) / interval));
                    break;
                }
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                else if (wait < -TimeSpan.FromMilliseconds(1))
                {
                    Interlocked.Increment(ref late);
                }
                var sent = Stopwatch.GetTimestamp();
                var error = await BidAsync(maker, maker.Counter++);
                var now = Stopwatch.GetTimestamp();
                log.Add((long)Stopwatch.GetElapsedTime(due, now).TotalMicroseconds, (long)Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds, error);
                due += (long)interval;
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine($"{Tag} {name}: {log.Count:N0} requests in {elapsed:F1} s ({late:N0} sent more than 1 ms after they were due; "
            + $"{unsent:N0} due but not sent when the time was up, left out of the latencies)");
        Console.WriteLine($"{Tag}     answered 200: {log.Ok:N0} = {log.Ok / elapsed:N0}/s; errors: {log.Errors}");
        Console.WriteLine($"{Tag}     latency from when due: {log.Latency}");
        Console.WriteLine($"{Tag}     latency from when sent: {log.ServiceLatency}");
        Console.WriteLine($"{Tag}     {CpuMark.Now(_postgres?.Postmaster).Since(cpu)}; load average {LoadAverage()}");
    }


    /// <summary>One bid action as a client composes it; sent again as it is when its outcome is unknown.</summary>
    private sealed record BidRequestText(string RequestId, int Product, decimal Price, bool Submit)
    {
        public BidContent Content(string batchId) =>
            new(batchId, SurgeCatalog.Products[Product].Id, SurgeCatalog.Products[Product].Spec, Price, 10_000_000, SurgeCatalog.Regions);

        public string Body(string batchId)
        {
            var (id, spec, _, _) = SurgeCatalog.Products[Product];
            var price = Price.ToString(CultureInfo.InvariantCulture);
            return $$$"""{"clientRequestId":"{{{RequestId}}}","content":{"batchId":"{{{batchId}}}","productId":"{{{id}}}","specificationCode":"{{{spec}}}","pricePerPack":{{{price}}},"annualCapacity":10000000,"supplyRegions":["BJ","TJ","HE","SX","NM"]}}""";
        }
    }

    /// <summary>One simulated manufacturer: its account, its HTTP client with its cookie, its bids as it knows them.</summary>
    private sealed class Maker(int index, string manufacturerId, string userName, HttpClient http)
    {
        private int _next;

        public int Index { get; } = index;

        public string ManufacturerId { get; } = manufacturerId;

        public string UserName { get; } = userName;

        public HttpClient Http { get; } = http;

        public Guid?[] BidIds { get; } = new Guid?[SurgeCatalog.Products.Length];

        public int[] Versions { get; } = new int[SurgeCatalog.Products.Length];

        /// <summary>Per product: a request on it went unanswered since the last receipt (its stored version may be ahead).</summary>
        public bool[] Uncertain { get; } = new bool[SurgeCatalog.Products.Length];

        public List<Ack> Acks { get; } = [];

        public long Counter { get; set; }

        public int UnexpectedVersions { get; private set; }

        public int Resends { get; private set; }

        private BidRequestText? _pending;

        /// <summary>The unanswered request again, else the next one.</summary>
        public BidRequestText Take()
        {
            if (_pending is { } pending)
            {
                _pending = null;
                Resends++;
                return pending;
            }
            var product = _next++ % SurgeCatalog.Products.Length;
            return new BidRequestText(Guid.NewGuid().ToString("N"), product, SurgeCatalog.Price(product, _next + Index), BidIds[product] is null);
        }

        public void Acknowledge(BidRequestText request, Guid bidId, int version, string sha256)
        {
            var expected = request.Submit ? 1 : Versions[request.Product] + 1;
            if (version != expected && !Uncertain[request.Product])
            {
                UnexpectedVersions++;
            }
            BidIds[request.Product] = bidId;
            Versions[request.Product] = version;
            Uncertain[request.Product] = false;
            Acks.Add(new Ack(Index, request.RequestId, bidId, version, sha256, request.Submit));
        }

        public void Unanswered(BidRequestText request)
        {
            _pending = request;
            Uncertain[request.Product] = true;
        }
    }
}
