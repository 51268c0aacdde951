using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Procurement.Contracts.Grains;

namespace Procurement.Benchmarks;

/// <summary>One order acknowledged to a client (HTTP 200 with the order, or the grain's answer).</summary>
internal readonly record struct OrderAck(int Buyer, string RequestId, long Seed, Guid OrderId, int Lines);

/// <summary>
/// The load: clients flat out or paced, the order each sends (sent again as it was when its
/// outcome is unknown) and what each simulated hospital knows of its orders.
/// </summary>
internal sealed partial class OrderSurgeRun<TEntry>
{
    /// <summary>One request of a client; returns null when it was answered with success, else what went wrong.</summary>
    private delegate Task<string?> ClientAction(Buyer buyer, long counter);

    private static async Task<string?> GetAsync(Buyer buyer, string path)
    {
        try
        {
            using var response = await buyer.Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? null : SurgeNet.Describe(response.StatusCode, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.GetType().Name;
        }
    }

    /// <summary>
    /// The hospital's next order, a fresh client request id each; an order whose outcome is unknown
    /// (no answer, or a 5xx) is sent again with the same id and body, as a client should.
    /// </summary>
    private async Task<string?> OrderAsync(Buyer buyer, long counter)
    {
        var (requestId, seed) = buyer.Take();
        try
        {
            using var content = new StringContent(OrderSurgeCatalog.Body(requestId, seed, settings.Lines), Encoding.UTF8, "application/json");
            using var response = await buyer.Http.PostAsync("/api/orders", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var (orderId, lines) = Receipt(text);
                buyer.Acks.Add(new OrderAck(buyer.Index, requestId, seed, orderId, lines));
                return lines == settings.Lines ? null : $"order of {lines} lines, {settings.Lines} sent";
            }
            if ((int)response.StatusCode >= 500)
            {
                buyer.Unanswered(requestId, seed);
            }
            return SurgeNet.Describe(response.StatusCode, text);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            buyer.Unanswered(requestId, seed);
            return ex.GetType().Name;
        }
    }

    private static (Guid OrderId, int Lines) Receipt(string text)
    {
        using var order = JsonDocument.Parse(text);
        return (order.RootElement.GetProperty("orderId").GetGuid(), order.RootElement.GetProperty("lines").GetArrayLength());
    }

    /// <summary>The same order through the silo's own grain factory, without HTTP (a diagnostic).</summary>
    private async Task<string?> OrderThroughGrainAsync(IGrainFactory grains, Buyer buyer)
    {
        var (requestId, seed) = buyer.Take();
        try
        {
            var order = await grains.GetGrain<IHospitalOrdersGrain>(buyer.HospitalId).PlaceOrderAsync(OrderSurgeCatalog.Request(requestId, seed, settings.Lines));
            buyer.Acks.Add(new OrderAck(buyer.Index, requestId, seed, order.OrderId, order.Lines.Count));
            return null;
        }
        catch (Procurement.Contracts.Errors.ProcurementException ex) when (ex.Code != Procurement.Contracts.Errors.ErrorCodes.StoreFailure)
        {
            return ex.Code;
        }
        catch (Exception ex)
        {
            buyer.Unanswered(requestId, seed);
            return ex.GetType().Name;
        }
    }

    /// <summary>Every client sends its next request as soon as the last is answered, until the time is up.</summary>
    private async Task<PhaseLog> FlatOutAsync(string name, TimeSpan duration, ClientAction action, bool print, Buyer[]? clients = null)
    {
        clients ??= _buyers;
        var log = new PhaseLog();
        var acked = AckedOrders();
        var cpu = CpuMark.Now(_postgres?.Postmaster);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(clients.Select(buyer => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                var error = await action(buyer, buyer.Counter++);
                var micros = (long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
                log.Add(micros, micros, error);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = CpuMark.Now(_postgres?.Postmaster).Since(cpu);
        if (print)
        {
            Console.WriteLine($"{Tag} {name}: {log.Count:N0} requests in {elapsed:F1} s, {clients.Length} client(s)");
            Console.WriteLine($"{Tag}     answered with success: {log.Ok:N0} = {log.Ok / elapsed:N0}/s{Lines(AckedOrders() - acked, elapsed)}; errors: {log.Errors}");
            Console.WriteLine($"{Tag}     latency: {log.Latency}");
            Console.WriteLine($"{Tag}     {used}; load average {LoadAverage()}");
        }
        return log;
    }

    private string Lines(int orders, double elapsed) =>
        orders == 0 ? "" : $" ({orders:N0} orders acknowledged = {orders / elapsed:N0} orders/s = {(long)orders * settings.Lines / elapsed:N0} order lines/s)";

    /// <summary>
    /// Orders at a fixed total rate, each client its share, evenly staggered. Latency counts from
    /// when an order was due, not when it went out: a client held up by a slow answer sends the
    /// late ones back to back and their wait is counted (no coordinated omission).
    /// </summary>
    private async Task PacedAsync(string name, TimeSpan duration, double ordersPerSecond)
    {
        var log = new PhaseLog();
        var acked = AckedOrders();
        var cpu = CpuMark.Now(_postgres?.Postmaster);
        var interval = _buyers.Length / ordersPerSecond * Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var late = 0;
        var unsent = 0;
        await Task.WhenAll(_buyers.Select(buyer => Task.Run(async () =>
        {
            var due = start + (long)(interval * buyer.Index / _buyers.Length);
            while (due < end)
            {
                if (Stopwatch.GetTimestamp() >= end)
                {
                    // Time is up with orders still due: a server that falls behind does not stretch the phase.
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
                var error = await OrderAsync(buyer, buyer.Counter++);
                var now = Stopwatch.GetTimestamp();
                log.Add((long)Stopwatch.GetElapsedTime(due, now).TotalMicroseconds, (long)Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds, error);
                due += (long)interval;
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine($"{Tag} {name}: {log.Count:N0} orders in {elapsed:F1} s ({late:N0} sent more than 1 ms after they were due; "
            + $"{unsent:N0} due but not sent when the time was up, left out of the latencies)");
        Console.WriteLine($"{Tag}     answered with success: {log.Ok:N0} = {log.Ok / elapsed:N0}/s{Lines(AckedOrders() - acked, elapsed)}; errors: {log.Errors}");
        Console.WriteLine($"{Tag}     latency from when due: {log.Latency}");
        Console.WriteLine($"{Tag}     latency from when sent: {log.ServiceLatency}");
        Console.WriteLine($"{Tag}     {CpuMark.Now(_postgres?.Postmaster).Since(cpu)}; load average {LoadAverage()}");
    }

    /// <summary>One simulated hospital: its account, its HTTP client with its cookie, the orders acknowledged to it.</summary>
    private sealed class Buyer(int index, string hospitalId, string userName, HttpClient http)
    {
        private (string RequestId, long Seed)? _pending;

        public int Index { get; } = index;

        public string HospitalId { get; } = hospitalId;

        public string UserName { get; } = userName;

        public HttpClient Http { get; } = http;

        public List<OrderAck> Acks { get; } = [];

        public long Counter { get; set; }

        public int Resends { get; private set; }

        /// <summary>The order whose outcome is unknown, again; else a new one.</summary>
        public (string RequestId, long Seed) Take()
        {
            if (_pending is { } pending)
            {
                _pending = null;
                Resends++;
                return pending;
            }
            return (Guid.NewGuid().ToString("N"), Index * 1_000_003L + Counter);
        }

        public void Unanswered(string requestId, long seed) => _pending = (requestId, seed);

        /// <summary>An order sent but never answered (the run ended before its resend): it may or may not be stored.</summary>
        public (string RequestId, long Seed)? Pending => _pending;
    }
}
