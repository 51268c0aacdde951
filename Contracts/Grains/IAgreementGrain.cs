using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>
/// One agreement (keyed by its id): read it, and the alliance's actions on it. The clock-driven
/// states (expiring, expired) are moved by the batch's agreement reminder.
/// </summary>
[Alias("Procurement.IAgreementGrain")]
public interface IAgreementGrain : IGrainWithGuidKey
{
    [Alias("Get")]
    Task<Agreement> GetAsync();

    /// <summary>The hospitals it supplies, with each one's annual agreed volume, amount and prepayment.</summary>
    [Alias("ListHospitals")]
    Task<IReadOnlyList<AgreementHospital>> ListHospitalsAsync();

    [Alias("Suspend")]
    Task<Agreement> SuspendAsync(string reason);

    [Alias("Resume")]
    Task<Agreement> ResumeAsync(string reason);

    /// <summary>Ends the agreement at the current month; purchases after it count toward nothing.</summary>
    [Alias("Terminate")]
    Task<Agreement> TerminateAsync(string reason);

    /// <summary>
    /// Records a verified supply failure: the spare supplier takes over the remaining volume from
    /// the current month as a new agreement version linked to this one, which is returned.
    /// </summary>
    [Alias("RecordSupplyFailure")]
    Task<Agreement> RecordSupplyFailureAsync(string reason);
}

/// <summary>
/// Execution monitoring, answered from SQL over the tables (a stateless worker: any silo answers).
/// </summary>
[Alias("Procurement.IMonitoringGrain")]
public interface IMonitoringGrain : IGrainWithIntegerKey
{
    /// <summary>Completion against time progress of the agreement year under way, at one level.</summary>
    [Alias("GetCompletion")]
    Task<IReadOnlyList<Completion>> GetCompletionAsync(string batchId, CompletionLevel level);

    /// <summary>Hospitals whose completion is below the configured share of time progress.</summary>
    [Alias("GetFlaggedHospitals")]
    Task<IReadOnlyList<Completion>> GetFlaggedHospitalsAsync(string batchId);

    [Alias("GetRetainedSavings")]
    Task<IReadOnlyList<RetainedSavings>> GetRetainedSavingsAsync(string batchId);

    /// <summary>Per agreement of a consumables batch and component: the components bought separately (revisions), by agreement and component.</summary>
    [Alias("GetComponentPurchases")]
    Task<IReadOnlyList<ComponentPurchase>> GetComponentPurchasesAsync(string batchId);

    /// <summary>Sets hospitals' assessment scores (0-100) for the batch, which decide their share of retained savings.</summary>
    [Alias("SetHospitalScores")]
    Task SetHospitalScoresAsync(string batchId, IReadOnlyDictionary<string, int> scores);

    /// <summary>The newest notices for an organisation: audience kind alliance, hospital or manufacturer.</summary>
    [Alias("ListNotifications")]
    Task<IReadOnlyList<Notification>> ListNotificationsAsync(string audienceKind, string audienceId);
}
