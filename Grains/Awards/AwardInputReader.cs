using System.Data.Common;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Grains.Batches;
using Procurement.Grains.Bidders;
using Procurement.Grains.Storage;
using Procurement.Grains.Reference;

namespace Procurement.Grains.Awards;

/// <summary>
/// The award engine's input, read from the tables after the opening: the batch's definition and
/// rule set, the products and their specifications, the reported volume per product and region
/// (and each hospital's line for the hospital mode), the opened bids with their bidders' declared
/// qualifications, the region budgets of the request, and for a renewal the previous suppliers.
/// </summary>
public sealed class AwardInputReader(ProcurementStore store, BatchRepository batches, ReferenceRepository reference, BidRepository bids)
{
    private const string SelectVolumesByRegionSql = """
        SELECT v.product_id AS ProductId, h.region_code AS RegionCode, CAST(SUM(v.annual_volume) AS BIGINT) AS Volume
          FROM volume_reports v
          JOIN hospitals h ON h.hospital_id = v.hospital_id
         WHERE v.batch_id = @BatchId
         GROUP BY v.product_id, h.region_code
        """;

    private const string SelectHospitalLinesSql = """
        SELECT v.hospital_id AS HospitalId, h.region_code AS RegionCode, v.product_id AS ProductId,
               v.annual_volume AS AnnualVolume, v.preferred_manufacturer_id AS PreferredManufacturerId
          FROM volume_reports v
          JOIN hospitals h ON h.hospital_id = v.hospital_id
         WHERE v.batch_id = @BatchId AND v.annual_volume > 0
         ORDER BY v.product_id, v.hospital_id
        """;

    private const string SelectQualificationsSql = """
        SELECT q.manufacturer_id AS ManufacturerId, q.product_id AS ProductId, q.consistency_passed AS ConsistencyPassed,
               q.years_of_production AS YearsOfProduction, q.gmp_violation_2y AS GmpViolation
          FROM qualifications q
          JOIN bids b ON b.manufacturer_id = q.manufacturer_id AND b.product_id = q.product_id
         WHERE b.batch_id = @BatchId AND b.status = 0
        """;

    /// <summary>
    /// For a renewal batch, the supplier of each product and region under the agreements it
    /// continues, which the cost-optimal award keeps where it costs nothing (continuity); null otherwise.
    /// </summary>
    public async Task<IReadOnlyDictionary<(string ProductId, string RegionCode), string>?> PreviousSuppliersAsync(string batchId)
    {
        var references = await batches.RenewalReferencesAsync(batchId);
        return references.Count == 0 ? null : references.ToDictionary(r => (r.ProductId, r.RegionCode), r => r.PreviousManufacturerId);
    }

    /// <summary>The batch as the award engine reads it: products with reported volume per region, regions with budgets, active bids.</summary>
    public async Task<AwardInput> LoadInputAsync(string batchId, AwardRequest request)
    {
        var batch = await batches.LoadAsync(batchId)
            ?? throw new ProcurementException(ErrorCodes.NotConfigured, $"Batch {batchId} has not been configured.", "batchId");
        var definition = batch.Definition;
        var products = await reference.GetProductsAsync(definition.Products.Select(p => p.ProductId).ToList());
        var hospitalLevel = request.Mode == AwardModes.Hospital;
        var (volumes, qualifications, hospitalLines) = await store.ReadAsync(async connection =>
        {
            var v = (await connection.QueryAsync<VolumeRow>(SelectVolumesByRegionSql, new { BatchId = batchId })).ToList();
            var q = (await connection.QueryAsync<QualificationRow>(SelectQualificationsSql, new { BatchId = batchId }))
                .ToDictionary(r => (r.ManufacturerId, r.ProductId));
            // The hospital lines only for a hospital-level award: at national scale they are millions.
            var h = hospitalLevel
                ? (await connection.QueryAsync<HospitalLineRow>(SelectHospitalLinesSql, new { BatchId = batchId }))
                    .Select(r => new HospitalDemandInput(r.HospitalId, r.RegionCode, r.ProductId, r.AnnualVolume, r.PreferredManufacturerId))
                    .ToList()
                : null;
            return (v, q, h);
        });
        // A consumables batch may list drug products besides its categories: the drug award reads the drug bids.
        var drugProducts = definition.Products.Select(p => p.ProductId).ToHashSet(StringComparer.Ordinal);
        var active = (await bids.ListActiveWithContentAsync(batchId)).Where(a => drugProducts.Contains(a.Bid.ProductId)).ToList();
        var renewal = (await batches.RenewalReferencesAsync(batchId)).ToLookup(r => r.ProductId);
        var conversion = definition.RuleSet.Conversion;
        var parameters = new Dictionary<string, string>(definition.RuleSet.Parameters)
        {
            [RuleSetCatalog.PackCountDoublingFactor] = conversion.PackCountDoublingFactor.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [RuleSetCatalog.StrengthDoublingFactor] = conversion.StrengthDoublingFactor.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        return new AwardInput(
            batchId,
            definition.RuleSet.Name,
            parameters,
            definition.Products.Select(p =>
            {
                var product = products[p.ProductId];
                return new ProductInput(
                    p.ProductId,
                    product.DosageForm,
                    p.MaxValidUnitPrice,
                    Spec(product.Representative),
                    product.OtherSpecifications.Select(Spec).ToList(),
                    volumes.Where(v => v.ProductId == p.ProductId).ToDictionary(v => v.RegionCode, v => v.Volume))
                {
                    MinimumAgreedVolumes = renewal.Contains(p.ProductId)
                        ? renewal[p.ProductId].ToDictionary(r => r.RegionCode, r => r.PreviousAnnualVolume, StringComparer.Ordinal)
                        : null,
                };
            }).ToList(),
            definition.RegionCodes.Select(r => new RegionInput(r, request.RegionBudgets.TryGetValue(r, out var budget) ? budget : null)).ToList(),
            active.Select(a =>
            {
                var qualification = qualifications.GetValueOrDefault((a.Bid.ManufacturerId, a.Bid.ProductId));
                return new BidInput(
                    a.Bid.BidId,
                    a.Bid.ManufacturerId,
                    a.Bid.BidderGroup,
                    a.Bid.ProductId,
                    a.Bid.SpecCode,
                    Scaled.FromE6(a.Bid.PricePerPackE6),
                    a.Bid.AnnualCapacity,
                    a.Regions,
                    a.Bid.ReceivedAt,
                    new BidderQualification(qualification?.ConsistencyPassed ?? false, qualification?.YearsOfProduction ?? 0, qualification?.GmpViolation ?? true));
            }).ToList())
        {
            Hospitals = hospitalLines,
        };

        static SpecificationInput Spec(Specification s) => new(s.Code, s.PackCount, s.StrengthMg);
    }

    // Awards of the batch it has not taken: left by a run whose batch never linked its award (a
    // crash between the two steps, or a batch that had moved on).

    private sealed record VolumeRow
    {
        public string ProductId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public long Volume { get; init; }
    }

    private sealed record HospitalLineRow
    {
        public string HospitalId { get; init; } = "";

        public string RegionCode { get; init; } = "";

        public string ProductId { get; init; } = "";

        public long AnnualVolume { get; init; }

        public string? PreferredManufacturerId { get; init; }
    }

    private sealed record QualificationRow
    {
        public string ManufacturerId { get; init; } = "";

        public string ProductId { get; init; } = "";

        public bool ConsistencyPassed { get; init; }

        public int YearsOfProduction { get; init; }

        public bool GmpViolation { get; init; }
    }
}
