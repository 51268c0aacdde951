using System.Globalization;
using System.Net;
using System.Text;

namespace Procurement.Benchmarks;

/// <summary>What the hospitals' orders sent again with their request ids were answered.</summary>
internal sealed record ResendOutcome(int Sent, int SameOrder, int OtherOrder, int Pairs, int PairsSame, string Errors)
{
    public bool Held => Sent == SameOrder && Pairs == PairsSame;
}

/// <summary>
/// Afterwards: acknowledged orders sent again while the server runs, then every acknowledged
/// order looked up in the database after the stop, on a connection of its own.
/// </summary>
internal sealed partial class OrderSurgeRun<TEntry>
{
    private const string SurgeHospitals = "H-SURGE-%";

    /// <summary>
    /// Each hospital sends again, with their request ids, some orders already acknowledged to it
    /// (the same body; the last of them with a different body, which the platform must ignore),
    /// and one new order twice at once on two connections. Every answer must be the first order.
    /// </summary>
    private async Task<ResendOutcome> ResendAsync()
    {
        int sent = 0, same = 0, other = 0, pairs = 0, pairsSame = 0;
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(_buyers, new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (buyer, _) =>
        {
            var acks = buyer.Acks.ToArray();
            var picks = acks.Length == 0 ? [] : Enumerable.Range(0, Math.Min(settings.Resend, acks.Length)).Select(i => acks[(int)((long)i * acks.Length / Math.Min(settings.Resend, acks.Length))]).ToArray();
            for (var i = 0; i < picks.Length; i++)
            {
                var ack = picks[i];
                // The last one changes its body: the request id alone decides, the first order stands.
                var body = OrderSurgeCatalog.Body(ack.RequestId, i == picks.Length - 1 ? ack.Seed + 1 : ack.Seed, i == picks.Length - 1 ? 1 : settings.Lines);
                var (orderId, lines, error) = await PostOrderAsync(buyer, body);
                Interlocked.Increment(ref sent);
                if (error is not null)
                {
                    Count(error);
                }
                else if (orderId == ack.OrderId && lines == ack.Lines)
                {
                    Interlocked.Increment(ref same);
                }
                else
                {
                    Interlocked.Increment(ref other);
                }
            }
            var (requestId, seed) = buyer.Take();
            var text = OrderSurgeCatalog.Body(requestId, seed, settings.Lines);
            var both = await Task.WhenAll(PostOrderAsync(buyer, text), PostOrderAsync(buyer, text));
            Interlocked.Increment(ref pairs);
            if (both.All(r => r.Error is null) && both[0].OrderId == both[1].OrderId && both[0].Lines == settings.Lines)
            {
                Interlocked.Increment(ref pairsSame);
                buyer.Acks.Add(new OrderAck(buyer.Index, requestId, seed, both[0].OrderId, both[0].Lines));
            }
            else
            {
                foreach (var error in both.Select(r => r.Error).OfType<string>())
                {
                    Count(error);
                }
                buyer.Unanswered(requestId, seed);
            }
        });
        var outcome = new ResendOutcome(sent, same, other, pairs, pairsSame,
            errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}")));
        Console.WriteLine($"{Tag} resends: {outcome.Sent:N0} acknowledged orders sent again with their request ids ({_buyers.Length:N0} of them with another body): "
            + $"{outcome.SameOrder:N0} answered with the first order, {outcome.OtherOrder:N0} with another; {outcome.Pairs:N0} new orders each sent twice at once: "
            + $"{outcome.PairsSame:N0} answered twice with the same order; errors: {outcome.Errors}");
        return outcome;

        void Count(string error)
        {
            lock (errors)
            {
                errors[error] = errors.GetValueOrDefault(error) + 1;
            }
        }
    }

