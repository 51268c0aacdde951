using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Api;

/// <summary>
/// The kept revisions of brand intentions (who wrote each, when and what): a hospital reads its
/// own for a batch it takes part in; an alliance reads those of a hospital taking part in one of its
/// own batches. Intentions are not sealed, but they are each hospital's own: no other hospital and
/// no manufacturer reads them.
/// </summary>
public static class ConsumableIntentionHistoryApi
{
    public static RouteGroupBuilder MapConsumableIntentionHistoryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/batches/{batchId}/consumable-intentions/revisions", async (string batchId, GrainAccess grains) =>
        {
            await grains.HospitalBatchAsync(batchId);
            return TypedResults.Ok(await grains.Hospital().GetConsumableIntentionHistoryAsync(batchId));
        }).RequireAuthorization(PortalUser.Hospital).WithTags("Hospital").WithName("GetConsumableIntentionRevisions")
            .WithSummary($"Every kept revision of the hospital's own brand intentions for a consumables batch (who, when, what), newest first, at most {ConsumableIntentionHistory.MaxRevisions:N0} (truncated says older ones were left out).");
        api.MapGet("/batches/{batchId}/hospitals/{hospitalId}/consumable-intention-revisions", async (string batchId, string hospitalId, GrainAccess grains) =>
        {
            var (_, hospital) = await grains.AllianceBatchHospitalAsync(batchId, hospitalId);
            return TypedResults.Ok(await hospital.GetConsumableIntentionHistoryAsync(batchId));
        }).RequireAuthorization(PortalUser.Alliance).WithTags("Batches").WithName("GetHospitalConsumableIntentionRevisions")
            .WithSummary($"The alliance's read of one participating hospital's kept revisions of its brand intentions for its own batch, newest first, at most {ConsumableIntentionHistory.MaxRevisions:N0}.");
        return api;
    }
}
