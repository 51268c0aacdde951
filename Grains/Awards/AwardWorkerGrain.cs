using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Grains.Batches;
using Procurement.Grains.Batches.Domain;

namespace Procurement.Grains.Awards;

/// <summary>
/// Runs the award engine for a batch: gathers the input from the tables, solves on a thread-pool
/// thread (the solve is CPU-bound and may take its whole time limit), stores the award's own rows
/// under a new award id when the checker passed it, and hands the result to the batch, which alone
/// takes it as its proposed award and moves its phase. The rows are written here rather than sent:
/// a hospital-level award has millions of lines, too many for a grain message.
/// </summary>
[StatelessWorker]
public sealed partial class AwardWorkerGrain(
    AwardRepository awards,
    AwardInputReader inputs,
    ConsumableAwardRepository consumableAwards,
    ConsumableAwardInputReader consumableInputs,
    BatchRepository batches,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock,
    ILogger<AwardWorkerGrain> logger) : Grain, IAwardWorkerGrain
{
    public async Task RunAsync(string batchId, AwardRequest request, string actor)
    {
        // Refused to the caller, before the batch hears of a run.
        var opened = await RequireOpenedAsync(batchId);
        if (opened.Definition.Consumables is not null)
        {
            AwardRequests.RequireNoDrugProducts(batchId, opened.Definition);
            await RunConsumablesAsync(batchId, request, actor);
            return;
        }
        string? failure = null;
        ProposedAward? proposed = null;
        var progress = new AwardProgressSender(GrainFactory.GetGrain<ITenderBatchGrain>(batchId), clock);
        try
        {
            var input = await inputs.LoadInputAsync(batchId, request);
            var engine = new AwardEngine(
                new SolveOptions(TimeSpan.FromSeconds(request.TimeLimitSeconds), Math.Max(1, Environment.ProcessorCount)),
                p =>
                {
                    logger.LogInformation("Award of {BatchId}: {Phase} {Elapsed:F1} s, best {Best:N2} CNY, bound {Bound:N2} CNY", batchId, p.Phase, p.Elapsed.TotalSeconds, p.BestObjective, p.Bound);
                    progress.Report(p.Phase, p.Elapsed, p.BestObjective, p.Bound);
                });
            var previousSuppliers = await inputs.PreviousSuppliersAsync(batchId);
            var award = await Task.Run(() => engine.Run(input, request.Mode, previousSuppliers: previousSuppliers));
            failure = award.Solve.Status switch
            {
                SolveStatus.Infeasible => Shortfall(award.Shortfall),
                SolveStatus.NoSolutionInTime => $"no allocation was found within {request.TimeLimitSeconds} s; allow more time",
                SolveStatus.RuleBroken => RuleBroken(award),
                _ => null,
            };
            if (award.Solve.Status == SolveStatus.RuleBroken)
            {
                logger.LogError("The award of batch {BatchId} breaks a rule and was not stored: {Violations}", batchId, award.Check!.Summary(20));
            }
            if (failure is null)
            {
                proposed = await awards.StoreAsync(batchId, award, ProcurementClock.Now(clock), actor);
            }
        }
        catch (AwardInputException ex)
        {
            failure = ex.Message;
        }
        catch (ProcurementException ex)
        {
            failure = ex.Message;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The award of batch {BatchId} failed.", batchId);
            failure = "the award engine failed; the silo log has the cause";
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

    public async Task<IReadOnlyList<AwardVariant>> CompareAsync(string batchId, AwardComparisonRequest request)
    {
        await RequireOpenedAsync(batchId);
        var variants = new List<AwardVariant>();
        var ruleSets = new List<string?> { null };
        if (request.WhatIfRuleSet is { } whatIf)
        {
            ruleSets.Add(whatIf);
        }
        var previousSuppliers = await inputs.PreviousSuppliersAsync(batchId);
        foreach (var ruleSet in ruleSets)
        {
            foreach (var mode in request.Modes.Distinct(StringComparer.Ordinal))
            {
                var input = await inputs.LoadInputAsync(batchId, new AwardRequest(mode, request.RegionBudgets, request.TimeLimitSeconds));
                if (ruleSet == input.RuleSet)
                {
                    continue;
                }
                var engine = new AwardEngine(new SolveOptions(TimeSpan.FromSeconds(request.TimeLimitSeconds), Math.Max(1, Environment.ProcessorCount)));
                try
                {
                    var award = await Task.Run(() => engine.Run(input, mode, ruleSet, previousSuppliers));
                    variants.Add(Variant(award, request.TimeLimitSeconds));
                }
                catch (AwardInputException ex)
                {
                    variants.Add(new AwardVariant(mode, ruleSet ?? input.RuleSet, "invalid", null, null, TimeSpan.Zero, [], ex.Message));
                }
            }
        }
        return variants;
    }

    /// <summary>
    /// Bid contents are read only once the batch is opened: this worker checks the phase itself
    /// rather than trusting its caller, since anything that reaches the cluster could call it.
    /// </summary>
    private async Task<StoredBatch> RequireOpenedAsync(string batchId)
    {
        var batch = await batches.LoadAsync(Check.Id(batchId, "batchId"))
            ?? throw new ProcurementException(ErrorCodes.NotConfigured, $"Batch {batchId} has not been configured.", "batchId");
        if (batch.Phase < TenderBatchPhase.Opened)
        {
            throw new ProcurementException(ErrorCodes.BidsSealed, $"Bids of batch {batchId} are sealed until the opening; the award runs after it.");
        }
        return batch;
    }

    private static AwardVariant Variant(AwardDocument award, int timeLimitSeconds)
    {
        var failure = award.Solve.Status switch
        {
            SolveStatus.Infeasible => Shortfall(award.Shortfall),
            SolveStatus.NoSolutionInTime => $"no allocation was found within {timeLimitSeconds} s; allow more time",
            SolveStatus.RuleBroken => RuleBroken(award),
            _ => null,
        };
        var products = award.Products.Select(p =>
        {
            var prices = p.Winners.Where(w => w.AwardedUnitPrice is not null).Select(w => w.AwardedUnitPrice!.Value).ToList();
            var volume = p.Allocations.Sum(a => a.AgreedVolume) + p.HospitalAllocations.Sum(h => h.AgreedVolume);
            var amount = p.Allocations.Sum(a => a.Amount) + p.HospitalAllocations.Sum(h => h.Amount);
            return new AwardVariantProduct(p.ProductId, p.Winners.Count, prices.Count > 0 ? prices.Min() : null, prices.Count > 0 ? prices.Max() : null, p.AgreedShare, volume, amount);
        }).ToList();
        return new AwardVariant(
            award.Mode,
            award.RuleSet,
            award.Solve.Status.ToString(),
            failure is null ? products.Sum(p => p.Amount) : null,
            award.Solve.Gap,
            award.Solve.WallTime,
            products,
            failure);
    }

    /// <summary>The status line of an award the independent checker refused: the first rules broken, with their places.</summary>
    internal static string RuleBroken(AwardDocument award) =>
        $"the award breaks a rule and was not published ({award.Check!.Violations.Count:N0} violation(s)): {award.Check.Summary()}";

    /// <summary>The status line of an award no allocation of which fits the budgets: the diagnosis as far as it got (never a figure it did not find).</summary>
    internal static string Shortfall(BudgetShortfall? shortfall) =>
        shortfall is null
            ? "no allocation fits the region budgets"
            : $"no allocation fits the region budgets: {shortfall.Summary()}";
}
