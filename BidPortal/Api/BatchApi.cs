using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>Batches as each role may see them, and the alliance's moves through the phases.</summary>
public static class BatchApi
{
    public static RouteGroupBuilder MapBatchApi(this RouteGroupBuilder api)
    {
        var batches = api.MapGroup("/batches").WithTags("Batches");
        batches.MapGet("/", ListAsync).WithName("ListBatches").WithSummary("The batches the user's organisation may see.");
        batches.MapGet("/{batchId}", GetAsync).WithName("GetBatch");
        api.MapGet("/rule-sets", async (GrainAccess grains) => TypedResults.Ok(await grains.RuleSets().GetAsync()))
            .WithTags("Batches").WithName("GetRuleSets")
            .WithSummary("The rule sets a batch may name and the keys it may set in ruleSet.parameters (any other key is refused, naming it).");

        var alliance = batches.MapGroup("").RequireAuthorization(PortalUser.Alliance);
        alliance.MapPost("/", CreateAsync).WithName("CreateBatch").WithSummary("Creates or replaces a batch definition while it is in Draft.");
        alliance.MapPost("/{batchId}/open-reporting", (string batchId, GrainAccess grains) => MoveAsync(grains, batchId, b => b.OpenVolumeReportingAsync()))
            .WithName("OpenVolumeReporting");
        alliance.MapPost("/{batchId}/close-reporting", async (string batchId, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).CloseVolumeReportingAsync());
        }).WithName("CloseVolumeReporting");
        alliance.MapPost("/{batchId}/open-bidding", (string batchId, GrainAccess grains) => MoveAsync(grains, batchId, b => b.OpenBiddingAsync()))
            .WithName("OpenBidding");
        alliance.MapPost("/{batchId}/open-bids", (string batchId, GrainAccess grains) => MoveAsync(grains, batchId, b => b.OpenBidsAsync()))
            .WithName("OpenBids").WithSummary("Opens the sealed bids; refused before the opening time.");
        alliance.MapGet("/{batchId}/opening-share", async (string batchId, GrainAccess grains, ClaimsPrincipal user) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).GetOpeningShareAsync(user.UserName()));
        }).WithName("GetOpeningShare")
            .WithSummary("The signed-in opening officer's share, encrypted to its public key (RSA-OAEP-SHA256); decrypt it with the private key, off the portal.");
        alliance.MapGet("/{batchId}/opening-shares", async (string batchId, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).GetOpeningSharesStatusAsync());
        }).WithName("GetOpeningSharesStatus").WithSummary("How many opening officers have presented their shares.");
        alliance.MapPost("/{batchId}/opening-shares", async (string batchId, ShareRequest request, GrainAccess grains, ClaimsPrincipal user) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).PresentOpeningShareAsync(user.UserName(), request.Share));
        }).WithName("PresentOpeningShare")
            .WithSummary("The signed-in opening officer presents its decrypted share at the opening; the threshold of shares opens the bids.");
        alliance.MapGet("/{batchId}/reporting-progress", async (string batchId, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).GetReportingProgressAsync());
        }).WithName("GetReportingProgress")
            .WithSummary("Volume reporting so far: totals per product and per product and region, for a consumables batch the brand intentions' totals per category " +
                "and per category and region, and which participating hospitals have reported (a volume or an intention).");
        alliance.MapGet("/{batchId}/consumable-demand", ConsumableDemandApi.ReadAsync).WithName("GetConsumableDemand")
            .WithSummary("A consumables batch's brand intentions per category with each intended firm's total and share: the demand its A/B grouping reads. " +
                "With limit, after or category: one page of the intentions (at most 500) and the cursor of the next; without, the whole demand up to 5,000 intentions (PAGE_REQUIRED above).");
        alliance.MapGet("/{batchId}/consumable-demand/totals", ConsumableDemandApi.ReadTotalsAsync).WithName("GetConsumableDemandTotals")
            .WithSummary("A consumables batch's totals per category and intended firm (quantity, share, hospitals) without the intentions, " +
                "summed by the database: for any number of intentions, where the whole read stops at 5,000.");
        alliance.MapPost("/{batchId}/reporting-reminders", async (string batchId, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).RemindHospitalsToReportAsync());
        }).RequireRateLimiting(PortalLimits.Reminders).WithName("RemindHospitalsToReport")
            .WithSummary("Reminds the participating hospitals that have not reported; once a business day (a second call that day answers alreadySent and sends nothing).");
        alliance.MapPost("/{batchId}/renewal", async (string batchId, RenewalRequest request, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).CreateRenewalAsync(request));
        }).WithName("CreateRenewal").WithSummary("Creates the renewal batch of an expiring batch.");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<BatchSummary>>> ListAsync(GrainAccess grains, ClaimsPrincipal user)
    {
        var directory = grains.Directory();
        IReadOnlyList<BatchSummary> list = user.Role() switch
        {
            PortalUser.Alliance => (await directory.ListBatchesAsync()).Where(b => b.AllianceId == user.Organisation()).ToList(),
            PortalUser.Hospital => await directory.ListBatchesForHospitalAsync(user.Organisation()),
            _ => (await directory.ListBatchesAsync()).Where(b => b.Phase >= TenderBatchPhase.Bidding).ToList(),
        };
        return TypedResults.Ok(list);
    }

    /// <summary>The batch if the user may see it (see <see cref="GrainAccess"/>).</summary>
    public static Task<TenderBatchView> VisibleBatchAsync(GrainAccess grains, ClaimsPrincipal user, string batchId) => user.Role() switch
    {
        PortalUser.Alliance => grains.AllianceBatchAsync(batchId),
        PortalUser.Hospital => grains.HospitalBatchAsync(batchId),
        _ => grains.BiddingBatchAsync(batchId),
    };

    private static async Task<Ok<TenderBatchView>> GetAsync(string batchId, GrainAccess grains, ClaimsPrincipal user) =>
        TypedResults.Ok(await VisibleBatchAsync(grains, user, batchId));

    private static async Task<Results<Ok<TenderBatchView>, ProblemHttpResult>> CreateAsync(CreateBatchRequest request, GrainAccess grains, ClaimsPrincipal user)
    {
        if (request.Definition?.AllianceId != user.Organisation())
        {
            return Problems.Result(GrainAccess.Forbidden($"batches of alliance '{request.Definition?.AllianceId}'"));
        }
        var batch = grains.Batch(request.BatchId);
        try
        {
            var existing = await batch.GetAsync();
            if (existing.Definition!.AllianceId != user.Organisation())
            {
                return Problems.Result(GrainAccess.Forbidden($"batch {request.BatchId}"));
            }
        }
        catch (Contracts.Errors.ProcurementException ex) when (ex.Code == Contracts.Errors.ErrorCodes.NotConfigured)
        {
            // A new batch.
        }
        return TypedResults.Ok(await batch.ConfigureAsync(request.Definition));
    }

    private static async Task<Ok<TenderBatchView>> MoveAsync(GrainAccess grains, string batchId, Func<ITenderBatchGrain, Task<TenderBatchView>> move)
    {
        await grains.AllianceBatchAsync(batchId);
        return TypedResults.Ok(await move(grains.Batch(batchId)));
    }
}
