using System.Net;
using System.Text;
using System.Text.Json;
using Procurement.Contracts.Grains;

namespace Procurement.Benchmarks;

/// <summary>One order acknowledged to a client (HTTP 200 with the order, or the grain's answer).</summary>
internal readonly record struct OrderAck(int Buyer, string RequestId, long Seed, Guid OrderId, int Lines);

/// <summary>
/// The load (its loop is <see cref="SurgeLoad{TClient}"/>): the order each client sends (sent again
/// as it was when its outcome is unknown) and what each simulated hospital knows of its orders.
/// </summary>
internal sealed partial class OrderSurgeRun<TEntry>
{
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

    /// <summary>When a phase starts: the orders and order lines per second it acknowledged, given its seconds, for its summary.</summary>
    private Func<double, string> CountOrders()
    {
        var acked = AckedOrders();
        return elapsed =>
        {
            var orders = AckedOrders() - acked;
            return orders == 0 ? "" : $" ({orders:N0} orders acknowledged = {orders / elapsed:N0} orders/s = {(long)orders * settings.Lines / elapsed:N0} order lines/s)";
        };
    }

    /// <summary>One simulated hospital: its account, its HTTP client with its cookie, the orders acknowledged to it.</summary>
    private sealed class Buyer(int index, string hospitalId, string userName, HttpClient http) : ISurgeClient
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
