using Procurement.Contracts.Domain;

namespace Procurement.Contracts.Grains;

/// <summary>A hospital: its profile, its usage history and its volume reports. Keyed by hospital id.</summary>
[Alias("Procurement.IHospitalGrain")]
public interface IHospitalGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task RegisterAsync(Hospital hospital);

    [Alias("Get")]
    Task<Hospital?> GetAsync();

    /// <summary>Records the average annual use of products over the last two years (replaces per product).</summary>
    [Alias("SetUsageHistory")]
    Task SetUsageHistoryAsync(IReadOnlyList<UsageHistory> history);

    /// <summary>
    /// Submits or amends volume report lines for a batch in reporting, all or nothing. A line for a
    /// product already reported replaces it as a new revision.
    /// </summary>
    [Alias("SubmitVolumeReports")]
    Task<IReadOnlyList<VolumeReport>> SubmitVolumeReportsAsync(string batchId, IReadOnlyList<VolumeReportLine> lines);

    [Alias("GetVolumeReports")]
    Task<IReadOnlyList<VolumeReport>> GetVolumeReportsAsync(string batchId);
}
