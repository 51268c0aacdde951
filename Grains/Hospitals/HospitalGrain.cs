using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Options;
using Procurement.Grains.Agreements;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;
using Procurement.Grains.Batches;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Reference;

namespace Procurement.Grains.Hospitals;

/// <summary>
/// A hospital. Reports go straight to the store (the batch grain is not on the write path, so
/// tens of thousands of hospitals report in parallel); the store confirms, under a lock on the
/// batch row, that reporting is still open.
/// </summary>
public sealed class HospitalGrain(
    ReferenceRepository reference,
    BatchRepository batches,
    ConsumableBatchRepository consumables,
    ConsumableIntentionRevisionStore revisions,
    UsageRepository usage,
    Orders.OrderRepository orders,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IHospitalGrain
{
    private Hospital? _hospital;
    private Dictionary<string, long> _history = [];

    // The annual average accepted on the platform over the two years before the month it was read
    // in, per drug product and per consumables category (systems and units, not
    // components bought separately), read with the hospital at activation and again for each report
    // or intention, which is held to it as to the registered history.
    private Dictionary<string, long> _acceptedProducts = [];
    private Dictionary<string, long> _acceptedCategories = [];
    private readonly Dictionary<string, ReportingTerms> _terms = [];

    private string HospitalId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => this.ActivateGuardedAsync(async () =>
    {
        var month = Months.Of(ProcurementClock.Now(clock), agreementOptions.Value.Zone());
        var (hospital, history, accepted) = await reference.GetHospitalWithHistoryAsync(HospitalId, month - 24, month);
        _hospital = hospital;
        _history = history.ToDictionary(h => h.ProductId, h => h.AverageAnnualVolume);
        KeepAccepted(accepted);
    });

    private void KeepAccepted(IReadOnlyList<Orders.AcceptedUnits> accepted)
    {
        _acceptedProducts = accepted.Where(a => !a.Category).ToDictionary(a => a.Id, a => a.Accepted / 2, StringComparer.Ordinal);
        _acceptedCategories = accepted.Where(a => a.Category).ToDictionary(a => a.Id, a => a.Accepted / 2, StringComparer.Ordinal);
    }

    public async Task RegisterAsync(Hospital hospital)
    {
        Check.NotNull(hospital, "hospital");
        Check.MatchesKey(Check.Id(hospital.Id, "id"), HospitalId, "id");
        Check.Text(hospital.Name, "name", 200);
        Check.OptionalText(hospital.NameZh, "nameZh", 200);
        Check.Id(hospital.RegionCode, "regionCode");
        await reference.SaveHospitalAsync(hospital, ProcurementClock.Now(clock), Actor.Current($"hospital:{HospitalId}"));
        _hospital = hospital;
    }

    public Task<Hospital?> GetAsync() => Task.FromResult(_hospital);

    public Task<IReadOnlyList<UsageHistory>> GetUsageHistoryAsync() =>
        Task.FromResult<IReadOnlyList<UsageHistory>>(_history.Select(h => new UsageHistory(h.Key, h.Value)).OrderBy(h => h.ProductId, StringComparer.Ordinal).ToList());

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
        var now = ProcurementClock.Now(clock);
        var terms = await OpenTermsAsync(batchId, now);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cleaned = new List<VolumeReportLine>(lines.Count);
        var history = await HistoryAsync(now);
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
            if (history.TryGetValue(line.ProductId, out var average)
                && terms.NeedsReason(line.AnnualVolume, average)
                && reason is null)
            {
                throw new ProcurementException(
                    ErrorCodes.BelowHistoryNeedsReason,
                    $"{line.AnnualVolume} is below {terms.FloorOf(average)} ({terms.MinimumShareOfHistory:P0} of the average use {average}) of {line.ProductId}; give a reason.",
                    $"lines[{i}].belowHistoryReason");
            }
            cleaned.Add(line with { BelowHistoryReason = reason, PreferredManufacturerId = preferred });
        }
        return await batches.SaveVolumeReportsAsync(batchId, HospitalId, cleaned, now, Actor.Current($"hospital:{HospitalId}"));
    }

    /// <summary>
    /// The history a report is held to: per product the larger of the registered average annual use
    /// and the annual average the hospital accepted on the platform over the two years before this
    /// month, so buying on the platform and then reporting less needs a reason too.
    /// </summary>
    private async Task<Dictionary<string, long>> HistoryAsync(DateTimeOffset now)
    {
        await RefreshAcceptedAsync(now);
        return WithAccepted(_acceptedProducts);
    }

    /// <summary>
    /// The history a brand intention is held to: per category the larger of the usage registered
    /// under the category's id and the annual average of the systems or units the hospital accepted
    /// under consumables agreements of that category over the two years before this month.
    /// </summary>
    private async Task<Dictionary<string, long>> ConsumableHistoryAsync(DateTimeOffset now)
    {
        await RefreshAcceptedAsync(now);
        return WithAccepted(_acceptedCategories);
    }

    // Read again for every report and intention: a delivery accepted now of a line ordered in an
    // earlier month changes the volumes in the middle of a month, and a report must be held to
    // what the page shows beside it (HospitalOrdersGrain.GetAcceptedVolumesAsync reads them live).
    private async Task RefreshAcceptedAsync(DateTimeOffset now)
    {
        var month = Months.Of(now, agreementOptions.Value.Zone());
        KeepAccepted(await orders.AcceptedVolumesAsync(HospitalId, month - 24, month));
    }

    private Dictionary<string, long> WithAccepted(Dictionary<string, long> accepted)
    {
        if (accepted.Count == 0)
        {
            return _history;
        }
        var history = new Dictionary<string, long>(_history, StringComparer.Ordinal);
        foreach (var (id, average) in accepted)
        {
            history[id] = Math.Max(history.GetValueOrDefault(id), average);
        }
        return history;
    }

    public Task<IReadOnlyList<VolumeReport>> GetVolumeReportsAsync(string batchId) =>
        batches.GetVolumeReportsAsync(Check.Id(batchId, "batchId"), HospitalId);

    /// <remarks>
    /// The history rule applies as to drug reports, keyed by the category's id: the hospital's
    /// accepted systems or units of the category under consumables agreements (any batch's), or a
    /// usage history registered under that id.
    /// </remarks>
    public async Task<IReadOnlyList<ConsumableIntention>> SubmitConsumableIntentionsAsync(string batchId, IReadOnlyList<ConsumableIntentionLine> lines)
    {
        RequireHospital();
        Check.Id(batchId, "batchId");
        var now = ProcurementClock.Now(clock);
        var terms = await OpenTermsAsync(batchId, now);
        var cleaned = ConsumableIntentionRules.Validate(batchId, terms, lines, await ConsumableHistoryAsync(now));
        return await consumables.SaveIntentionsAsync(batchId, HospitalId, cleaned, now, Actor.Current($"hospital:{HospitalId}"));
    }

    public Task<IReadOnlyList<ConsumableIntention>> GetConsumableIntentionsAsync(string batchId) =>
        consumables.GetIntentionsAsync(Check.Id(batchId, "batchId"), HospitalId);

    public Task<ConsumableIntentionHistory> GetConsumableIntentionHistoryAsync(string batchId) =>
        revisions.HistoryAsync(Check.Id(batchId, "batchId"), HospitalId);

    /// <summary>The batch's reporting terms, refused unless its reporting is open now and the hospital takes part.</summary>
    private async Task<ReportingTerms> OpenTermsAsync(string batchId, DateTimeOffset now)
    {
        var terms = await GetTermsAsync(batchId);
        if (!BatchLifecycle.IsReportingOpen(terms.Phase, terms.ReportingCloses, now))
        {
            throw new ProcurementException(ErrorCodes.ReportingClosed, $"Volume reporting for batch {batchId} is not open.", "batchId");
        }
        if (!terms.Participating)
        {
            throw new ProcurementException(ErrorCodes.NotParticipating, $"Hospital {HospitalId} does not take part in batch {batchId}.", "hospitalId");
        }
        return terms;
    }

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

    public async Task<IReadOnlyList<UsageRecord>> ReportUsageAsync(string month, IReadOnlyList<UsageLine> lines)
    {
        RequireHospital();
        var m = UsageMonth(month);
        Check.NonEmpty(lines, "lines");
        var now = ProcurementClock.Now(clock);
        var (_, errors, saved) = await ClassifyAndSaveAsync(m, lines, [], now);
        if (errors.Count > 0)
        {
            var first = errors[0];
            throw new ProcurementException(first.Code, first.Message, $"lines[{first.Row - 1}].{first.Field}");
        }
        return Records(m, saved, now);
    }

    public async Task<UsageImportResult> ImportUsageCsvAsync(string month, string csv)
    {
        RequireHospital();
        var m = UsageMonth(month);
        Check.NotNull(csv, "csv");
        var (lines, errors) = ParseUsageCsv(csv);
        if (lines.Count == 0 && errors.Count == 0)
        {
            errors.Add(new RowError(0, "file", ErrorCodes.MalformedFile, "The file has no data rows."));
        }
        // Rows that parsed are checked too, so one upload reports every bad row at once.
        var parsed = lines.Where(l => l.Line is not null).ToList();
        var now = ProcurementClock.Now(clock);
        var (_, refused, saved) = await ClassifyAndSaveAsync(m, parsed.Select(l => l.Line!).ToList(), errors, now, e => e with { Row = parsed[e.Row - 1].Row });
        if (refused.Count > 0)
        {
            return new UsageImportResult(false, [], refused.OrderBy(e => e.Row).ThenBy(e => e.Field, StringComparer.Ordinal).ToList());
        }
        return new UsageImportResult(true, Records(m, saved, now), []);
    }

    public async Task<IReadOnlyList<UsageRecord>> GetUsageAsync(string? month)
    {
        RequireHospital();
        int? m = month is null ? null : Months.Parse(month, "month");
        return (await usage.ListAsync(HospitalId, m)).Select(Record).ToList();
    }

    public async Task<IReadOnlyList<UsageRecord>> GetUsageRevisionsAsync(string month)
    {
        RequireHospital();
        var m = Months.Parse(month, "month");
        return (await usage.RevisionsAsync(HospitalId, m)).Select(Record).ToList();
    }

    public async Task DeclareSubstituteAsync(string productId, string forProductId)
    {
        RequireHospital();
        Check.Id(productId, "productId");
        Check.Id(forProductId, "forProductId");
        if (productId == forProductId)
        {
            throw ProcurementException.Invalid("forProductId", "A product cannot substitute for itself.");
        }
        await usage.DeclareSubstituteAsync(HospitalId, productId, forProductId, ProcurementClock.Now(clock), Actor.Current($"hospital:{HospitalId}"));
    }

    public Task<IReadOnlyList<SubstituteDeclaration>> GetSubstitutesAsync()
    {
        RequireHospital();
        return usage.SubstitutesAsync(HospitalId);
    }

    private int UsageMonth(string month)
    {
        var m = Months.Parse(month, "month");
        var current = Months.Of(ProcurementClock.Now(clock), agreementOptions.Value.Zone());
        if (m > current)
        {
            throw new ProcurementException(ErrorCodes.FutureMonth, $"{month} has not begun; purchases are reported for past months and this one ({Months.Format(current)}).", "month");
        }
        return m;
    }

    /// <summary>
    /// Reads the hospital's agreements, substitutes and earlier purchases, classifies the month's
    /// lines and works out their completion change (<see cref="UsageClassifier"/>), and stores them
    /// in one unit of work; with any error (those given, or found now) nothing is stored and every
    /// error is returned.
    /// </summary>
    private async Task<(UsageRepository.Context Context, List<RowError> Errors, IReadOnlyList<(ClassifiedLine Line, int Revision)> Saved)> ClassifyAndSaveAsync(
        int month, IReadOnlyList<UsageLine> lines, List<RowError> earlierErrors, DateTimeOffset now, Func<RowError, RowError>? renumber = null)
    {
        var makers = lines.Where(l => l?.ManufacturerId is { Length: > 0 }).Select(l => l.ManufacturerId).Distinct(StringComparer.Ordinal).ToList();
        var context = await usage.LoadContextAsync(HospitalId, month, makers);
        var (classified, errors) = UsageClassifier.Classify(HospitalId, month, lines, context.Agreements, context.Substitutes, context.UnknownManufacturers);
        var all = earlierErrors.Concat(errors.Select(renumber ?? (e => e))).ToList();
        if (all.Count > 0)
        {
            return (context, all, []);
        }
        // The month's declaration is of purchases off the platform: a figure of its own, counted toward no completion.
        var completion = UsageClassifier.DeclaredDeltas(HospitalId, month, classified, context.Agreements, context.MonthLines);
        // The event records who reported what month and its totals; the lines themselves, with every
        // revision an amendment replaced, are in usage_lines and usage_line_history.
        var payload = EventLog.Serialize(new
        {
            Month = Months.Format(month),
            Lines = lines.Count,
            Units = lines.Sum(l => l?.Units ?? 0),
            Amount = lines.Sum(l => l?.Amount ?? 0m),
        });
        var saved = await usage.SaveAsync(HospitalId, month, context.MonthLines, classified, completion, payload, now, Actor.Current($"hospital:{HospitalId}"));
        return (context, [], saved);
    }

    private List<UsageRecord> Records(int month, IReadOnlyList<(ClassifiedLine Line, int Revision)> saved, DateTimeOffset now) =>
        saved.Select(s => Record(new UsageRepository.StoredLine
        {
            HospitalId = HospitalId,
            Month = month,
            ProductId = s.Line.Line.ProductId,
            ManufacturerId = s.Line.Line.ManufacturerId,
            Units = s.Line.Line.Units,
            AmountE6 = Storage.Scaled.ToE6(s.Line.Line.Amount, "amount"),
            Classification = (int)s.Line.Classification,
            AgreementId = s.Line.AgreementId,
            Revision = s.Revision,
            ReportedAt = now,
        })).ToList();

    /// <summary>A stored declaration line: bought off the platform, it counts toward no completion (no counted, no surplus units).</summary>
    private static UsageRecord Record(UsageRepository.StoredLine line) =>
        new(line.HospitalId, line.MonthText, line.ProductId, line.ManufacturerId, line.Units, Storage.Scaled.FromE6(line.AmountE6),
            (UsageClassification)line.Classification, line.AgreementId is null ? null : Guid.Parse(line.AgreementId), 0, 0, line.Revision, line.ReportedAt);

    private static readonly string[] CsvColumns = ["product_id", "manufacturer_id", "units", "amount"];

    /// <summary>Reads the upload; a row that does not parse gets its errors, the others their line.</summary>
    private static (List<(int Row, UsageLine? Line)> Lines, List<RowError> Errors) ParseUsageCsv(string csv)
    {
        var lines = new List<(int, UsageLine?)>();
        var errors = new List<RowError>();
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
        };
        using var reader = new CsvReader(new StringReader(csv), configuration);
        try
        {
            if (!reader.Read() || !reader.ReadHeader())
            {
                errors.Add(new RowError(0, "header", ErrorCodes.MalformedFile, $"The file needs a header row: {string.Join(",", CsvColumns)}."));
                return (lines, errors);
            }
            var header = reader.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToList();
            var missing = CsvColumns.Where(c => !header.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                errors.Add(new RowError(0, "header", ErrorCodes.MalformedFile, $"The header lacks {string.Join(", ", missing)}; it needs {string.Join(",", CsvColumns)}."));
                return (lines, errors);
            }
            var row = 0;
            while (reader.Read())
            {
                row++;
                var before = errors.Count;
                var product = reader.GetField("product_id") ?? "";
                var maker = reader.GetField("manufacturer_id") ?? "";
                var unitsText = reader.GetField("units") ?? "";
                var amountText = reader.GetField("amount") ?? "";
                if (!long.TryParse(unitsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var units))
                {
                    errors.Add(new RowError(row, "units", ErrorCodes.InvalidField, $"units must be a whole number, not '{unitsText}'."));
                }
                if (!decimal.TryParse(amountText, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
                {
                    errors.Add(new RowError(row, "amount", ErrorCodes.InvalidField, $"amount must be a number, not '{amountText}'."));
                }
                lines.Add((row, errors.Count > before ? null : new UsageLine(product, maker, units, amount)));
            }
        }
        catch (CsvHelperException ex)
        {
            errors.Add(new RowError(ex.Context?.Parser?.Row ?? 0, "file", ErrorCodes.MalformedFile, $"The file is not valid CSV: {ex.Message.Split('\n')[0]}"));
        }
        return (lines, errors);
    }

    private Hospital RequireHospital() =>
        _hospital ?? throw new ProcurementException(ErrorCodes.NotFound, $"Hospital {HospitalId} is not registered.", "hospitalId");
}
