using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.Grains.Storage;

/// <summary>
/// Bids: the current state of each (table <c>bids</c>) and every action on it (table
/// <c>bid_actions</c>, keyed by manufacturer and client request id, which makes requests idempotent).
/// </summary>
public sealed class BidRepository(ProcurementStore store)
{
    private const string SelectActionSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, version AS Version, action AS Action,
               content_sha256 AS ContentSha256, received_at AS ReceivedAt, client_request_id AS ClientRequestId,
               manufacturer_id AS ManufacturerId
          FROM bid_actions
         WHERE manufacturer_id = @ManufacturerId AND client_request_id = @ClientRequestId
        """;

    public Task<BidReceipt?> FindReceiptAsync(string manufacturerId, string clientRequestId) =>
        store.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<ActionRow>(
                SelectActionSql, new { ManufacturerId = manufacturerId, ClientRequestId = clientRequestId });
            return row?.ToReceipt();
        });

    private const string SelectCurrentSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, manufacturer_id AS ManufacturerId,
               status AS Status, version AS Version, spec_code AS SpecCode, price_per_pack_e6 AS PricePerPackE6,
               annual_capacity AS AnnualCapacity, received_at AS ReceivedAt, content_sha256 AS ContentSha256
          FROM bids
         WHERE bid_id = @BidId
        """;

    private const string SelectActiveForProductSql = """
        SELECT bid_id FROM bids
         WHERE batch_id = @BatchId AND product_id = @ProductId AND manufacturer_id = @ManufacturerId AND status = 0
        """;

    private static readonly string[] ActiveForProductParameters = ["BatchId", "ProductId", "ManufacturerId"];

    private const string InsertBidSql = """
        INSERT INTO bids (bid_id, batch_id, product_id, manufacturer_id, status, version, spec_code, price_per_pack_e6,
                          annual_capacity, received_at, content_sha256)
        VALUES (@BidId, @BatchId, @ProductId, @ManufacturerId, 0, 1, @SpecCode, @PricePerPackE6,
                @AnnualCapacity, @ReceivedAt, @ContentSha256)
        """;

    private static readonly string[] InsertBidParameters =
        ["BidId", "BatchId", "ProductId", "ManufacturerId", "SpecCode", "PricePerPackE6", "AnnualCapacity", "ReceivedAt", "ContentSha256"];

    // Reads and writes the bid in one statement, and only an active bid of this bidder, batch and
    // product: the row lock it takes orders concurrent changes, each then the next version.
    private const string UpdateBidSql = """
        UPDATE bids
           SET status = @Status, version = version + 1, spec_code = @SpecCode, price_per_pack_e6 = @PricePerPackE6,
               annual_capacity = @AnnualCapacity, received_at = @ReceivedAt, content_sha256 = @ContentSha256
         WHERE bid_id = @BidId AND manufacturer_id = @ManufacturerId AND batch_id = @BatchId AND product_id = @ProductId AND status = 0
        RETURNING version
        """;

    private static readonly string[] UpdateBidParameters =
        ["Status", "SpecCode", "PricePerPackE6", "AnnualCapacity", "ReceivedAt", "ContentSha256", "BidId", "ManufacturerId", "BatchId", "ProductId"];

    private static readonly ConcurrentDictionary<int, (string Delete, string Insert, string[] Parameters)> SupplyRegionStatements = new();

    /// <summary>
    /// The statements that make a bid's stored supply regions the given ones (as many as
    /// <paramref name="count"/>), deleting and inserting only what differs: an amendment that keeps
    /// its regions, as most do, writes no region row (rewriting them all cost a row, its index
    /// entries and two foreign-key checks per region).
    /// </summary>
    internal static (string Delete, string Insert, string[] Parameters) SupplyRegionsSql(int count) =>
        SupplyRegionStatements.GetOrAdd(count, static n =>
        {
            var regions = Enumerable.Range(0, n).Select(i => $"@Region{i}").ToArray();
            return (
                string.Format(CultureInfo.InvariantCulture, DeleteOtherRegionsSqlTemplate, string.Join(", ", regions)),
                string.Format(CultureInfo.InvariantCulture, InsertRegionsSqlTemplate, string.Join(", ", regions.Select(r => $"(@BidId, {r})"))),
                ["BidId", .. regions.Select(r => r[1..])]);
        });

