using Dapper;
using Procurement.Grains.Storage;

namespace Procurement.Tests.Infrastructure;

/// <summary>Row counts of every business table: equal before and after means nothing was written.</summary>
public static class TableCounts
{
    private static readonly string[] Tables =
    [
        "regions", "alliances", "alliance_regions", "hospitals", "manufacturers", "products", "product_specifications",
        "hospital_usage_history", "tender_batches", "batch_products", "batch_regions", "batch_hospitals", "volume_reports",
        "qualifications", "bids", "bid_supply_regions", "bid_actions", "sealed_bids", "sealed_bid_actions", "batch_sealing", "events",
        "consumable_batches", "consumable_lots", "consumable_lot_components", "consumable_intentions", "consumable_intention_choices",
        "consumable_intention_revisions", "consumable_intention_revision_choices",
    ];

    public static Task<Dictionary<string, long>> ReadAsync(ProcurementStore store) =>
        store.ReadAsync(async connection =>
        {
            var counts = new Dictionary<string, long>();
            foreach (var table in Tables)
            {
                counts[table] = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
            }
            return counts;
        });
}
