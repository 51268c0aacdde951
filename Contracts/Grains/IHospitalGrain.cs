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

    /// <summary>The hospital's average annual use per product, as recorded.</summary>
    [Alias("GetUsageHistory")]
    Task<IReadOnlyList<UsageHistory>> GetUsageHistoryAsync();

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

    /// <summary>
    /// States or revises brand intentions for categories of a consumables batch in reporting, all
    /// or nothing. An intention for a category already stated replaces it as a new revision.
    /// </summary>
    [Alias("SubmitConsumableIntentions")]
    Task<IReadOnlyList<ConsumableIntention>> SubmitConsumableIntentionsAsync(string batchId, IReadOnlyList<ConsumableIntentionLine> lines);

    /// <summary>The hospital's current brand intentions for a consumables batch, by category.</summary>
    [Alias("GetConsumableIntentions")]
    Task<IReadOnlyList<ConsumableIntention>> GetConsumableIntentionsAsync(string batchId);

    /// <summary>Every kept revision of the hospital's intentions for the batch, newest first (bounded: <see cref="ConsumableIntentionHistory.MaxRevisions"/>).</summary>
    [Alias("GetConsumableIntentionHistory")]
    Task<ConsumableIntentionHistory> GetConsumableIntentionHistoryAsync(string batchId);

    /// <summary>
    /// Reports a month's purchases ("yyyy-MM", not in the future): per product and brand, units
    /// and amount. Each line is classified against the hospital's agreements; a line sent again
    /// for the same product and brand amends the earlier one, which is kept as history. All lines
    /// or none are stored.
    /// </summary>
    [Alias("ReportUsage")]
    Task<IReadOnlyList<UsageRecord>> ReportUsageAsync(string month, IReadOnlyList<UsageLine> lines);

    /// <summary>
    /// Imports a month's purchases from CSV (header product_id,manufacturer_id,units,amount): all
    /// rows stored, or none and the error of every bad row.
    /// </summary>
    [Alias("ImportUsageCsv")]
    Task<UsageImportResult> ImportUsageCsvAsync(string month, string csv);

    /// <summary>The hospital's current usage lines, of one month ("yyyy-MM") or of all when null, with how each counts.</summary>
    [Alias("GetUsage")]
    Task<IReadOnlyList<UsageRecord>> GetUsageAsync(string? month);

    /// <summary>Every revision of the month's lines, replaced ones included, oldest first.</summary>
    [Alias("GetUsageRevisions")]
    Task<IReadOnlyList<UsageRecord>> GetUsageRevisionsAsync(string month);

    /// <summary>Declares that the hospital buys <paramref name="productId"/> as a substitute for the agreed <paramref name="forProductId"/> (each a drug product or a consumables category); a product declared again replaces its earlier declaration.</summary>
    [Alias("DeclareSubstitute")]
    Task DeclareSubstituteAsync(string productId, string forProductId);

    /// <summary>The hospital's declared substitutes, by product (at most <c>UsageRepository.MaxSubstitutes</c>).</summary>
    [Alias("GetSubstitutes")]
    Task<IReadOnlyList<SubstituteDeclaration>> GetSubstitutesAsync();
}