    private static async Task<(Guid OrderId, int Lines, string? Error)> PostOrderAsync(Buyer buyer, string body)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await buyer.Http.PostAsync("/api/orders", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (Guid.Empty, 0, SurgeNet.Describe(response.StatusCode, text));
            }
            var (orderId, lines) = Receipt(text);
            return (orderId, lines, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (Guid.Empty, 0, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Every order acknowledged to a client must be in <c>orders</c> under its hospital and request
    /// id, as the same order with all its lines in <c>order_lines</c>; nothing else may be there
    /// but orders whose answer never came; each order has its one event.
    /// </summary>
    private async Task<bool> CheckDurabilityAsync(ResendOutcome resends)
    {
        var acks = _buyers.SelectMany(b => b.Acks).ToList();
        var unique = acks.GroupBy(a => (a.Buyer, a.RequestId)).Select(g => g.First()).ToList();
        var answeredTwice = acks.Count - unique.Count;
        var orderIdTwice = unique.GroupBy(a => a.OrderId).Count(g => g.Count() > 1);
        var pending = _buyers.Where(b => b.Pending is not null).Select(b => (b.HospitalId, b.Pending!.Value.RequestId)).ToHashSet();

        var stored = new Dictionary<(string Hospital, string RequestId), (Guid OrderId, int Lines)>();
        long storedLines, events, requests;
        await using (var connection = _server.Open())
        {
            await connection.OpenAsync();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    SELECT o.hospital_id, o.request_id, o.order_id, COUNT(l.line_no)
                      FROM orders o LEFT JOIN order_lines l ON l.order_id = o.order_id
                     WHERE o.hospital_id LIKE @h
                     GROUP BY o.hospital_id, o.request_id, o.order_id
                    """;
                Hospitals(command);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    stored[(reader.GetString(0), reader.GetString(1))] = (Guid.Parse(reader.GetString(2)), Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture));
                }
            }
            storedLines = await ScalarAsync("SELECT COUNT(*) FROM order_lines WHERE hospital_id LIKE @h");
            requests = await ScalarAsync("SELECT COUNT(*) FROM order_requests WHERE hospital_id LIKE @h");
            events = await ScalarAsync("SELECT COUNT(*) FROM events WHERE entity_type = 'order' AND event_type = 'OrderPlaced' AND entity_id IN (SELECT order_id FROM orders WHERE hospital_id LIKE @h)");

            async Task<long> ScalarAsync(string sql)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                Hospitals(command);
                return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }
        }
        var ackedLines = unique.Sum(a => (long)a.Lines);
        var lost = unique.Count(a => !stored.TryGetValue((_buyers[a.Buyer].HospitalId, a.RequestId), out var row) || row.OrderId != a.OrderId || row.Lines != a.Lines);
        var ackedKeys = unique.Select(a => (_buyers[a.Buyer].HospitalId, a.RequestId)).ToHashSet();
        var notAcked = stored.Where(s => !ackedKeys.Contains(s.Key)).ToList();
        var notAckedUnknown = notAcked.Count(s => pending.Contains(s.Key));
        var notAckedLines = notAcked.Sum(s => (long)s.Value.Lines);

        Console.WriteLine($"{Tag} durability (database read after the server stopped, on a connection of its own):");
        Console.WriteLine($"{Tag}     acknowledged orders {unique.Count:N0} = {ackedLines:N0} order lines ({answeredTwice:N0} acknowledged twice; {_buyers.Sum(b => b.Resends):N0} resends of an unknown outcome during the load)");
        Console.WriteLine($"{Tag}     stored orders {stored.Count:N0}, order lines {storedLines:N0}, request ids {requests:N0}, OrderPlaced events {events:N0}");
        Console.WriteLine($"{Tag}     acknowledged but not stored as acknowledged (LOST): {lost:N0}; stored but never acknowledged: {notAcked.Count:N0} ({notAckedLines:N0} lines; "
            + $"{notAckedUnknown:N0} of them sent without an answer); one order id acknowledged to two requests: {orderIdTwice:N0}");
        var ok = lost == 0 && answeredTwice == 0 && orderIdTwice == 0 && notAcked.Count == notAckedUnknown
            && storedLines == ackedLines + notAckedLines && requests == stored.Count && events == stored.Count && resends.Held;
        Console.WriteLine($"{Tag}     order lines stored = acknowledged{(notAckedLines > 0 ? " + never answered" : "")}: {storedLines:N0} = {ackedLines:N0}{(notAckedLines > 0 ? $" + {notAckedLines:N0}" : "")} "
            + $"({(storedLines == ackedLines + notAckedLines ? "yes" : "NO")}); resends answered with the first order: {(resends.Held ? "yes" : "NO")}");
        Console.WriteLine($"{Tag}     {(ok ? "no acknowledged order line lost, none duplicated" : "FAILED: see above")}");
        return ok;

        void Hospitals(System.Data.Common.DbCommand command)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@h";
            parameter.Value = SurgeHospitals;
            command.Parameters.Add(parameter);
        }
    }
}
