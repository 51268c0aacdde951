using Orleans.Concurrency;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>Execution monitoring over SQL; stateless, so every silo answers its share of dashboard reads.</summary>
[StatelessWorker]
public sealed class MonitoringGrain(
    MonitoringRepository monitoring,
    ProcurementStore store,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IMonitoringGrain
{
    private static readonly string[] Audiences = ["alliance", "hospital", "manufacturer"];

    public Task<IReadOnlyList<Completion>> GetCompletionAsync(string batchId, CompletionLevel level)
    {
        if (!Enum.IsDefined(level))
        {
            throw ProcurementException.Invalid("level", $"level must be one of {string.Join(", ", Enum.GetNames<CompletionLevel>())}.");
        }
        return monitoring.CompletionAsync(Check.Id(batchId, "batchId"), level, ProcurementClock.Now(clock));
    }

    public async Task<IReadOnlyList<Completion>> GetFlaggedHospitalsAsync(string batchId) =>
        (await GetCompletionAsync(batchId, CompletionLevel.Hospital)).Where(c => c.Flagged).ToList();

    public Task<IReadOnlyList<RetainedSavings>> GetRetainedSavingsAsync(string batchId) =>
        monitoring.RetainedSavingsAsync(Check.Id(batchId, "batchId"), ProcurementClock.Now(clock));

    public Task<IReadOnlyList<ComponentPurchase>> GetComponentPurchasesAsync(string batchId) =>
        monitoring.ComponentPurchasesAsync(Check.Id(batchId, "batchId"));

    public async Task SetHospitalScoresAsync(string batchId, IReadOnlyDictionary<string, int> scores)
    {
        Check.Id(batchId, "batchId");
        Check.NotNull(scores, "scores");
        foreach (var (hospitalId, score) in scores)
        {
            Check.Id(hospitalId, "scores");
            if (score is < 0 or > 100)
            {
                throw ProcurementException.Invalid($"scores.{hospitalId}", $"A score is from 0 to 100, not {score}.");
            }
        }
        var batch = await GrainFactory.GetGrain<ITenderBatchGrain>(batchId).GetAsync();
        await monitoring.SetScoresAsync(batchId, scores, ProcurementClock.Now(clock), Actor.Current($"alliance:{batch.Definition!.AllianceId}"));
    }

    public Task<IReadOnlyList<Notification>> ListNotificationsAsync(string audienceKind, string audienceId)
    {
        if (!Audiences.Contains(audienceKind))
        {
            throw ProcurementException.Invalid("audienceKind", $"audienceKind must be one of {string.Join(", ", Audiences)}, not '{audienceKind}'.");
        }
        return Notifications.ListAsync(store, audienceKind, Check.Id(audienceId, "audienceId"));
    }
}
