using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Bidders.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Bidders;

/// <summary>
/// Bids. Until its batch opens a bid lives only in <c>sealed_bids</c> (who, which product, status,
/// version, the latest receipt's commitment) and <c>sealed_bid_actions</c> (every action's
/// envelope, commitment and wrapped receipt nonce, keyed by manufacturer and client request id,
/// which makes requests idempotent). The opening writes the decrypted record into <c>bids</c>,
/// <c>bid_supply_regions</c> and <c>bid_actions</c> (<see cref="WriteOpenedAsync"/>).
/// </summary>
/// <remarks>
/// Over 400 lines as one idea, a bid's rows from its sealed submission to its opened record: the
/// sealed and the opened halves share the same keys, idempotency and event chain, and the opening
/// writes one from the other in one transaction.
/// </remarks>
public sealed class BidRepository(ProcurementStore store)
{
    private const string SelectActionSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, version AS Version, action AS Action,
               commitment AS Commitment, wrapped_nonce AS WrappedNonce, received_at AS ReceivedAt,
               client_request_id AS ClientRequestId, manufacturer_id AS ManufacturerId, offer_number AS OfferNumber
          FROM sealed_bid_actions
         WHERE manufacturer_id = @ManufacturerId AND client_request_id = @ClientRequestId
        """;

    /// <summary>The earlier action under this client request id, with its wrapped nonce, or null.</summary>
    public Task<SealedAction?> FindActionAsync(string manufacturerId, string clientRequestId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<SealedAction>(
            SelectActionSql, new { ManufacturerId = manufacturerId, ClientRequestId = clientRequestId }));

    private const string SelectLatestActionSql = """
        SELECT a.bid_id AS BidId, a.batch_id AS BatchId, a.product_id AS ProductId, a.version AS Version, a.action AS Action,
               a.commitment AS Commitment, a.wrapped_nonce AS WrappedNonce, a.received_at AS ReceivedAt,
               a.client_request_id AS ClientRequestId, a.manufacturer_id AS ManufacturerId, a.offer_number AS OfferNumber
          FROM sealed_bid_actions a
          JOIN sealed_bids b ON b.bid_id = a.bid_id AND b.version = a.version
         WHERE a.bid_id = @BidId
        """;

    /// <summary>The latest action on a bid (its current receipt), or null.</summary>
    public Task<SealedAction?> FindLatestActionAsync(Guid bidId) =>
        store.ReadAsync(connection => connection.QuerySingleOrDefaultAsync<SealedAction>(SelectLatestActionSql, new { BidId = bidId.ToString() }));

    private const string SelectSealedBidSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, manufacturer_id AS ManufacturerId,
               status AS Status, version AS Version, received_at AS ReceivedAt, commitment AS ContentSha256,
               offer_number AS OfferNumber
          FROM sealed_bids
         WHERE bid_id = @BidId
        """;

