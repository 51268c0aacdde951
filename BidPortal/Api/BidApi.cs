using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>Bids: a manufacturer's own, sealed, until the opening; everyone's, with prices, after it.</summary>
public static class BidApi
{
    /// <summary>The event of a read of the opened bids (prices of every bidder).</summary>
    public const string OpenedBidsRead = "OpenedBidsRead";

    public static RouteGroupBuilder MapBidApi(this RouteGroupBuilder api)
    {
        var bids = api.MapGroup("").WithTags("Bids");
        bids.MapGet("/batches/{batchId}/bids", ListAsync).RequireAuthorization(p => p.RequireRole(PortalUser.Alliance, PortalUser.Manufacturer))
            .WithName("ListBids").WithSummary("Before the opening: the caller's own bids, sealed (an alliance gets 409 BIDS_SEALED: nobody sees another's bid or how many there are). After: every active bid with its price and its receipt nonce.");
        var manufacturer = bids.MapGroup("").RequireAuthorization(PortalUser.Manufacturer);
        manufacturer.MapPost("/batches/{batchId}/bids", SubmitAsync).RequireRateLimiting(PortalLimits.Bids)
            .WithName("SubmitBid").WithSummary("Submits a sealed bid; the receipt proves what was received and when. On a consumables batch the bid is on a category (productId) and gives content.consumable: certificate, model, optional 27-character code, and for a product system every component's price; pricePerPack is the price per unit or the set price.");
        manufacturer.MapPut("/bids/{bidId:guid}", AmendAsync).RequireRateLimiting(PortalLimits.Bids).WithName("AmendBid")
            .WithSummary("Replaces the offer of an active bid on the same product or consumables category, until the deadline.");
        manufacturer.MapDelete("/bids/{bidId:guid}", WithdrawAsync).RequireRateLimiting(PortalLimits.Bids).WithName("WithdrawBid");
        manufacturer.MapGet("/my/bids", async (GrainAccess grains) => TypedResults.Ok(await grains.Bidder().ListBidsAsync()))
            .WithName("ListMyBids").WithSummary("The caller's bids in every batch, sealed.");
        manufacturer.MapGet("/my/qualifications", async (GrainAccess grains) => TypedResults.Ok(await grains.Bidder().GetQualificationsAsync()))
            .WithName("ListMyQualifications").WithSummary("The caller's declared qualifications, one per product or consumables category.");
        manufacturer.MapPut("/my/qualifications/{productId}", DeclareQualificationAsync).RequireRateLimiting(PortalLimits.Bids)
            .WithName("DeclareQualification")
            .WithSummary("Declares (or replaces) the caller's qualification for a product or consumables category: consistency evaluation, years of production, GMP record. A bid on a product without one is refused (NOT_QUALIFIED). The declaration is an event in the audit log; the rule set decides at the award whether it makes the bid eligible.");
        return api;
    }

    private static async Task<IResult> ListAsync(string batchId, GrainAccess grains, ClaimsPrincipal user)
    {
        var view = await BatchApi.VisibleBatchAsync(grains, user, batchId);
        if (view.Phase >= TenderBatchPhase.Opened)
        {
            var opened = await grains.Batch(batchId).GetOpenedBidsAsync();
            await grains.RecordAsync(OpenedBidsRead, batchId, "batch", batchId, "GET /api/batches/{batchId}/bids");
            return TypedResults.Ok(opened);
        }
        if (user.Role() != PortalUser.Manufacturer)
        {
            // Nobody but a bidder sees a sealed bid, its hash, or how many there are.
            return Problems.Result(Contracts.Errors.ErrorCodes.BidsSealed,
                $"Bids of batch {batchId} are sealed until the opening at {view.Definition?.Windows.OpeningTime:O}.", null);
        }
        return TypedResults.Ok((await grains.Bidder().ListBidsAsync()).Where(b => b.BatchId == batchId).ToList());
    }

    private static async Task<Results<Ok<BidReceipt>, ProblemHttpResult>> SubmitAsync(string batchId, BidRequest request, GrainAccess grains)
    {
        if (request.Content?.BatchId != batchId)
        {
            return Problems.Result(Contracts.Errors.ErrorCodes.InvalidField, $"content.batchId must be the batch of the address, {batchId}.", "content.batchId");
        }
        return TypedResults.Ok(await grains.Bidder().SubmitBidAsync(request.ClientRequestId, request.Content));
    }

    private static async Task<Ok<Qualification>> DeclareQualificationAsync(string productId, QualificationRequest request, GrainAccess grains)
    {
        var qualification = new Qualification(productId, request.ConsistencyEvaluationPassed, request.YearsOfProduction, request.GmpViolationInLastTwoYears, request.GmpRecordReference);
        await grains.Bidder().DeclareQualificationAsync(qualification);
        return TypedResults.Ok((await grains.Bidder().GetQualificationsAsync()).Single(q => q.ProductId == productId));
    }

    private static async Task<Ok<BidReceipt>> AmendAsync(Guid bidId, BidRequest request, GrainAccess grains) =>
        TypedResults.Ok(await grains.Bidder().AmendBidAsync(request.ClientRequestId, bidId, request.Content));

    private static async Task<Ok<BidReceipt>> WithdrawAsync(Guid bidId, string clientRequestId, GrainAccess grains) =>
        TypedResults.Ok(await grains.Bidder().WithdrawBidAsync(clientRequestId, bidId));
}
