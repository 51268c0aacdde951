using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>Agreements, monitoring and notifications.</summary>
public static class AgreementApi
{
    public static RouteGroupBuilder MapAgreementApi(this RouteGroupBuilder api)
    {
        var agreements = api.MapGroup("").WithTags("Agreements");
        agreements.MapGet("/batches/{batchId}/agreements", ListAsync).WithName("ListAgreements")
            .WithSummary("An alliance sees every agreement of its batch; a manufacturer its own; a hospital those it buys under.");
        agreements.MapGet("/batches/{batchId}/monitoring", (string batchId, GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock) => MonitoringAsync(grains, batchId, clock))
            .RequireAuthorization(PortalUser.Alliance).WithName("GetMonitoring")
            .WithSummary("Completion by region, product and agreement, flagged hospitals, agreements expiring within 180 days, notifications; for a batch of product systems, the components bought separately per agreement.");
        agreements.MapPost("/agreements/{agreementId:guid}/supply-failure", async (Guid agreementId, TextRequest request, GrainAccess grains) =>
        {
            await grains.AllianceAgreementAsync(agreementId);
            return TypedResults.Ok(await grains.Client.GetGrain<IAgreementGrain>(agreementId).RecordSupplyFailureAsync(request.Text));
        }).RequireAuthorization(PortalUser.Alliance).WithName("RecordSupplyFailure")
            .WithSummary("Records a verified supply failure: the spare supplier takes over the remaining volume.");
        agreements.MapGet("/manufacturer/agreements", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Directory().ListAgreementsForManufacturerAsync(user.Organisation())))
            .RequireAuthorization(PortalUser.Manufacturer).WithName("ListManufacturerAgreements");
        agreements.MapGet("/manufacturer/volumes", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Directory().ListSupplierVolumesAsync(user.Organisation())))
            .RequireAuthorization(PortalUser.Manufacturer).WithName("ListSupplierVolumes")
            .WithSummary("What hospitals bought of the manufacturer's agreed products, per month and region.");
        agreements.MapGet("/manufacturer/component-purchases", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Directory().ListComponentPurchasesForManufacturerAsync(user.Organisation())))
            .RequireAuthorization(PortalUser.Manufacturer).WithName("ListManufacturerComponentPurchases")
            .WithSummary("Per agreement of the manufacturer's own and component: the components of its product systems hospitals bought separately (order lines, units accepted, amount).");
        agreements.MapGet("/notifications", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Monitoring().ListNotificationsAsync(user.Role(), user.Organisation())))
            .WithName("ListNotifications");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<Agreement>>> ListAsync(string batchId, GrainAccess grains, ClaimsPrincipal user)
    {
        var view = await BatchApi.VisibleBatchAsync(grains, user, batchId);
        if (view.Phase < TenderBatchPhase.Awarded)
        {
            return TypedResults.Ok((IReadOnlyList<Agreement>)[]);
        }
        IReadOnlyList<Agreement> list = user.Role() switch
        {
            PortalUser.Alliance => await grains.Batch(batchId).ListAgreementsAsync(),
            PortalUser.Manufacturer => (await grains.Batch(batchId).ListAgreementsAsync()).Where(a => a.ManufacturerId == user.Organisation()).ToList(),
            _ => (await grains.Directory().ListAgreementsForHospitalAsync(user.Organisation())).Select(a => a.Agreement).Where(a => a.BatchId == batchId).ToList(),
        };
        return TypedResults.Ok(list);
    }

    public static async Task<MonitoringResponse> MonitoringAsync(GrainAccess grains, string batchId, TimeProvider clock)
    {
        var view = await grains.AllianceBatchAsync(batchId);
        var monitoring = grains.Monitoring();
        var notifications = (await monitoring.ListNotificationsAsync(PortalUser.Alliance, view.Definition!.AllianceId)).Where(n => n.BatchId == batchId).ToList();
        if (view.Phase < TenderBatchPhase.Awarded)
        {
            return new MonitoringResponse(null, [], [], [], [], [], notifications);
        }
        var agreements = await grains.Batch(batchId).ListAgreementsAsync();
        var horizon = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(180));
        var expiring = agreements.Where(a => a.State == AgreementState.Expiring || (a.State == AgreementState.Active && a.End <= horizon)).OrderBy(a => a.End).ToList();
        return new MonitoringResponse(
            (await monitoring.GetCompletionAsync(batchId, CompletionLevel.Batch)).FirstOrDefault(),
            await monitoring.GetCompletionAsync(batchId, CompletionLevel.Region),
            await monitoring.GetCompletionAsync(batchId, CompletionLevel.Product),
            await monitoring.GetCompletionAsync(batchId, CompletionLevel.Agreement),
            await monitoring.GetFlaggedHospitalsAsync(batchId),
            expiring,
            notifications,
            // Components are bought separately only under a product system's agreements.
            view.Definition.Consumables?.Categories.Any(c => c.PurchaseUnit == ConsumablePurchaseUnit.System) == true
                ? await monitoring.GetComponentPurchasesAsync(batchId)
                : []);
    }
}