    /// <summary>A bid's sealed record (never its content), for a bidder grain that amends or withdraws it.</summary>
    public Task<SealedBid?> GetSealedAsync(Guid bidId) =>
        store.ReadAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<SealedRow>(SelectSealedBidSql, new { BidId = bidId.ToString() }))?.ToSealedBid());

    private const string SelectActiveForProductSql = """
        SELECT bid_id FROM sealed_bids
         WHERE batch_id = @BatchId AND product_id = @ProductId AND manufacturer_id = @ManufacturerId AND offer_number = @OfferNumber AND status = 0
        """;

    private static readonly Prepared<(string BatchId, string ProductId, string ManufacturerId, int OfferNumber)> SelectActiveForProduct = new(
        SelectActiveForProductSql, ("BatchId", b => b.BatchId), ("ProductId", b => b.ProductId), ("ManufacturerId", b => b.ManufacturerId),
        ("OfferNumber", b => b.OfferNumber));

    private const string InsertBidSql = """
        INSERT INTO sealed_bids (bid_id, batch_id, product_id, manufacturer_id, offer_number, status, version, received_at, commitment)
        VALUES (@BidId, @BatchId, @ProductId, @ManufacturerId, @OfferNumber, 0, 1, @ReceivedAt, @Commitment)
        """;

    private static readonly Prepared<Change> InsertBid = new(
        InsertBidSql,
        ("BidId", c => c.BidId),
        ("BatchId", c => c.Command.Content.BatchId),
        ("ProductId", c => c.Command.Content.ProductId),
        ("ManufacturerId", c => c.Command.ManufacturerId),
        ("OfferNumber", c => BidOffers.Of(c.Command.Content)),
        ("ReceivedAt", c => c.ReceivedAt),
        ("Commitment", c => c.Sealed.Commitment));

    private readonly Prepared<Change> _updateBid = new(
        store.Dialect.Statements.UpdateBidReturningVersion,
        ("Status", c => c.Command.Action == BidAction.Withdrawn ? (int)BidStatus.Withdrawn : (int)BidStatus.Active),
        ("ReceivedAt", c => c.ReceivedAt),
        ("Commitment", c => c.Sealed.Commitment),
        ("BidId", c => c.BidId),
        ("ManufacturerId", c => c.Command.ManufacturerId),
        ("BatchId", c => c.Command.Content.BatchId),
        ("ProductId", c => c.Command.Content.ProductId),
        ("OfferNumber", c => BidOffers.Of(c.Command.Content)));

    private const string InsertActionSql = """
        INSERT INTO sealed_bid_actions (manufacturer_id, client_request_id, bid_id, batch_id, product_id, offer_number, version, action,
                                        envelope, commitment, wrapped_nonce, received_at)
        VALUES (@ManufacturerId, @ClientRequestId, @BidId, @BatchId, @ProductId, @OfferNumber, @Version, @Action,
                @Envelope, @Commitment, @WrappedNonce, @ReceivedAt)
        """;

    private static readonly Prepared<(Change Change, int Version)> InsertAction = new(
        InsertActionSql,
        ("ManufacturerId", a => a.Change.Command.ManufacturerId),
        ("ClientRequestId", a => a.Change.Command.ClientRequestId),
        ("BidId", a => a.Change.BidId),
        ("BatchId", a => a.Change.Command.Content.BatchId),
        ("ProductId", a => a.Change.Command.Content.ProductId),
        ("OfferNumber", a => BidOffers.Of(a.Change.Command.Content)),
        ("Version", a => a.Version),
        ("Action", a => (int)a.Change.Command.Action),
        ("Envelope", a => a.Change.Sealed.Envelope),
        ("Commitment", a => a.Change.Sealed.Commitment),
        ("WrappedNonce", a => a.Change.Sealed.WrappedNonce),
        ("ReceivedAt", a => a.Change.ReceivedAt));

    /// <summary>What one bid action writes, as its statements take it.</summary>
    private sealed record Change(BidCommand Command, SealedContent Sealed, string BidId, object ReceivedAt);

    /// <summary>
    /// Records one sealed bid action and its event in one transaction and returns the receipt. The
    /// stateful checks (one active bid per product, the bid belongs to the bidder and is still
    /// active) run inside the transaction. On a server that is two round trips: the check (a submit)
    /// or the update that returns the new version (an amendment or a withdrawal), then the action
    /// and the event together. The event says that a sealed bid changed, never what it offers nor
    /// its commitment.
    /// </summary>
    public Task<BidReceipt> RecordAsync(BidCommand command, SealedContent sealedContent, DateTimeOffset receivedAt) =>
        store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            var content = command.Content;
            var bidId = command.BidId.ToString();
            var writes = new StatementBatch(unit);
            var change = new Change(command, sealedContent, bidId, receivedAt);
            int version;
            if (command.Action == BidAction.Submitted)
            {
                var existing = await SelectActiveForProduct.ScalarAsync(connection, transaction,
                    (content.BatchId, content.ProductId, command.ManufacturerId, BidOffers.Of(content)));
                if (existing is not null)
                {
                    throw BidLifecycle.AlreadyActive(command.ManufacturerId, content, Convert.ToString(existing, CultureInfo.InvariantCulture)!);
                }
                version = 1;
                writes.Add(InsertBid, change);
            }
            else
            {
                var updated = await _updateBid.ScalarAsync(connection, transaction, change);
                if (updated is null)
                {
                    throw await RefusalAsync(connection, transaction, command);
                }
                version = Convert.ToInt32(updated, CultureInfo.InvariantCulture);
            }
            writes.Add(InsertAction, (change, version));
            // The offer number is in the event only where it is not 1, so a drug bid's or a firm's
            // first consumables offer's event reads as it always did.
            object payload = BidOffers.Of(content) == 1
                ? new { command.ManufacturerId, content.ProductId, Version = version, command.ClientRequestId }
                : new { command.ManufacturerId, content.ProductId, OfferNumber = BidOffers.Of(content), Version = version, command.ClientRequestId };
            EventLog.Append(writes, receivedAt, command.Actor, content.BatchId, BidEntity, bidId, $"Bid{command.Action}", payload);
            await writes.ExecuteAsync();
            return new BidReceipt(command.BidId, content.BatchId, content.ProductId, command.ManufacturerId, version, command.Action, receivedAt,
                sealedContent.Commitment, command.ClientRequestId, sealedContent.Nonce) { OfferNumber = BidOffers.Of(content) };
        });

    /// <summary>Why an amendment or withdrawal found no active bid to change (<see cref="BidLifecycle.Refusal"/>), read from the bid as it stands.</summary>
    private static async Task<ProcurementException> RefusalAsync(DbConnection connection, DbTransaction transaction, BidCommand command)
    {
        var bidId = command.BidId;
        var current = await connection.QuerySingleOrDefaultAsync<SealedRow>(SelectSealedBidSql, new { BidId = bidId.ToString() }, transaction);
        return BidLifecycle.Refusal(command, current?.ToSealedBid());
    }

    private const string SelectSealedSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, manufacturer_id AS ManufacturerId,
               status AS Status, version AS Version, received_at AS ReceivedAt, commitment AS ContentSha256,
               offer_number AS OfferNumber
          FROM sealed_bids
        """;

    private const string SelectSealedOfBatchSql = $"{SelectSealedSql} WHERE batch_id = @Id ORDER BY product_id, manufacturer_id, offer_number";

    public Task<IReadOnlyList<SealedBid>> ListSealedForBatchAsync(string batchId) =>
        ListSealedAsync(SelectSealedOfBatchSql, batchId);

    private const string SelectSealedOfManufacturerSql = $"{SelectSealedSql} WHERE manufacturer_id = @Id ORDER BY batch_id, product_id, offer_number";

    public Task<IReadOnlyList<SealedBid>> ListSealedForManufacturerAsync(string manufacturerId) =>
        ListSealedAsync(SelectSealedOfManufacturerSql, manufacturerId);

    private Task<IReadOnlyList<SealedBid>> ListSealedAsync(string sql, string id) =>
        store.ReadAsync<IReadOnlyList<SealedBid>>(async connection =>
            (await connection.QueryAsync<SealedRow>(sql, new { Id = id }))
                .Select(r => r.ToSealedBid())
                .ToList());

    private const string SelectOpenedSql = """
        SELECT b.bid_id AS BidId, b.batch_id AS BatchId, b.product_id AS ProductId, b.manufacturer_id AS ManufacturerId,
               b.status AS Status, b.version AS Version, b.spec_code AS SpecCode, b.price_per_pack_e6 AS PricePerPackE6,
               b.annual_capacity AS AnnualCapacity, b.received_at AS ReceivedAt, b.content_sha256 AS ContentSha256,
               COALESCE(m.affiliation_group, m.manufacturer_id) AS BidderGroup, a.receipt_nonce AS ReceiptNonce,
               a.canonical_content AS CanonicalContent, b.offer_number AS OfferNumber
          FROM bids b
          JOIN manufacturers m ON m.manufacturer_id = b.manufacturer_id
          LEFT JOIN bid_actions a ON a.bid_id = b.bid_id AND a.version = b.version
         WHERE b.batch_id = @BatchId AND b.status = 0
         ORDER BY b.product_id, b.manufacturer_id, b.offer_number
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

        /// <summary>The nonce of the latest receipt, published at the opening (null for bids opened before receipts were salted).</summary>
        public string? ReceiptNonce { get; init; }

        /// <summary>The canonical text of the latest action, as opened: a consumables bid's product and component prices are read from it.</summary>
        public string? CanonicalContent { get; init; }

        /// <summary>Which of the firm's offers in the category (1 for every drug bid).</summary>
        public int OfferNumber { get; init; } = 1;

        /// <summary>The consumables part of the bid, or null for a drug bid.</summary>
        public ConsumableOffer? Consumable =>
            CanonicalContent is null ? null : BidCanonicalForm.Parse(CanonicalContent).Content.Consumable;

        public BidContent ToContent(IReadOnlyList<string> regions) =>
            new(BatchId, ProductId, SpecCode, Scaled.FromE6(PricePerPackE6), AnnualCapacity, regions)
            {
                Consumable = Consumable,
                OfferNumber = OfferNumber == 1 ? null : OfferNumber,
            };
    }

    private sealed record SealedRow
    {
        public SealedBid ToSealedBid() =>
            new(Guid.Parse(BidId), BatchId, ProductId, ManufacturerId, (BidStatus)Status, Version, ReceivedAt, ContentSha256) { OfferNumber = OfferNumber };

        public int OfferNumber { get; init; } = 1;

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

    private const string SelectSealedActionsSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, version AS Version, action AS Action,
               envelope AS Envelope, commitment AS Commitment, wrapped_nonce AS WrappedNonce, received_at AS ReceivedAt,
               client_request_id AS ClientRequestId, manufacturer_id AS ManufacturerId, offer_number AS OfferNumber
          FROM sealed_bid_actions
         WHERE batch_id = @BatchId
         ORDER BY bid_id, version
        """;

    /// <summary>Every sealed action of a batch, with its envelope, in order of bid and version: what the opening decrypts.</summary>
    public Task<IReadOnlyList<SealedAction>> ListSealedActionsAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<SealedAction>>(async connection =>
            (await connection.QueryAsync<SealedAction>(SelectSealedActionsSql, new { BatchId = batchId })).AsList());

    private const string SelectRecordedActionsSql = """
        SELECT entity_id AS EntityId, payload AS Payload
          FROM events
         WHERE batch_id = @BatchId AND entity_type = @EntityType
        """;

    /// <summary>
    /// Every bid action the (hash-chained) event log recorded for the batch, as (bid id, version):
    /// the opening holds the sealed rows against it, so a sealed row deleted or added behind the
    /// application's back is seen.
    /// </summary>
    public Task<IReadOnlyList<(string BidId, int Version)>> ListRecordedActionsAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<(string, int)>>(async connection =>
            (await connection.QueryAsync<(string EntityId, string Payload)>(SelectRecordedActionsSql, new { BatchId = batchId, EntityType = BidEntity }))
                .Select(e =>
                {
                    using var payload = System.Text.Json.JsonDocument.Parse(e.Payload);
                    return (e.EntityId, payload.RootElement.GetProperty("version").GetInt32());
                })
                .ToList());

    private const string BidEntity = "bid";

    private const string SelectSealedBidsOfBatchSql = """
        SELECT bid_id AS BidId, batch_id AS BatchId, product_id AS ProductId, manufacturer_id AS ManufacturerId,
               status AS Status, version AS Version, received_at AS ReceivedAt, commitment AS ContentSha256,
               offer_number AS OfferNumber
          FROM sealed_bids
         WHERE batch_id = @BatchId
         ORDER BY bid_id
        """;

    private const string InsertOpenedBidSql = """
        INSERT INTO bids (bid_id, batch_id, product_id, manufacturer_id, offer_number, status, version, spec_code, price_per_pack_e6,
                          annual_capacity, received_at, content_sha256)
        VALUES (@BidId, @BatchId, @ProductId, @ManufacturerId, @OfferNumber, @Status, @Version, @SpecCode, @PricePerPackE6,
                @AnnualCapacity, @ReceivedAt, @ContentSha256)
        """;

    private const string InsertOpenedRegionSql = "INSERT INTO bid_supply_regions (bid_id, region_code) VALUES (@BidId, @RegionCode)";

    private const string InsertOpenedActionSql = """
        INSERT INTO bid_actions (manufacturer_id, client_request_id, bid_id, batch_id, product_id, version, action,
                                 canonical_content, content_sha256, received_at, receipt_nonce)
        VALUES (@ManufacturerId, @ClientRequestId, @BidId, @BatchId, @ProductId, @Version, @Action,
                @CanonicalContent, @ContentSha256, @ReceivedAt, @ReceiptNonce)
        """;

    /// <summary>
    /// Writes the opened record of a batch in the caller's transaction (the opening's, with its
    /// phase change): each bid with the content of its latest submission or amendment, its supply
    /// regions, and every action with its canonical text and published nonce.
    /// </summary>
    public static async Task WriteOpenedAsync(DbConnection connection, DbTransaction transaction, string batchId, IReadOnlyList<OpenedAction> actions)
    {
        var sealedBids = (await connection.QueryAsync<SealedRow>(SelectSealedBidsOfBatchSql, new { BatchId = batchId }, transaction)).AsList();
        var byBid = actions.ToLookup(a => a.Action.BidId);
        foreach (var bid in sealedBids)
        {
            var history = byBid[bid.BidId].OrderBy(a => a.Action.Version).ToList();
            var latest = history.LastOrDefault(a => a.Content is not null)?.Content
                ?? throw new ProcurementException(ErrorCodes.StoreFailure, $"Bid {bid.BidId} has no opened content.");
            await connection.ExecuteAsync(InsertOpenedBidSql, new
            {
                bid.BidId,
                bid.BatchId,
                bid.ProductId,
                bid.ManufacturerId,
                bid.OfferNumber,
                bid.Status,
                bid.Version,
                SpecCode = latest.SpecificationCode,
                PricePerPackE6 = Scaled.ToE6(latest.PricePerPack, "pricePerPack"),
                latest.AnnualCapacity,
                bid.ReceivedAt,
                bid.ContentSha256,
            }, transaction);
            foreach (var region in latest.SupplyRegions.Distinct(StringComparer.Ordinal))
            {
                await connection.ExecuteAsync(InsertOpenedRegionSql, new { bid.BidId, RegionCode = region }, transaction);
            }
            foreach (var opened in history)
            {
                var action = opened.Action;
                await connection.ExecuteAsync(InsertOpenedActionSql, new
                {
                    action.ManufacturerId,
                    action.ClientRequestId,
                    action.BidId,
                    action.BatchId,
                    action.ProductId,
                    action.Version,
                    action.Action,
                    CanonicalContent = opened.CanonicalText,
                    ContentSha256 = action.Commitment,
                    action.ReceivedAt,
                    ReceiptNonce = opened.Nonce,
                }, transaction);
            }
        }
    }

    private const string CountActiveSql = "SELECT COUNT(*) FROM bids WHERE batch_id = @BatchId AND status = 0";

    /// <summary>How many bids of an opened batch are active.</summary>
    public Task<int> CountOpenedActiveAsync(string batchId) =>
        store.ReadAsync(connection => connection.ExecuteScalarAsync<int>(CountActiveSql, new { BatchId = batchId }));
}

/// <summary>What the batch grain made of one bid action before it is stored: the envelope, the commitment and the nonce (plain for the receipt, wrapped for the store).</summary>
public sealed record SealedContent(byte[] Envelope, string Commitment, string Nonce, byte[] WrappedNonce);

/// <summary>A stored sealed bid action. <see cref="Envelope"/> is read only for the opening.</summary>
public sealed record SealedAction
{
    public string BidId { get; init; } = "";

    public string BatchId { get; init; } = "";

    public string ProductId { get; init; } = "";

    public string ManufacturerId { get; init; } = "";

    public int Version { get; init; }

    public int Action { get; init; }

    public byte[] Envelope { get; init; } = [];

    public string Commitment { get; init; } = "";

    public byte[] WrappedNonce { get; init; } = [];

    public DateTimeOffset ReceivedAt { get; init; }

    public string ClientRequestId { get; init; } = "";

    /// <summary>Which of the firm's offers in the category the action is on (1 for every drug bid).</summary>
    public int OfferNumber { get; init; } = 1;

    public BidReceipt ToReceipt(string nonce) =>
        new(Guid.Parse(BidId), BatchId, ProductId, ManufacturerId, Version, (BidAction)Action, ReceivedAt, Commitment, ClientRequestId, nonce)
        {
            OfferNumber = OfferNumber,
        };
}

/// <summary>A sealed action as the opening decrypted and checked it; <see cref="Content"/> is null for a withdrawal.</summary>
public sealed record OpenedAction(SealedAction Action, string CanonicalText, string Nonce, BidContent? Content);