    private const string DeleteOtherRegionsSqlTemplate = "DELETE FROM bid_supply_regions WHERE bid_id = @BidId AND region_code NOT IN ({0})";

    private const string InsertRegionsSqlTemplate = "INSERT INTO bid_supply_regions (bid_id, region_code) VALUES {0} ON CONFLICT (bid_id, region_code) DO NOTHING";

    private const string InsertActionSql = """
        INSERT INTO bid_actions (manufacturer_id, client_request_id, bid_id, batch_id, product_id, version, action,
                                 canonical_content, content_sha256, received_at)
        VALUES (@ManufacturerId, @ClientRequestId, @BidId, @BatchId, @ProductId, @Version, @Action,
                @CanonicalContent, @ContentSha256, @ReceivedAt)
        """;

    private static readonly string[] ActionParameters =
        ["ManufacturerId", "ClientRequestId", "BidId", "BatchId", "ProductId", "Version", "Action", "CanonicalContent", "ContentSha256", "ReceivedAt"];

    /// <summary>
    /// Records one bid action and its event in one transaction and returns the receipt. The
    /// stateful checks (one active bid per product, the bid belongs to the bidder and is still
    /// active) run inside the transaction. On a server that is two round trips: the check (a submit)
    /// or the update that returns the new version (an amendment or a withdrawal), then every other
    /// statement together.
    /// </summary>
    public Task<BidReceipt> RecordAsync(BidCommand command, DateTimeOffset receivedAt) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            var content = command.Content;
            var bidId = command.BidId.ToString();
            var canonical = BidCanonicalForm.Text(command.ManufacturerId, content);
            var sha = BidCanonicalForm.Sha256(command.ManufacturerId, content);
            var price = Scaled.ToE6(content.PricePerPack, "pricePerPack");
            var writes = new StatementBatch(connection, transaction);
            var at = writes.Instant(receivedAt);
            int version;
            if (command.Action == BidAction.Submitted)
            {
                var existing = await StatementCache.ScalarAsync(connection, transaction, SelectActiveForProductSql, ActiveForProductParameters,
                    content.BatchId, content.ProductId, command.ManufacturerId);
                if (existing is not null)
                {
                    throw new ProcurementException(
                        ErrorCodes.BidAlreadyExists,
                        $"Manufacturer {command.ManufacturerId} already has bid {existing} on {content.ProductId}; amend or withdraw it.",
                        "productId");
                }
                version = 1;
                writes.Add(InsertBidSql, InsertBidParameters,
                    bidId, content.BatchId, content.ProductId, command.ManufacturerId, content.SpecificationCode, price, content.AnnualCapacity, at, sha);
            }
            else
            {
                var status = command.Action == BidAction.Withdrawn ? (int)BidStatus.Withdrawn : (int)BidStatus.Active;
                var updated = await StatementCache.ScalarAsync(connection, transaction, UpdateBidSql, UpdateBidParameters,
                    status, content.SpecificationCode, price, content.AnnualCapacity, at, sha, bidId, command.ManufacturerId, content.BatchId, content.ProductId);
                if (updated is null)
                {
                    throw await RefusalAsync(connection, transaction, command);
                }
                version = Convert.ToInt32(updated, CultureInfo.InvariantCulture);
            }
            if (command.Action != BidAction.Withdrawn)
            {
                // The batch grain refuses a bid without regions.
                object?[] regions = [bidId, .. content.SupplyRegions.Distinct()];
                var (delete, insert, parameters) = SupplyRegionsSql(regions.Length - 1);
                if (command.Action == BidAction.Amended)
                {
                    writes.Add(delete, parameters, regions);
                }
                writes.Add(insert, parameters, regions);
            }
            writes.Add(InsertActionSql, ActionParameters,
                command.ManufacturerId, command.ClientRequestId, bidId, content.BatchId, content.ProductId, version, (int)command.Action, canonical, sha, at);
            // The event says that a sealed bid changed, never what it offers: the log is readable before the opening.
            EventLog.Append(writes, receivedAt, command.Actor, content.BatchId, "bid", bidId, $"Bid{command.Action}", new
            {
                command.ManufacturerId,
                content.ProductId,
                Version = version,
                ContentSha256 = sha,
                command.ClientRequestId,
            });
            await writes.ExecuteAsync();
            return new BidReceipt(command.BidId, content.BatchId, content.ProductId, command.ManufacturerId, version, command.Action, receivedAt, sha, command.ClientRequestId);
        });

    /// <summary>Why an amendment or withdrawal found no active bid to change, read from the bid as it stands.</summary>
    private static async Task<ProcurementException> RefusalAsync(DbConnection connection, DbTransaction transaction, BidCommand command)
    {
        var bidId = command.BidId;
        var content = command.Content;
        var current = await connection.QuerySingleOrDefaultAsync<BidRow>(SelectCurrentSql, new { BidId = bidId.ToString() }, transaction);
        if (current is null || current.ManufacturerId != command.ManufacturerId || current.BatchId != content.BatchId)
        {
            return new ProcurementException(ErrorCodes.BidNotFound, $"Bid {bidId} of manufacturer {command.ManufacturerId} does not exist in batch {content.BatchId}.", "bidId");
        }
        if (current.Status == (int)BidStatus.Withdrawn)
        {
            return new ProcurementException(ErrorCodes.BidWithdrawn, $"Bid {bidId} was withdrawn; submit a new bid instead.", "bidId");
        }
        if (current.ProductId != content.ProductId)
        {
            return ProcurementException.Invalid("productId", $"Bid {bidId} is on product {current.ProductId}; an amendment cannot move it to {content.ProductId}.");
        }
        return new ProcurementException(ErrorCodes.InvalidTransition, $"Bid {bidId} changed concurrently; repeat the request.", "bidId");
    }

    /// <summary>The latest content of a bid, for a bidder grain that amends or withdraws it.</summary>
    public Task<(string ManufacturerId, BidContent Content, BidStatus Status)?> GetContentAsync(Guid bidId) =>
        store.ReadAsync<(string, BidContent, BidStatus)?>(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<BidRow>(SelectCurrentSql, new { BidId = bidId.ToString() });
            if (row is null)
            {
                return null;
            }
            var regions = await connection.QueryAsync<string>(SelectRegionsOfBidSql, new { BidId = bidId.ToString() });
            return (row.ManufacturerId, row.ToContent(regions.AsList()), (BidStatus)row.Status);
        });

    private const string SelectRegionsOfBidSql = "SELECT region_code FROM bid_supply_regions WHERE bid_id = @BidId ORDER BY region_code";

    private const string SelectSealedSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, manufacturer_id AS ManufacturerId,
               status AS Status, version AS Version, received_at AS ReceivedAt, content_sha256 AS ContentSha256
          FROM bids
        """;

    public Task<IReadOnlyList<SealedBid>> ListSealedForBatchAsync(string batchId) =>
        ListSealedAsync($"{SelectSealedSql} WHERE batch_id = @Id ORDER BY product_id, manufacturer_id", batchId);

    public Task<IReadOnlyList<SealedBid>> ListSealedForManufacturerAsync(string manufacturerId) =>
        ListSealedAsync($"{SelectSealedSql} WHERE manufacturer_id = @Id ORDER BY batch_id, product_id", manufacturerId);

    private Task<IReadOnlyList<SealedBid>> ListSealedAsync(string sql, string id) =>
        store.ReadAsync<IReadOnlyList<SealedBid>>(async connection =>
            (await connection.QueryAsync<SealedRow>(sql, new { Id = id }))
                .Select(r => new SealedBid(Guid.Parse(r.BidId), r.BatchId, r.ProductId, r.ManufacturerId, (BidStatus)r.Status, r.Version, r.ReceivedAt, r.ContentSha256))
                .ToList());

    private const string SelectOpenedSql = """
        SELECT b.bid_id AS BidId, b.batch_id AS BatchId, b.product_id AS ProductId, b.manufacturer_id AS ManufacturerId,
               b.status AS Status, b.version AS Version, b.spec_code AS SpecCode, b.price_per_pack_e6 AS PricePerPackE6,
               b.annual_capacity AS AnnualCapacity, b.received_at AS ReceivedAt, b.content_sha256 AS ContentSha256,
               COALESCE(m.affiliation_group, m.manufacturer_id) AS BidderGroup
          FROM bids b
          JOIN manufacturers m ON m.manufacturer_id = b.manufacturer_id
         WHERE b.batch_id = @BatchId AND b.status = 0
         ORDER BY b.product_id, b.manufacturer_id
        """;

    private const string SelectBatchSupplyRegionsSql = """
        SELECT r.bid_id AS BidId, r.region_code AS RegionCode
          FROM bid_supply_regions r
          JOIN bids b ON b.bid_id = r.bid_id
         WHERE b.batch_id = @BatchId AND b.status = 0
         ORDER BY r.bid_id, r.region_code
        """;

    /// <summary>The active bids of a batch with their content. Only the batch grain calls this, and only once opened.</summary>
    public Task<IReadOnlyList<(BidRow Bid, IReadOnlyList<string> Regions)>> ListActiveWithContentAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<(BidRow, IReadOnlyList<string>)>>(async connection =>
        {
            var bids = await connection.QueryAsync<BidRow>(SelectOpenedSql, new { BatchId = batchId });
            var regions = (await connection.QueryAsync<BidRegionRow>(SelectBatchSupplyRegionsSql, new { BatchId = batchId }))
                .ToLookup(r => r.BidId, r => r.RegionCode);
            return bids.Select(b => (b, (IReadOnlyList<string>)regions[b.BidId].ToList())).ToList();
        });

    public sealed record BidRow
    {
        public string BidId { get; init; } = "";

        public string BatchId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public string BidderGroup { get; init; } = "";

        public int Status { get; init; }

        public int Version { get; init; }

        public string SpecCode { get; init; } = "";

        public long PricePerPackE6 { get; init; }

        public long AnnualCapacity { get; init; }

        public DateTimeOffset ReceivedAt { get; init; }

        public string ContentSha256 { get; init; } = "";

        public BidContent ToContent(IReadOnlyList<string> regions) =>
            new(BatchId, ProductId, SpecCode, Scaled.FromE6(PricePerPackE6), AnnualCapacity, regions);
    }

    private sealed record SealedRow
    {
        public string BidId { get; init; } = "";

        public string BatchId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public int Status { get; init; }

        public int Version { get; init; }

        public DateTimeOffset ReceivedAt { get; init; }

        public string ContentSha256 { get; init; } = "";
    }

    private sealed record BidRegionRow
    {
        public string BidId { get; init; } = "";

        public string RegionCode { get; init; } = "";
    }

    private sealed record ActionRow
    {
        public string BidId { get; init; } = "";

        public string BatchId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public int Version { get; init; }

        public int Action { get; init; }

        public string ContentSha256 { get; init; } = "";

        public DateTimeOffset ReceivedAt { get; init; }

        public string ClientRequestId { get; init; } = "";

        public BidReceipt ToReceipt() =>
            new(Guid.Parse(BidId), BatchId, ProductId, ManufacturerId, Version, (BidAction)Action, ReceivedAt, ContentSha256, ClientRequestId);
    }
}
