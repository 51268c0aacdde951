using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.Benchmarks;

/// <summary>
/// Afterwards: every acknowledged action looked up through the API before the stop and in the
/// database after it, on a connection of its own.
/// </summary>
internal sealed partial class SurgeRun<TEntry>
{
    /// <summary>Each manufacturer's own sealed bids in the batch: before the opening nobody else may list them.</summary>
    private async Task<IReadOnlyList<SealedBid>> ReadThroughApiAsync()
    {
        var all = new List<SealedBid>();
        foreach (var maker in _makers)
        {
            using var response = await maker.Http.GetAsync($"/api/batches/{_batchId}/bids");
            response.EnsureSuccessStatusCode();
            using var stream = await response.Content.ReadAsStreamAsync();
            using var document = await JsonDocument.ParseAsync(stream);
            all.AddRange(document.RootElement.EnumerateArray()
                .Select(b => new SealedBid(
                    b.GetProperty("bidId").GetGuid(), b.GetProperty("batchId").GetString()!, b.GetProperty("productId").GetString()!,
                    b.GetProperty("manufacturerId").GetString()!, BidStatus.Active, b.GetProperty("version").GetInt32(),
                    b.GetProperty("receivedAt").GetDateTimeOffset(), b.GetProperty("contentSha256").GetString()!)));
        }
        return all;
    }

    /// <summary>
    /// Every action the clients saw acknowledged must be in <c>sealed_bid_actions</c> (same bid,
    /// version and commitment), read on a connection of its own after the server has stopped; every
    /// bid's stored version must be its last acknowledged one, through each bidder's own list (before
    /// the stop) and in <c>sealed_bids</c>; each action has its event.
    /// </summary>
    private async Task<bool> CheckDurabilityAsync(List<Ack> acks, IReadOnlyList<SealedBid> apiBids)
    {
        var unique = acks.GroupBy(a => (a.Maker, a.RequestId)).Select(g => g.First()).ToList();
        var repeatedAcks = acks.Count - unique.Count;
        var duplicateVersions = unique.GroupBy(a => (a.BidId, a.Version)).Count(g => g.Count() > 1);
        var lastAcked = unique.GroupBy(a => a.BidId).ToDictionary(g => g.Key, g => g.Max(a => a.Version));
        var uncertainBids = _makers.SelectMany(m => m.Uncertain.Select((u, i) => (u, m.BidIds[i]))).Where(x => x.u).Select(x => x.Item2).ToHashSet();

        var apiMismatch = apiBids.Count(b => lastAcked.TryGetValue(b.BidId, out var v) ? v != b.Version && !uncertainBids.Contains(b.BidId) : true);

        var stored = new Dictionary<(string Maker, string RequestId), (Guid BidId, int Version, string Sha)>();
        var storedBids = new Dictionary<Guid, int>();
        long events;
        await using (var connection = _server.Open())
        {
            await connection.OpenAsync();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT manufacturer_id, client_request_id, bid_id, version, commitment FROM sealed_bid_actions WHERE batch_id = @b";
                AddBatch(command);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    stored[(reader.GetString(0), reader.GetString(1))] = (Guid.Parse(reader.GetString(2)), Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture), reader.GetString(4));
                }
            }
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT bid_id, version FROM sealed_bids WHERE batch_id = @b";
                AddBatch(command);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    storedBids[Guid.Parse(reader.GetString(0))] = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
                }
            }
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT COUNT(*) FROM events WHERE batch_id = @b AND entity_type = 'bid'";
                AddBatch(command);
                events = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }
        }
        var lost = unique.Count(a => !stored.TryGetValue((_makers[a.Maker].ManufacturerId, a.RequestId), out var row)
            || row.BidId != a.BidId || row.Version != a.Version || row.Sha != a.Sha256);
        var ackedKeys = unique.Select(a => (_makers[a.Maker].ManufacturerId, a.RequestId)).ToHashSet();
        var storedNotAcked = stored.Keys.Count(k => !ackedKeys.Contains(k));
        var versionMismatch = storedBids.Count(b => lastAcked.TryGetValue(b.Key, out var v) ? v != b.Value && !uncertainBids.Contains(b.Key) : true)
            + lastAcked.Keys.Count(k => !storedBids.ContainsKey(k));
        var unexpected = _makers.Sum(m => m.UnexpectedVersions);
        var retries = _makers.Sum(m => m.Resends);

        Console.WriteLine($"{Tag} durability (database read after the server stopped, on a connection of its own):");
        Console.WriteLine($"{Tag}     acknowledged actions {unique.Count:N0} ({unique.Count(a => a.Submitted):N0} submits, {unique.Count(a => !a.Submitted):N0} amendments; {repeatedAcks:N0} answered twice after a resend, {retries:N0} resends)");
        Console.WriteLine($"{Tag}     stored actions {stored.Count:N0}; acknowledged but not stored as acknowledged (LOST): {lost:N0}; stored but never acknowledged: {storedNotAcked:N0}");
        Console.WriteLine($"{Tag}     duplicates: {duplicateVersions:N0} bid versions acknowledged to two requests; receipts with an unexpected version: {unexpected:N0}");
        Console.WriteLine($"{Tag}     bids {storedBids.Count:N0} stored (expected {settings.Manufacturers * SurgeCatalog.Products.Length:N0}); stored version != last acknowledged: {versionMismatch:N0}; through the API before the stop: {apiBids.Count:N0} bids, {apiMismatch:N0} differ");
        Console.WriteLine($"{Tag}     bid events {events:N0} (one per stored action: {(events == stored.Count ? "yes" : "NO")})");
        var ok = lost == 0 && duplicateVersions == 0 && versionMismatch == 0 && apiMismatch == 0 && events == stored.Count;
        Console.WriteLine($"{Tag}     {(ok ? "no acknowledged bid action lost" : "FAILED: see above")}");
        return ok;

        void AddBatch(System.Data.Common.DbCommand command)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@b";
            parameter.Value = _batchId;
            command.Parameters.Add(parameter);
        }
    }
}
