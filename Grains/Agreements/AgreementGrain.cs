using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// One agreement. It keeps no state of its own: it reads where the agreement stands, asks
/// <see cref="AgreementLifecycle"/> what the alliance's action makes of it, and saves that as a
/// change conditional on the standing it read, so the batch's clock (which moves the same rows)
/// and the alliance's actions never overwrite each other.
/// </summary>
public sealed class AgreementGrain(
    AgreementRepository agreements,
    IOptions<AgreementOptions> options,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IAgreementGrain
{
    private Guid AgreementId => this.GetPrimaryKey();

    public async Task<Agreement> GetAsync() =>
        await agreements.GetAsync(AgreementId)
        ?? throw new ProcurementException(ErrorCodes.AgreementNotFound, $"Agreement {AgreementId} does not exist.", "agreementId");

    public async Task<IReadOnlyList<AgreementHospital>> ListHospitalsAsync()
    {
        await GetAsync();
        return await agreements.ListHospitalsAsync(AgreementId);
    }

    public Task<Agreement> SuspendAsync(string reason) => ChangeAsync(AgreementState.Suspended, reason);

    public Task<Agreement> ResumeAsync(string reason) => ChangeAsync(AgreementState.Active, reason);

    public Task<Agreement> TerminateAsync(string reason) => ChangeAsync(AgreementState.Terminated, reason);

    public async Task<Agreement> RecordSupplyFailureAsync(string reason)
    {
        var agreement = await GetAsync();
        return await agreements.TakeOverAsync(AgreementId, Check.Text(reason, "reason", 2000), ProcurementClock.Now(clock), await ActorAsync(agreement));
    }

    private async Task<Agreement> ChangeAsync(AgreementState to, string reason)
    {
        var agreement = await GetAsync();
        reason = Check.Text(reason, "reason", 2000);
        var now = ProcurementClock.Now(clock);
        var standing = await agreements.StandingAsync(AgreementId)
            ?? throw new ProcurementException(ErrorCodes.AgreementNotFound, $"Agreement {AgreementId} does not exist.", "agreementId");
        var change = AgreementLifecycle.From(options.Value).Change(AgreementId, standing, to, now);
        return await agreements.SaveChangeAsync(AgreementId, standing, change, reason, now, await ActorAsync(agreement));
    }

    private async Task<string> ActorAsync(Agreement agreement)
    {
        var batch = await GrainFactory.GetGrain<ITenderBatchGrain>(agreement.BatchId).GetAsync();
        return Actor.Current($"alliance:{batch.Definition!.AllianceId}");
    }
}
