using Microsoft.Extensions.Logging;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Hosting;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Allocation;

namespace Procurement.Grains.Awards;

/// <summary>
/// The award of a consumables batch (docs/CONSUMABLES.md, "The award from the batch"): the input
/// from the opened bids and brand intentions, <see cref="ConsumableAwardEngine"/> on a thread-pool
/// thread with the request's time limit, and only an award both checkers passed and with a winner
/// in every category stored; anything else is the batch's award status.
/// </summary>
public sealed partial class AwardWorkerGrain
{
    private async Task RunConsumablesAsync(string batchId, AwardRequest request, string actor)
    {
        string? failure = null;
        ProposedAward? proposed = null;
        var progress = new AwardProgressSender(GrainFactory.GetGrain<ITenderBatchGrain>(batchId), clock);
        try
        {
            var input = await consumableInputs.LoadInputAsync(batchId);
            var engine = new ConsumableAwardEngine(new SolveOptions(TimeSpan.FromSeconds(request.TimeLimitSeconds), Math.Max(1, Environment.ProcessorCount)), p =>
            {
                logger.LogInformation("Consumables award of {BatchId}: {Phase} {Elapsed:F1} s, cost {Cost:N2} CNY, bound {Bound:N2} CNY", batchId, p.Phase, p.Elapsed.TotalSeconds, p.Cost, p.CostBound);
                progress.Report(p.Phase, p.Elapsed, p.Cost, p.CostBound);
            });
            var award = await Task.Run(() => engine.Run(input, FallbackOf(request.Mode)));
            failure = ConsumableFailure(award, request.TimeLimitSeconds);
            if (award.Status == SolveStatus.RuleBroken)
            {
                logger.LogError("The consumables award of batch {BatchId} breaks a rule and was not stored: {Violations}; allocation: {Problems}",
                    batchId, award.WinnerCheck.Summary(20), string.Join("; ", award.AllocationProblems.Take(20).Select(p => $"{p.CategoryId}: {p.Problem}")));
            }
            failure ??= await RenewalShortfallAsync(batchId, award);
            if (failure is null)
            {
                proposed = await consumableAwards.StoreAsync(batchId, request.Mode, input, award, ProcurementClock.Now(clock), actor);
            }
        }
        catch (ConsumableInputException ex)
        {
            failure = $"the consumables award input is invalid ({ex.Problems.Count} problem(s)): "
                + string.Join("; ", ex.Problems.Take(3).Select(p => $"{p.Field}: {p.Code}: {p.Message}"));
        }
        catch (ChoiceInputException ex)
        {
            failure = $"the allocation input is invalid ({ex.Errors.Count} problem(s)): "
                + string.Join("; ", ex.Errors.Take(3).Select(e => $"{e.Field}: {e.Code}: {e.Message}"));
        }
        catch (ProcurementException ex)
        {
            failure = ex.Message;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The consumables award of batch {BatchId} failed.", batchId);
            failure = "the consumables award engine failed; the silo log has the cause";
        }
        // The last progress goes with the result: one-way reports may arrive after it and are then dropped.
        var owner = GrainFactory.GetGrain<ITenderBatchGrain>(batchId);
        if (proposed is not null)
        {
            await owner.AwardProposedAsync(proposed, progress.Last);
        }
        else
        {
            await owner.AwardCompletedAsync(failure, progress.Last);
        }
    }

    /// <summary>
    /// For a renewal, why the award is not stored: a continued category's supplies in a region add
    /// up to less than the previous year's agreed volume there (a hospital no winner had room for);
    /// null when every floor is met or the batch renews nothing.
    /// </summary>
    private async Task<string?> RenewalShortfallAsync(string batchId, ConsumableAward award)
    {
        var floors = await consumableInputs.RenewalFloorsAsync(batchId);
        var shortfalls = ConsumableRenewal.Shortfalls(floors, award.Supplies.Select(p => (p.CategoryId, p.RegionCode, p.Quantity)));
        return shortfalls.Count == 0
            ? null
            : $"{ErrorCodes.RenewalVolumeBelowPrevious}: the award supplies less than the previous year's agreed volume in {ConsumableRenewal.Describe(shortfalls)}";
    }

    /// <summary>The fallback rule of allocation by choice that the mode names (the request was checked against the batch's kind).</summary>
    internal static FallbackRule FallbackOf(string mode) =>
        mode == AwardModes.ConsumablesProportional ? FallbackRule.ProportionalToIntendedVolume : FallbackRule.LowestPrice;

    /// <summary>
    /// Why a consumables award is not stored, or null when it may be: a checker found a rule broken
    /// (the first rules and places), a category no bid won (each named, with why its bids lost), or no
    /// allocation found in time. A shortfall (a hospital no winner had room for) is stored and shown.
    /// </summary>
    internal static string? ConsumableFailure(ConsumableAward award, int timeLimitSeconds)
    {
        if (award.Status == SolveStatus.RuleBroken)
        {
            var problems = award.WinnerCheck.Violations.Count + award.AllocationProblems.Count;
            var first = award.WinnerCheck.Violations.Take(3).Select(v => $"{v.Rule} at {v.Place}: {v.Detail}")
                .Concat(award.AllocationProblems.Take(3).Select(p => $"allocation of {p.CategoryId}: {p.Problem}"))
                .Take(3);
            return $"the consumables award breaks a rule and was not published ({problems:N0} violation(s)): {string.Join("; ", first)}";
        }
        var empty = award.Winners.Categories.Where(c => c.Winners.Count == 0).ToList();
        if (empty.Count > 0)
        {
            return "no bid won in " + string.Join("; ", empty.Select(c =>
                $"category {c.CategoryId} ({(c.Statements.Count == 0 ? "no bids" : string.Join(", ", c.Statements.GroupBy(s => s.Reason, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")))})"));
        }
        return award.Status switch
        {
            SolveStatus.NoSolutionInTime => $"no allocation was found within {timeLimitSeconds} s; allow more time",
            SolveStatus.Infeasible => "the allocation by choice found no allocation",
            _ => null,
        };
    }
}
