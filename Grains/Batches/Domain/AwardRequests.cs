using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// What the alliance may ask of an award: a run that is stored and proposed, or a comparison of
/// modes (and a what-if rule set) that stores nothing. Both name known modes, budgets for the
/// batch's own regions that are not negative, and a time limit: up to an hour for a run, ten
/// minutes for a comparison, which the alliance waits for.
/// </summary>
public static class AwardRequests
{
    public const int MaxRunSeconds = 3600;

    public const int MaxComparisonSeconds = 600;

    public static void CheckRun(string batchId, TenderBatchDefinition definition, AwardRequest? asked)
    {
        var request = Check.NotNull(asked, "request");
        if (definition.Consumables is not null)
        {
            RequireNoDrugProducts(batchId, definition);
            CheckConsumablesRun(batchId, request);
            return;
        }
        if (AwardModes.IsConsumables(request.Mode))
        {
            throw new ProcurementException(ErrorCodes.AwardModeNotForBatch,
                $"Batch {batchId} buys drugs: mode must be {AwardModes.RankedPick}, {AwardModes.CostOptimal} or {AwardModes.Hospital}, not '{request.Mode}'.", "mode");
        }
        if (!IsMode(request.Mode))
        {
            throw ProcurementException.Invalid("mode", $"mode must be {AwardModes.RankedPick}, {AwardModes.CostOptimal} or {AwardModes.Hospital}, not '{request.Mode}'.");
        }
        CheckRegionBudgets(batchId, definition, request.RegionBudgets);
        if (request.TimeLimitSeconds is < 1 or > MaxRunSeconds)
        {
            throw ProcurementException.Invalid("timeLimitSeconds", $"timeLimitSeconds must be from 1 to {MaxRunSeconds}.");
        }
    }

    public static void CheckComparison(string batchId, TenderBatchDefinition definition, AwardComparisonRequest? asked)
    {
        var request = Check.NotNull(asked, "request");
        // A comparison runs the drug engine over modes and rule sets; a consumables batch has one award per fallback rule and no budgets to weigh.
        if (definition.Consumables is not null)
        {
            throw new ProcurementException(ErrorCodes.AwardModeNotForBatch,
                $"Batch {batchId} is a consumables batch: its award is run, not compared (modes {string.Join(", ", AwardModes.ForConsumables)}).", "modes");
        }
        Check.NotNull(request.Modes, "modes");
        if (request.Modes.Count == 0)
        {
            throw ProcurementException.Required("modes");
        }
        foreach (var mode in request.Modes)
        {
            if (!IsMode(mode))
            {
                throw ProcurementException.Invalid("modes", $"A mode is {AwardModes.RankedPick}, {AwardModes.CostOptimal} or {AwardModes.Hospital}, not '{mode}'.");
            }
        }
        if (request.WhatIfRuleSet is { } whatIf && !RuleSetCatalog.Names.Contains(whatIf))
        {
            throw ProcurementException.Invalid("whatIfRuleSet", $"whatIfRuleSet must be one of {string.Join(", ", RuleSetCatalog.Names)}, not '{whatIf}'.");
        }
        CheckRegionBudgets(batchId, definition, request.RegionBudgets);
        if (request.TimeLimitSeconds is < 1 or > MaxComparisonSeconds)
        {
            throw ProcurementException.Invalid("timeLimitSeconds", $"timeLimitSeconds must be from 1 to {MaxComparisonSeconds}.");
        }
    }

    /// <summary>Each budget is for a region of the batch and not negative; a region without one has no budget limit.</summary>
    public static void CheckRegionBudgets(string batchId, TenderBatchDefinition definition, IReadOnlyDictionary<string, decimal>? budgets)
    {
        foreach (var (region, budget) in Check.NotNull(budgets, "regionBudgets"))
        {
            if (!definition.RegionCodes.Contains(region))
            {
                throw ProcurementException.Invalid($"regionBudgets.{region}", $"Region '{region}' is not a region of batch {batchId}.");
            }
            if (budget < 0)
            {
                throw ProcurementException.Invalid($"regionBudgets.{region}", "A budget must not be negative.");
            }
        }
    }

    /// <summary>
    /// A consumables batch that lists drug products (stored before configuration refused that) has
    /// no award mode: the consumables award would leave the drug products unawarded and a drug award
    /// the categories, and no batch is half-awarded (docs/CONSUMABLES.md, "One kind per batch").
    /// Checked by the batch before it starts the worker and by the worker on the stored definition.
    /// </summary>
    public static void RequireNoDrugProducts(string batchId, TenderBatchDefinition definition)
    {
        if (definition.Consumables is not null && definition.Products.Count > 0)
        {
            throw new ProcurementException(ErrorCodes.AwardModeNotForBatch,
                $"Batch {batchId} is a consumables batch that also lists drug products ({string.Join(", ", definition.Products.Select(p => p.ProductId))}); " +
                "no mode awards both, so it is not awarded: buy the drug products in a drug batch of their own.", "mode");
        }
    }

    /// <summary>
    /// A consumables batch's run: a consumables mode (its fallback rule) and no region budgets, since
    /// allocation by choice is bound by the hospitals' choices and the winners' capacity alone.
    /// </summary>
    private static void CheckConsumablesRun(string batchId, AwardRequest request)
    {
        if (!AwardModes.IsConsumables(request.Mode))
        {
            throw new ProcurementException(ErrorCodes.AwardModeNotForBatch,
                $"Batch {batchId} is a consumables batch: mode must be {string.Join(" or ", AwardModes.ForConsumables)}, not '{request.Mode}'.", "mode");
        }
        if (Check.NotNull(request.RegionBudgets, "regionBudgets").Count > 0)
        {
            throw new ProcurementException(ErrorCodes.AwardBudgetNotForBatch,
                $"Batch {batchId} is a consumables batch: its award takes no region budgets.", "regionBudgets");
        }
        if (request.TimeLimitSeconds is < 1 or > MaxRunSeconds)
        {
            throw ProcurementException.Invalid("timeLimitSeconds", $"timeLimitSeconds must be from 1 to {MaxRunSeconds}.");
        }
    }

    private static bool IsMode(string? mode) => mode is AwardModes.RankedPick or AwardModes.CostOptimal or AwardModes.Hospital;
}
