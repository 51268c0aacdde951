using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Bidders;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Consumables;

namespace Procurement.Grains.Awards;

/// <summary>
/// The consumables award's input, read from the tables after the opening: the batch's lots, its
/// opened consumables bids with their bidders' declared qualifications, and the hospitals' brand
/// intentions with each hospital's region, mapped by <see cref="ConsumableAwardInputMapping"/>.
/// Refused (<c>BIDS_SEALED</c>) before the opening, whoever asks.
/// </summary>
public sealed class ConsumableAwardInputReader(ProcurementStore store, BatchRepository batches, BidRepository bids, ConsumableBatchRepository consumables)
{
    private const string SelectQualificationsSql = """
        SELECT q.manufacturer_id AS ManufacturerId, q.product_id AS ProductId, q.consistency_passed AS ConsistencyPassed,
               q.years_of_production AS YearsOfProduction, q.gmp_violation_2y AS GmpViolation, q.gmp_record AS GmpRecord
          FROM qualifications q
         WHERE EXISTS (SELECT 1 FROM bids b
                        WHERE b.manufacturer_id = q.manufacturer_id AND b.product_id = q.product_id
                          AND b.batch_id = @BatchId AND b.status = 0)
        """;

    private const string SelectIntentionRegionsSql = """
        SELECT DISTINCT h.hospital_id AS HospitalId, h.region_code AS RegionCode
          FROM consumable_intentions i
          JOIN hospitals h ON h.hospital_id = i.hospital_id
         WHERE i.batch_id = @BatchId
        """;

    /// <summary>
    /// For a renewal, the floor of each continued category and region (the previous year's agreed
    /// volume, <see cref="ConsumableRenewal.Floors"/>) the award's supplies must reach; empty for a first batch.
    /// </summary>
    public async Task<IReadOnlyDictionary<(string CategoryId, string RegionCode), long>> RenewalFloorsAsync(string batchId) =>
        ConsumableRenewal.Floors(await batches.ConsumableRenewalReferencesAsync(batchId));

    public async Task<ConsumableAwardInput> LoadInputAsync(string batchId)
    {
        var batch = await batches.LoadAsync(batchId)
            ?? throw new ProcurementException(ErrorCodes.NotConfigured, $"Batch {batchId} has not been configured.", "batchId");
        if (batch.Phase < TenderBatchPhase.Opened)
        {
            throw new ProcurementException(ErrorCodes.BidsSealed, $"Bids of batch {batchId} are sealed until the opening.");
        }
        var terms = batch.Definition.Consumables
            ?? throw new ProcurementException(ErrorCodes.ConsumableCategoryNotInBatch, $"Batch {batchId} is not a consumables batch.", "batchId");
        var (qualifications, regions) = await store.ReadAsync(async connection =>
        {
            var q = (await connection.QueryAsync<QualificationRow>(SelectQualificationsSql, new { BatchId = batchId }))
                .ToDictionary(
                    r => (r.ManufacturerId, r.ProductId),
                    r => new Qualification(r.ProductId, r.ConsistencyPassed, r.YearsOfProduction, r.GmpViolation, r.GmpRecord));
            var h = (await connection.QueryAsync<(string HospitalId, string RegionCode)>(SelectIntentionRegionsSql, new { BatchId = batchId }))
                .ToDictionary(r => r.HospitalId, r => r.RegionCode, StringComparer.Ordinal);
            return (q, h);
        });
        var opened = (await bids.ListActiveWithContentAsync(batchId))
            .Select(r =>
            {
                var content = r.Bid.ToContent(r.Regions);
                return new OpenedBid(Guid.Parse(r.Bid.BidId), r.Bid.ManufacturerId, r.Bid.BidderGroup, content, content.PricePerPack,
                    r.Bid.Version, r.Bid.ReceivedAt, r.Bid.ContentSha256, r.Bid.ReceiptNonce ?? "");
            })
            .ToList();
        var intentions = await consumables.GetIntentionsAsync(batchId, null);
        return ConsumableAwardInputMapping.Map(batchId, terms, opened, qualifications, intentions, regions);
    }

    private sealed record QualificationRow
    {
        public string ManufacturerId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public bool ConsistencyPassed { get; init; }

        public int YearsOfProduction { get; init; }

        public bool GmpViolation { get; init; }

        public string? GmpRecord { get; init; }
    }
}
