using Microsoft.Extensions.Logging;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Hosting;
using Procurement.Optimizer.Checking;

namespace Procurement.Grains.Batches;

/// <summary>The award of a tender batch: starting the worker, its progress, taking the award it stored (only one the rule checker passed) into publicity.</summary>
public sealed partial class TenderBatchGrain
{
    public async Task<TenderBatchView> RunAwardAsync(AwardRequest request)
    {
        var batch = RequireBatch();
        AwardRequests.CheckRun(BatchId, batch.Definition, request);
        BatchLifecycle.RequireAwardable(BatchId, batch.Phase, _awardStatus == AwardRunningStatus);
        if (batch.RenewalOf is not null && batch.Definition.Consumables is { } terms)
        {
            // A renewal's agreed volume is at least the previous year's: with less intended than that
            // in a category and region, no allocation can reach it, so the run is refused before it starts.
            var floors = ConsumableRenewal.Floors(await batches.ConsumableRenewalReferencesAsync(BatchId));
            ConsumableRenewal.RequireIntentionsAtFloor(BatchId, terms, floors, await batches.IntendedQuantitiesAsync(BatchId));
            BatchLifecycle.RequireAwardable(BatchId, RequireBatch().Phase, _awardStatus == AwardRunningStatus);
        }
        _awardStatus = AwardRunningStatus;
        _awardProgress = null;
        // Not awaited: the worker reports back through AwardCompletedAsync, so this grain keeps answering meanwhile.
        _ = StartWorkerAsync(request, Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        return View();
    }

    public Task<IReadOnlyList<AwardVariant>> CompareAwardsAsync(AwardComparisonRequest request)
    {
        var batch = RequireBatch();
        AwardRequests.CheckComparison(BatchId, batch.Definition, request);
        if (SealedBidding.IsSealed(batch.Phase))
        {
            throw new ProcurementException(ErrorCodes.BidsSealed, $"Bids of batch {BatchId} are sealed until the opening; there is nothing to compare.");
        }
        return GrainFactory.GetGrain<IAwardWorkerGrain>(0).CompareAsync(BatchId, request);
    }

    private async Task StartWorkerAsync(AwardRequest request, string actor)
    {
        try
        {
            await GrainFactory.GetGrain<IAwardWorkerGrain>(0).RunAsync(BatchId, request, actor);
        }
        catch (TimeoutException)
        {
            // A long solve outlasts the call's response timeout; the worker still reports back when done.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The award worker for batch {BatchId} could not run.", BatchId);
            if (_awardStatus == AwardRunningStatus)
            {
                _awardStatus = "failed: the award worker could not run; run the award again";
            }
        }
    }

    public Task AwardProgressAsync(AwardProgress progress)
    {
        if (progress is not null && _awardStatus == AwardRunningStatus)
        {
            _awardProgress = progress;
        }
        return Task.CompletedTask;
    }

    public Task AwardCompletedAsync(string? failure, AwardProgress? lastProgress = null)
    {
        _awardStatus = failure is null ? null : $"failed: {failure}";
        _awardProgress = lastProgress ?? _awardProgress;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes the award the worker stored as this batch's proposed award: this grain alone moves
    /// its phase and writes its events. A refusal leaves the stored award unlinked (shown nowhere,
    /// removed by the next run) and the batch Opened with the reason as its award status.
    /// </summary>
    public async Task AwardProposedAsync(ProposedAward award, AwardProgress? lastProgress = null)
    {
        _awardProgress = lastProgress ?? _awardProgress;
        try
        {
            await TransitionAsync(async () =>
            {
                var batch = RequireBatch();
                BatchLifecycle.RequireAwardProposed(BatchId, batch.Phase, award.AwardId, award.Check.Verdict);
                await batches.ProposeAwardAsync(BatchId, award, AwardCheck.Passed);
                _batch = batch with { Phase = TenderBatchPhase.Publicity };
                _publicityEnds = BatchLifecycle.PublicityEnds(award.ProposedAt, batch.Definition.Windows.PublicityDays);
            });
            _awardStatus = null;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Batch {BatchId} did not take award {AwardId}.", BatchId, award.AwardId);
            _awardStatus = ex is ProcurementException refused && refused.Code != ErrorCodes.StoreFailure
                ? $"failed: {refused.Message}"
                : "failed: the award could not be published; the silo log has the cause; run the award again";
        }
    }

    public Task<AwardView?> GetAwardAsync() => awards.GetAsync(BatchId);

    public Task<IReadOnlyList<AwardHospitalAllocation>> GetHospitalAllocationsAsync(string hospitalId)
    {
        return awards.ListHospitalAllocationsAsync(BatchId, Check.Id(hospitalId, "hospitalId"));
    }
}
