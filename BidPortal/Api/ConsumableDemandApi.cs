using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Api;

/// <summary>
/// <c>GET /api/batches/{batchId}/consumable-demand</c> for the batch's alliance. Without paging
/// parameters it answers the whole demand as before, but only up to
/// <see cref="ConsumableDemandPageRequest.MaxUnpagedIntentions"/> intentions, so that no response
/// grows with the size of a national round; with <c>limit</c>, <c>after</c> or <c>category</c> it
/// answers one page (<see cref="ConsumableDemandPage"/>).
/// </summary>
public static class ConsumableDemandApi
{
    public static async Task<Results<Ok<ConsumableDemand>, Ok<ConsumableDemandPage>>> ReadAsync(
        string batchId, string? category, string? after, string? limit, GrainAccess grains)
    {
        await grains.AllianceBatchAsync(batchId);
        var batch = grains.Batch(batchId);
        if (category is null && after is null && limit is null)
        {
            // A one-row page costs an index count and says whether the whole demand is within the bound.
            var size = await batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(null, null, 1));
            ConsumableDemandPageRequest.RequireUnpagedWithinBound(batchId, size.TotalIntentions);
            return TypedResults.Ok(await batch.GetConsumableDemandAsync());
        }
        return TypedResults.Ok(await batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(
            string.IsNullOrEmpty(category) ? null : category, string.IsNullOrEmpty(after) ? null : after, LimitOf(limit))));
    }

    /// <summary>
    /// <c>GET /api/batches/{batchId}/consumable-demand/totals</c>: the categories' and firms' totals
    /// without the intentions, summed by the database, so a batch of any size has them.
    /// </summary>
    public static async Task<Ok<ConsumableDemand>> ReadTotalsAsync(string batchId, GrainAccess grains)
    {
        await grains.AllianceBatchAsync(batchId);
        return TypedResults.Ok(await grains.Batch(batchId).GetConsumableDemandTotalsAsync());
    }

    private static int LimitOf(string? limit)
    {
        if (string.IsNullOrEmpty(limit))
        {
            return ConsumableDemandPageRequest.DefaultLimit;
        }
        // Parsed here rather than bound as an int, so that "abc" or "1e9" gets the read's own code, not the framework's.
        return int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ProcurementException(ErrorCodes.PageLimitOutOfRange,
                $"limit must be a whole number from 1 to {ConsumableDemandPageRequest.MaxLimit}, not '{limit}'.", "limit");
    }
}
