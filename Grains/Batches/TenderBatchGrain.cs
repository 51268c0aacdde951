using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Serialization.Invocation;
using Procurement.Grains.Agreements;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Hosting;
using Procurement.Grains.Sealing;
using Procurement.Grains.Storage;
using Procurement.Optimizer.RuleSets;
using Procurement.Grains.Awards;
using Procurement.Grains.Bidders;
using Procurement.Grains.Reference;

namespace Procurement.Grains.Batches;

/// <summary>
/// A tender batch. Its phase lives in <c>tender_batches</c>; every transition is a conditional
/// update (from the expected phase only) written with its event. The opening is driven by a
/// reminder, which is durable, so a batch opens on time even across silo restarts. One grain in
/// four files, by concern: this one (definition, phases, reporting, reminders, the view),
/// <c>.Sealing</c> (bids and the opening), <c>.Award</c> and <c>.Publicity</c> (objections,
/// finalising, renewal); it is one idea because the batch is the only writer of its state.
/// The rules are the domain's, plain C# in <c>Domain/</c> (<see cref="BatchLifecycle"/>,
/// <see cref="SealedBidding"/>, <see cref="Objections"/>, <see cref="AwardRequests"/>,
/// <see cref="Renewal"/>, <see cref="BatchDefinitionRules"/>): the grain reads the clock, loads,
/// asks them and saves what they allow.
/// </summary>
/// <remarks>
/// Bid actions interleave with each other (<see cref="MayInterleaveBid"/>): while one bid's write
/// waits for its commit, the next is checked and queued, so the bids of a surge share group
/// commits instead of being written one after another. Each manufacturer's actions still arrive
/// one at a time (its bidder grain is not reentrant), the store's constraints hold the rest, and
/// every phase change goes through <see cref="TransitionAsync"/>, which an interleaved bid waits
/// out before it looks at the phase.
/// </remarks>
[MayInterleave(nameof(MayInterleaveBid))]
public sealed partial class TenderBatchGrain(
    BatchRepository batches,
    BidRepository bids,
    ReferenceRepository reference,
    AwardRepository awards,
    AgreementRepository agreements,
    SealingRepository sealing,
    AuditRepository audit,
    ReportingRepository reporting,
    ConsumableBatchRepository consumables,
    KeyEncryptionKey kek,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock,
    ILogger<TenderBatchGrain> logger) : Grain, ITenderBatchGrain, IRemindable
{
    public const string OpeningReminder = "open-bids";

    /// <summary>
    /// How often the opening reminder ticks until the batch is open: a tick missed while a silo
    /// fails over (the reminder moves to another silo) comes again at most this much later.
    /// </summary>
    public static readonly TimeSpan OpeningReminderPeriod = TimeSpan.FromSeconds(10);

    /// <summary>Moves the batch's agreements along the clock (notices, expiry) once it is Awarded.</summary>
    public const string AgreementReminder = "agreements";

    private StoredBatch? _batch;
    private IReadOnlyDictionary<string, Product> _products = new Dictionary<string, Product>();
    private HashSet<string> _hospitals = [];
    // Kept to log the opening; never shown before it (the view's count is null until then).
    private int _sealedBidCount;

    // The event chain's head published at the opening.
    private ChainHead? _openingChainHead;

    // Bid writes under way: the opening waits for them, so a bid accepted on time is in what it decrypts.
    private readonly HashSet<Task<BidReceipt>> _pendingBids = [];

    // Officers' shares presented at the opening, in memory only, by user name; forgotten at the opening.
    private readonly Dictionary<string, (byte X, byte[] Y)> _presentedShares = new(StringComparer.Ordinal);

    // The batch's opening public key while bidding: every accepted bid is sealed under it.
    private RSA? _openingKey;
    private string? _awardStatus;
    private AwardProgress? _awardProgress;
    private DateTimeOffset? _publicityEnds;

    // The phase change under way, if any: interleaved bids wait for it before they read the phase.
    private Task? _transition;

    private string BatchId => this.GetPrimaryKeyString();

    /// <summary>Only bid actions interleave (with each other and with the awaits of other calls, which they wait out when those change the phase).</summary>
    public static bool MayInterleaveBid(IInvokable request) => request.GetMethodName() == nameof(AcceptBidAsync);

    public override Task OnActivateAsync(CancellationToken cancellationToken) => this.ActivateGuardedAsync(async () =>
    {
        await ReloadAsync();
        if (_batch?.Phase == TenderBatchPhase.Bidding)
        {
            _sealedBidCount = (await bids.ListSealedForBatchAsync(BatchId)).Count(b => b.Status == BidStatus.Active);
            if (await sealing.GetAsync(BatchId) is { } stored)
            {
                _openingKey = OpeningKey.ImportPublic(stored.PublicKey);
            }
            await OpenIfDueAsync(Actor.Scheduler);
        }
        else if (_batch?.Phase >= TenderBatchPhase.Opened)
        {
            _sealedBidCount = await bids.CountOpenedActiveAsync(BatchId);
            _openingChainHead = OpeningHead(await sealing.GetAsync(BatchId));
        }
    });

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _openingKey?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<TenderBatchView> ConfigureAsync(TenderBatchDefinition definition)
    {
        EntityId.Require(BatchId, "batchId");
        BatchDefinitionRules.Validate(definition, ProcurementClock.Now(clock));
        BatchLifecycle.RequireConfigurable(BatchId, _batch?.Phase);
        await batches.SaveDefinitionAsync(BatchId, definition, ProcurementClock.Now(clock), Actor.Current($"alliance:{definition.AllianceId}"));
        await ReloadAsync();
        return View();
    }

    public async Task<TenderBatchView> OpenVolumeReportingAsync()
    {
        await MoveAsync(TenderBatchPhase.Draft, TenderBatchPhase.VolumeReporting, new { });
        return View();
    }

    public async Task<IReadOnlyList<ProductVolumeTotal>> CloseVolumeReportingAsync()
    {
        await MoveAsync(TenderBatchPhase.VolumeReporting, TenderBatchPhase.VolumeReportingClosed, new { });
        return await batches.VolumeTotalsAsync(BatchId);
    }

    public async Task<TenderBatchView> OpenBiddingAsync()
    {
        var batch = RequireBatch();
        var now = ProcurementClock.Now(clock);
        BatchLifecycle.RequireBiddingOpens(BatchId, batch.Phase, batch.Definition.Windows, now);
        // The opening key is made here and stored with the phase change: bids can only arrive once it exists.
        var key = OpeningKey.Create();
        var (stored, shares) = SealOpeningKey(key, batch.Definition.OpeningCommittee, now);
        CryptographicOperations.ZeroMemory(key.PrivateKey);
        await MoveAsync(TenderBatchPhase.VolumeReportingClosed, TenderBatchPhase.Bidding,
            new
            {
                OpeningKeySha256 = Convert.ToHexStringLower(SHA256.HashData(key.PublicKey)),
                Sealing = stored.Mode == SealingModes.Officers ? "officers" : "automatic",
                stored.Threshold,
            },
            with: async (connection, transaction) =>
            {
                await SealingRepository.SaveAsync(connection, transaction, stored);
                await SealingRepository.SaveSharesAsync(connection, transaction, BatchId, shares);
            });
        _openingKey = OpeningKey.ImportPublic(key.PublicKey);
        await ScheduleOpeningAsync();
        return View();
    }

    public async Task<TenderBatchView> OpenBidsAsync()
    {
        var batch = RequireBatch();
        var now = ProcurementClock.Now(clock);
        if (batch.Phase == TenderBatchPhase.Bidding)
        {
            SealedBidding.RequireOpeningDue(BatchId, batch.Definition.Windows, now);
            SealedBidding.RequireReleasable(BatchId, batch.Definition.OpeningCommittee, _presentedShares.Count);
        }
        await OpenAsync(Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        return View();
    }

    public Task<TenderBatchView> GetAsync() => Task.FromResult(View());

    public async Task<ReportingTerms> GetReportingTermsAsync(string hospitalId)
    {
        var batch = RequireBatch();
        var share = batch.Definition.RuleSet.Parameters.TryGetValue(RuleSetCatalog.MinimumShareOfHistory, out var text)
            ? decimal.Parse(text, CultureInfo.InvariantCulture)
            : 0.8m;
        var participating = _hospitals.Contains(hospitalId);
        return new ReportingTerms(
            batch.Phase,
            participating,
            batch.Definition.Products.Select(p => p.ProductId).ToList(),
            batch.Definition.Windows.ReportingCloses,
            share)
        {
            ConsumableCategories = batch.Definition.Consumables?.Categories ?? [],
            RenewalFloors = batch.RenewalOf is not null && batch.Definition.Consumables is not null && participating
                ? await batches.ConsumableRenewalFloorsOfHospitalAsync(BatchId, hospitalId)
                : new Dictionary<string, long>(),
        };
    }

    public async Task<ConsumableDemand> GetConsumableDemandAsync()
    {
        var batch = RequireBatch();
        var terms = batch.Definition.Consumables
            ?? throw new ProcurementException(ErrorCodes.ConsumableCategoryNotInBatch, $"Batch {BatchId} is not a consumables batch; it has no categories.", "batchId");
        return ConsumableDemandTotals.Of(BatchId, batch.Phase, terms.Categories, await consumables.GetIntentionsAsync(BatchId, null));
    }

    public async Task<ConsumableDemand> GetConsumableDemandTotalsAsync()
    {
        var batch = RequireBatch();
        var terms = batch.Definition.Consumables
            ?? throw new ProcurementException(ErrorCodes.ConsumableCategoryNotInBatch, $"Batch {BatchId} is not a consumables batch; it has no categories.", "batchId");
        return ConsumableDemandTotals.OfFirmTotals(BatchId, batch.Phase, terms.Categories, await consumables.GetFirmTotalsAsync(BatchId));
    }

    public async Task<ConsumableDemandPage> GetConsumableDemandPageAsync(ConsumableDemandPageRequest request)
    {
        var batch = RequireBatch();
        var terms = batch.Definition.Consumables
            ?? throw new ProcurementException(ErrorCodes.ConsumableCategoryNotInBatch, $"Batch {BatchId} is not a consumables batch; it has no categories.", "batchId");
        var after = ConsumableDemandPaging.Check(BatchId, terms, request);
        var (rows, total) = await consumables.GetIntentionsPageAsync(BatchId, request.CategoryId, after, request.Limit + 1);
        // One row past the limit says whether a next page exists without a second count.
        var page = rows.Count > request.Limit ? rows.Take(request.Limit).ToList() : rows;
        var next = rows.Count > request.Limit ? ConsumableDemandPaging.CursorOf(page[^1]) : null;
        return new ConsumableDemandPage(BatchId, batch.Phase, request.CategoryId, total, page, next);
    }

    public async Task<ReportingProgress> GetReportingProgressAsync()
    {
        var batch = RequireBatch();
        var products = await batches.VolumeTotalsAsync(BatchId);
        return await reporting.ProgressAsync(BatchId, batch.Phase, products);
    }

    public async Task<ReportingReminder> RemindHospitalsToReportAsync()
    {
        var batch = RequireBatch();
        BatchLifecycle.RequireRemindable(BatchId, batch.Phase);
        var now = ProcurementClock.Now(clock);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, agreementOptions.Value.Zone()).DateTime);
        var closes = TimeZoneInfo.ConvertTime(batch.Definition.Windows.ReportingCloses, agreementOptions.Value.Zone());
        // A consumables batch is reported by brand intention; one may list drug products besides.
        var what = (batch.Definition.Consumables, batch.Definition.Products.Count) switch
        {
            (null, _) => "report your annual volumes",
            (_, 0) => "state your brand intentions",
            _ => "report your annual volumes and state your brand intentions",
        };
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Please {what} for batch {batch.Definition.Name} ({BatchId}) before {closes:yyyy-MM-dd HH:mm}.");
        return await reporting.RemindAsync(BatchId, message, day, now, Actor.Current($"alliance:{batch.Definition.AllianceId}"));
    }

    private async Task StopReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private const string AwardRunningStatus = "running";

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == AgreementReminder)
        {
            await AdvanceAgreementsAsync();
            return;
        }
        if (reminderName != OpeningReminder)
        {
            return;
        }
        await OpenIfDueAsync(Actor.Scheduler);
        if (_batch is null || _batch.Phase >= TenderBatchPhase.Opened)
        {
            var reminder = await this.GetReminder(OpeningReminder);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }
        }
    }

    public async Task AdvanceAgreementsAsync()
    {
        if (_batch?.Phase != TenderBatchPhase.Awarded)
        {
            await StopReminderAsync(AgreementReminder);
            return;
        }
        var next = await agreements.AdvanceAsync(BatchId, ProcurementClock.Now(clock), Actor.Scheduler);
        if (next is null)
        {
            logger.LogInformation("Every agreement of batch {BatchId} has ended; its agreement reminder stops.", BatchId);
            await StopReminderAsync(AgreementReminder);
        }
    }

    private async Task ScheduleOpeningAsync()
    {
        var due = SealedBidding.OpeningReminderDue(RequireBatch().Definition.Windows) - ProcurementClock.Now(clock);
        await this.RegisterOrUpdateReminder(OpeningReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, OpeningReminderPeriod);
    }

    private Task MoveAsync(
        TenderBatchPhase from, TenderBatchPhase to, object details, string? actor = null,
        Func<DbConnection, DbTransaction, Task>? with = null, Func<WriteContext, Task>? then = null, DateTimeOffset? at = null) =>
        TransitionAsync(async () =>
        {
            var batch = RequireBatch();
            BatchLifecycle.RequireMove(BatchId, batch.Phase, from, to);
            await batches.ChangePhaseAsync(BatchId, from, to, at ?? ProcurementClock.Now(clock), actor ?? Actor.Current($"alliance:{batch.Definition.AllianceId}"), details, with, then);
            await ReloadAsync();
        });

    /// <summary>
    /// Runs a phase change alone: one at a time (two bids arriving at the opening time both find
    /// it due; the second waits and then finds the batch opened), and seen by interleaved bids only
    /// once it is done.
    /// </summary>
    private async Task TransitionAsync(Func<Task> change)
    {
        while (_transition is { } running)
        {
            await running;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _transition = done.Task;
        try
        {
            await change();
        }
        finally
        {
            _transition = null;
            done.SetResult();
        }
    }

    private async Task ReloadAsync()
    {
        _batch = await batches.LoadAsync(BatchId);
        if (_batch is not null)
        {
            _products = await reference.GetProductsAsync(_batch.Definition.Products.Select(p => p.ProductId).ToList());
            _hospitals = _batch.Definition.HospitalIds.ToHashSet(StringComparer.Ordinal);
            if (_batch.Phase >= TenderBatchPhase.Publicity && await awards.GetAsync(BatchId) is { } award)
            {
                _publicityEnds = BatchLifecycle.PublicityEnds(award.ProposedAt, _batch.Definition.Windows.PublicityDays);
            }
        }
    }

    private static ChainHead? OpeningHead(BatchSealing? stored) =>
        stored is { OpeningChainLength: { } length, OpeningChainEventId: { } eventId, OpeningChainHash: { } hash } ? new ChainHead(length, eventId, hash) : null;

    private StoredBatch RequireBatch() =>
        _batch ?? throw new ProcurementException(ErrorCodes.NotConfigured, $"Batch {BatchId} has not been configured.", "batchId");

    private TenderBatchView View()
    {
        var batch = RequireBatch();
        return new TenderBatchView(BatchId, batch.Phase, batch.Definition, [], batch.Phase >= TenderBatchPhase.Opened ? _sealedBidCount : null, batch.OpenedAt, _awardStatus, _publicityEnds, _awardProgress)
        {
            RenewalOf = batch.RenewalOf,
            OpeningChainHead = _openingChainHead,
        };
    }
}
