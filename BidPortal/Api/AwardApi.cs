using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>The award: run, compare, read, object, answer, finalise.</summary>
public static class AwardApi
{
    public static RouteGroupBuilder MapAwardApi(this RouteGroupBuilder api)
    {
        var award = api.MapGroup("/batches/{batchId}").WithTags("Award");
        award.MapGet("/award", GetAsync).WithName("GetAward")
            .WithSummary("The proposed or final award. A manufacturer sees the statements of its own bids only; a hospital sees no statements.");
        award.MapGet("/objections", ListObjectionsAsync).RequireAuthorization(p => p.RequireRole(PortalUser.Alliance, PortalUser.Manufacturer))
            .WithName("ListObjections").WithSummary("An alliance sees every objection; a manufacturer its own.");
        award.MapPost("/objections", async (string batchId, TextRequest request, GrainAccess grains) =>
        {
            await grains.BiddingBatchAsync(batchId);
            return TypedResults.Ok(await grains.Bidder().FileObjectionAsync(batchId, request.Text));
        }).RequireAuthorization(PortalUser.Manufacturer).RequireRateLimiting(PortalLimits.Objections).WithName("FileObjection")
            .WithSummary("Files an objection during publicity: at most 4,000 characters, one unanswered objection per bidder at a time, rate limited per manufacturer.");

        var alliance = award.MapGroup("").RequireAuthorization(PortalUser.Alliance);
        alliance.MapPost("/award", async (string batchId, AwardRequest request, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Accepted($"/api/batches/{batchId}", await grains.Batch(batchId).RunAwardAsync(request));
        }).WithName("RunAward").WithSummary("Starts the award; poll the batch for its progress and status.");
        alliance.MapPost("/award/compare", async (string batchId, AwardComparisonRequest request, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).CompareAwardsAsync(request));
        }).WithName("CompareAwards").WithSummary("The opened bids under several modes and a what-if rule set, side by side; nothing is stored.");
        alliance.MapPost("/objections/{objectionId:guid}/answer", async (string batchId, Guid objectionId, TextRequest request, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).AnswerObjectionAsync(objectionId, request.Text));
        }).WithName("AnswerObjection");
        alliance.MapPost("/finalise", async (string batchId, FinaliseRequest? request, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            return TypedResults.Ok(await grains.Batch(batchId).FinaliseAsync(request?.AgreementsStart));
        }).WithName("FinaliseAward").WithSummary("Makes the award final and creates the agreements.");
        return api;
    }

    /// <summary>The award as the user may see it, or null before there is one.</summary>
    public static async Task<AwardView?> VisibleAwardAsync(GrainAccess grains, ClaimsPrincipal user, string batchId)
    {
        await BatchApi.VisibleBatchAsync(grains, user, batchId);
        var award = await grains.Batch(batchId).GetAwardAsync();
        return award is null
            ? null
            : user.Role() switch
            {
                PortalUser.Alliance => award,
                PortalUser.Manufacturer => award with
                {
                    Statements = award.Statements.Where(s => s.ManufacturerId == user.Organisation()).ToList(),
                    Consumables = VisibleOf(award.Consumables, s => s.ManufacturerId == user.Organisation(), s => s.ManufacturerId == user.Organisation()),
                },
                PortalUser.Hospital => award with { Statements = [], Consumables = VisibleOf(award.Consumables, _ => false, s => s.HospitalId == user.Organisation()) },
                _ => award with { Statements = [], Consumables = VisibleOf(award.Consumables, _ => false, _ => false) },
            };
    }

    /// <summary>
    /// A consumables award's groups and winners are published with the award; a statement's
    /// consumables part goes with its statement (the alliance's and its bidder's to see); a
    /// hospital's supply and choices are the alliance's, its own hospital's and its supplier's.
    /// </summary>
    private static ConsumableAwardView? VisibleOf(
        ConsumableAwardView? consumables, Func<ConsumableAwardStatement, bool> statement, Func<ConsumableAwardSupply, bool> supply) =>
        consumables is null
            ? null
            : consumables with { Statements = consumables.Statements.Where(statement).ToList(), Supplies = consumables.Supplies.Where(supply).ToList() };

    private static async Task<Results<Ok<AwardResponse>, ProblemHttpResult>> GetAsync(string batchId, GrainAccess grains, ClaimsPrincipal user)
    {
        var award = await VisibleAwardAsync(grains, user, batchId);
        if (award is null)
        {
            return Problems.Result(ErrorCodes.NotFound, $"Batch {batchId} has no award yet.", "batchId");
        }
        var view = await grains.Batch(batchId).GetAsync();
        return TypedResults.Ok(new AwardResponse(award, view.Phase == TenderBatchPhase.Awarded));
    }

    private static async Task<Ok<IReadOnlyList<Objection>>> ListObjectionsAsync(string batchId, GrainAccess grains, ClaimsPrincipal user)
    {
        await BatchApi.VisibleBatchAsync(grains, user, batchId);
        var objections = await grains.Batch(batchId).ListObjectionsAsync();
        return TypedResults.Ok(user.Role() == PortalUser.Alliance
            ? objections
            : (IReadOnlyList<Objection>)objections.Where(o => o.ManufacturerId == user.Organisation()).ToList());
    }
}
