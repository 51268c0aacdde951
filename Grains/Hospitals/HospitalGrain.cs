using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Hospitals;

/// <summary>
/// A hospital. Reports go straight to the store (the batch grain is not on the write path, so
/// tens of thousands of hospitals report in parallel); the store confirms, under a lock on the
/// batch row, that reporting is still open.
/// </summary>
public sealed class HospitalGrain(
    ReferenceRepository reference,
    BatchRepository batches,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IHospitalGrain
{
    private Hospital? _hospital;
    private Dictionary<string, long> _history = [];
    private readonly Dictionary<string, ReportingTerms> _terms = [];

    private string HospitalId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (hospital, history) = await reference.GetHospitalWithHistoryAsync(HospitalId);
        _hospital = hospital;
        _history = history.ToDictionary(h => h.ProductId, h => h.AverageAnnualVolume);
    }

    public async Task RegisterAsync(Hospital hospital)
    {
        Check.NotNull(hospital, "hospital");
        Check.MatchesKey(Check.Id(hospital.Id, "id"), HospitalId, "id");
        Check.Text(hospital.Name, "name", 200);
        Check.Id(hospital.RegionCode, "regionCode");
        await reference.SaveHospitalAsync(hospital, ProcurementClock.Now(clock), Actor.Current($"hospital:{HospitalId}"));
        _hospital = hospital;
    }

    public Task<Hospital?> GetAsync() => Task.FromResult(_hospital);

    public async Task SetUsageHistoryAsync(IReadOnlyList<UsageHistory> history)
    {
        RequireHospital();
        Check.NonEmpty(history, "history");
        Check.Distinct(history.Select(h => h?.ProductId!).ToList(), "history.productId");
        for (var i = 0; i < history.Count; i++)
        {
            if (history[i].AverageAnnualVolume < 0)
            {
                throw ProcurementException.Invalid($"history[{i}].averageAnnualVolume", "averageAnnualVolume must not be negative.");
            }
        }
        await reference.SaveUsageHistoryAsync(HospitalId, history, ProcurementClock.Now(clock), Actor.Current($"hospital:{HospitalId}"));
        foreach (var entry in history)
        {
            _history[entry.ProductId] = entry.AverageAnnualVolume;
        }
    }

    public async Task<IReadOnlyList<VolumeReport>> SubmitVolumeReportsAsync(string batchId, IReadOnlyList<VolumeReportLine> lines)
    {
        RequireHospital();
        Check.Id(batchId, "batchId");
        Check.NonEmpty(lines, "lines");
        var terms = await GetTermsAsync(batchId);
        var now = ProcurementClock.Now(clock);
        if (terms.Phase != TenderBatchPhase.VolumeReporting || now > terms.ReportingCloses)
        {
            throw new ProcurementException(ErrorCodes.ReportingClosed, $"Volume reporting for batch {batchId} is not open.", "batchId");
        }
        if (!terms.Participating)
        {
            throw new ProcurementException(ErrorCodes.NotParticipating, $"Hospital {HospitalId} does not take part in batch {batchId}.", "hospitalId");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cleaned = new List<VolumeReportLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = Check.NotNull(lines[i], $"lines[{i}]");
            Check.Id(line.ProductId, $"lines[{i}].productId");
            if (!terms.ProductIds.Contains(line.ProductId))
            {
                throw new ProcurementException(ErrorCodes.UnknownProduct, $"Product '{line.ProductId}' is not in batch {batchId}.", $"lines[{i}].productId");
            }
            if (!seen.Add(line.ProductId))
            {
                throw ProcurementException.Invalid($"lines[{i}].productId", $"Product '{line.ProductId}' is reported twice.");
            }
            if (line.AnnualVolume < 0)
            {
                throw ProcurementException.Invalid($"lines[{i}].annualVolume", "annualVolume must not be negative.");
            }
            var reason = Check.OptionalText(line.BelowHistoryReason, $"lines[{i}].belowHistoryReason");
            var preferred = line.PreferredManufacturerId is null ? null : Check.Id(line.PreferredManufacturerId, $"lines[{i}].preferredManufacturerId");
            if (_history.TryGetValue(line.ProductId, out var average)
                && line.AnnualVolume < average * terms.MinimumShareOfHistory
                && reason is null)
            {
                throw new ProcurementException(
                    ErrorCodes.BelowHistoryNeedsReason,
                    $"{line.AnnualVolume} is below {terms.MinimumShareOfHistory:P0} of the average use {average} of {line.ProductId}; give a reason.",
                    $"lines[{i}].belowHistoryReason");
            }
            cleaned.Add(line with { BelowHistoryReason = reason, PreferredManufacturerId = preferred });
        }
        return await batches.SaveVolumeReportsAsync(batchId, HospitalId, cleaned, now, Actor.Current($"hospital:{HospitalId}"));
    }

    public Task<IReadOnlyList<VolumeReport>> GetVolumeReportsAsync(string batchId) =>
        batches.GetVolumeReportsAsync(Check.Id(batchId, "batchId"), HospitalId);

    // A batch's products, hospitals and windows are fixed once it leaves Draft, so its terms are
    // kept; only the phase can move on, and the store re-checks that inside the write.
    private async Task<ReportingTerms> GetTermsAsync(string batchId)
    {
        if (_terms.TryGetValue(batchId, out var cached))
        {
            return cached;
        }
        var terms = await GrainFactory.GetGrain<ITenderBatchGrain>(batchId).GetReportingTermsAsync(HospitalId);
        if (terms.Phase != TenderBatchPhase.Draft)
        {
            _terms[batchId] = terms;
        }
        return terms;
    }

    private Hospital RequireHospital() =>
        _hospital ?? throw new ProcurementException(ErrorCodes.NotFound, $"Hospital {HospitalId} is not registered.", "hospitalId");
}
