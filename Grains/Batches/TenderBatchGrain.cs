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
using Procurement.Grains.Hosting;
using Procurement.Grains.Sealing;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Checking;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Grains.Batches;

/// <summary>
/// A tender batch. Its phase lives in <c>tender_batches</c>; every transition is a conditional
/// update (from the expected phase only) written with its event. The opening is driven by a
/// reminder, which is durable, so a batch opens on time even across silo restarts.
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
public sealed class TenderBatchGrain(
    BatchRepository batches,
    BidRepository bids,
    ReferenceRepository reference,
    AwardRepository awards,
    AgreementRepository agreements,
    SealingRepository sealing,
    AuditRepository audit,
    ReportingRepository reporting,
    KeyEncryptionKey kek,
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock,
    ILogger<TenderBatchGrain> logger) : Grain, ITenderBatchGrain, IRemindable
{
    public const string OpeningReminder = "open-bids";

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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
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
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _openingKey?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<TenderBatchView> ConfigureAsync(TenderBatchDefinition definition)
    {
        EntityId.Require(BatchId, "batchId");
        Validate(definition, ProcurementClock.Now(clock));
        if (_batch is { Phase: not TenderBatchPhase.Draft })
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {_batch.Phase}; it can only be configured in Draft.");
        }
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
        if (batch.Phase == TenderBatchPhase.VolumeReportingClosed && now > batch.Definition.Windows.BiddingDeadline)
        {
            throw new ProcurementException(
                ErrorCodes.DeadlinePassed,
                $"The bidding deadline {batch.Definition.Windows.BiddingDeadline:O} has passed; bidding cannot open.",
                "windows.biddingDeadline");
        }
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
        if (batch.Phase == TenderBatchPhase.Bidding && !IsOpeningDue(batch, now))
        {
            throw new ProcurementException(
                ErrorCodes.OpeningNotDue,
                $"Bids of batch {BatchId} open at {batch.Definition.Windows.OpeningTime:O}, after the deadline {batch.Definition.Windows.BiddingDeadline:O}; it is {now:O}.");
        }
        if (batch.Phase == TenderBatchPhase.Bidding && !CanRelease(batch))
        {
            throw new ProcurementException(
                ErrorCodes.OpeningSharesRequired,
                $"Batch {BatchId} is opened by {batch.Definition.OpeningCommittee!.Threshold} of its {batch.Definition.OpeningCommittee.Officers.Count} opening officers; {_presentedShares.Count} presented a share.");
        }
        await OpenAsync(Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        return View();
    }

    public Task<TenderBatchView> GetAsync() => Task.FromResult(View());

    public Task<ReportingTerms> GetReportingTermsAsync(string hospitalId)
    {
        var batch = RequireBatch();
        var share = batch.Definition.RuleSet.Parameters.TryGetValue(RuleSetCatalog.MinimumShareOfHistory, out var text)
            ? decimal.Parse(text, CultureInfo.InvariantCulture)
            : 0.8m;
        return Task.FromResult(new ReportingTerms(
            batch.Phase,
            _hospitals.Contains(hospitalId),
            batch.Definition.Products.Select(p => p.ProductId).ToList(),
            batch.Definition.Windows.ReportingCloses,
            share));
    }

    public async Task<ReportingProgress> GetReportingProgressAsync()
    {
        var batch = RequireBatch();
        var products = await batches.VolumeTotalsAsync(BatchId);
        var (regions, hospitals, lastReminder) = await reporting.ProgressAsync(BatchId);
        return new ReportingProgress(BatchId, batch.Phase, products, regions, hospitals, lastReminder);
    }

    public async Task<ReportingReminder> RemindHospitalsToReportAsync()
    {
        var batch = RequireBatch();
        if (batch.Phase != TenderBatchPhase.VolumeReporting)
        {
            throw new ProcurementException(ErrorCodes.ReportingClosed, $"Batch {BatchId} is in {batch.Phase}; reminders go out while volume reporting is open.", "batchId");
        }
        var now = ProcurementClock.Now(clock);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, agreementOptions.Value.Zone()).DateTime);
        var closes = TimeZoneInfo.ConvertTime(batch.Definition.Windows.ReportingCloses, agreementOptions.Value.Zone());
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Please report your annual volumes for batch {batch.Definition.Name} ({BatchId}) before {closes:yyyy-MM-dd HH:mm}.");
        return await reporting.RemindAsync(BatchId, message, day, now, Actor.Current($"alliance:{batch.Definition.AllianceId}"));
    }

    public async Task<BidReceipt> AcceptBidAsync(BidCommand command)
    {
        // The receipt time is taken first: the deadline applies to when the bid reached the batch.
        var receivedAt = ProcurementClock.Now(clock);
        while (_transition is { } transition)
        {
            await transition;
        }
        if (_batch is { Phase: TenderBatchPhase.Bidding } due && IsOpeningDue(due, receivedAt))
        {
            await OpenIfDueAsync(Actor.Scheduler);
        }
        // From here to the write's start nothing awaits, so no phase change can begin unseen: the
        // opening waits for the writes in _pendingBids before it reads the sealed bids.
        var batch = RequireBatch();
        var windows = batch.Definition.Windows;
        if (batch.Phase != TenderBatchPhase.Bidding)
        {
            throw batch.Phase > TenderBatchPhase.Bidding
                ? new ProcurementException(ErrorCodes.DeadlinePassed, $"Bidding for batch {BatchId} closed at {windows.BiddingDeadline:O}.")
                : new ProcurementException(ErrorCodes.BiddingNotOpen, $"Batch {BatchId} is in {batch.Phase}; bidding is not open.");
        }
        if (receivedAt > windows.BiddingDeadline)
        {
            throw new ProcurementException(
                ErrorCodes.DeadlinePassed,
                $"The bid reached the server at {receivedAt:O}, after the deadline {windows.BiddingDeadline:O}.");
        }
        var canonical = command.Action == BidAction.Withdrawn
            ? BidCanonicalForm.WithdrawalText(command.ManufacturerId, command.Content.BatchId, command.Content.ProductId, command.BidId)
            : BidCanonicalForm.Text(command.ManufacturerId, ValidateBid(command));
        var write = bids.RecordAsync(command, Seal(command, canonical), receivedAt);
        _pendingBids.Add(write);
        BidReceipt receipt;
        try
        {
            receipt = await write;
        }
        finally
        {
            _pendingBids.Remove(write);
        }
        _sealedBidCount += command.Action switch
        {
            BidAction.Submitted => 1,
            BidAction.Withdrawn => -1,
            _ => 0,
        };
        return receipt;
    }

    public Task<TenderBatchView> RunAwardAsync(AwardRequest request)
    {
        var batch = RequireBatch();
        Check.NotNull(request, "request");
        if (request.Mode is not (AwardModes.RankedPick or AwardModes.CostOptimal or AwardModes.Hospital))
        {
            throw ProcurementException.Invalid("mode", $"mode must be {AwardModes.RankedPick}, {AwardModes.CostOptimal} or {AwardModes.Hospital}, not '{request.Mode}'.");
        }
        Check.NotNull(request.RegionBudgets, "regionBudgets");
        foreach (var (region, budget) in request.RegionBudgets)
        {
            if (!batch.Definition.RegionCodes.Contains(region))
            {
                throw ProcurementException.Invalid($"regionBudgets.{region}", $"Region '{region}' is not a region of batch {BatchId}.");
            }
            if (budget < 0)
            {
                throw ProcurementException.Invalid($"regionBudgets.{region}", "A budget must not be negative.");
            }
        }
        if (request.TimeLimitSeconds is < 1 or > 3600)
        {
            throw ProcurementException.Invalid("timeLimitSeconds", "timeLimitSeconds must be from 1 to 3600.");
        }
        if (batch.Phase != TenderBatchPhase.Opened)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {batch.Phase}; it is awarded only when Opened.");
        }
        if (_awardStatus == AwardRunningStatus)
        {
            throw new ProcurementException(ErrorCodes.AwardRunning, $"The award of batch {BatchId} is already running.");
        }
        _awardStatus = AwardRunningStatus;
        _awardProgress = null;
        // Not awaited: the worker reports back through AwardCompletedAsync, so this grain keeps answering meanwhile.
        _ = StartWorkerAsync(request, Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        return Task.FromResult(View());
    }

    public Task<IReadOnlyList<AwardVariant>> CompareAwardsAsync(AwardComparisonRequest request)
    {
        var batch = RequireBatch();
        Check.NotNull(request, "request");
        Check.NotNull(request.Modes, "modes");
        if (request.Modes.Count == 0)
        {
            throw ProcurementException.Required("modes");
        }
        foreach (var mode in request.Modes)
        {
            if (mode is not (AwardModes.RankedPick or AwardModes.CostOptimal or AwardModes.Hospital))
            {
                throw ProcurementException.Invalid("modes", $"A mode is {AwardModes.RankedPick}, {AwardModes.CostOptimal} or {AwardModes.Hospital}, not '{mode}'.");
            }
        }
        if (request.WhatIfRuleSet is { } whatIf && !RuleSetCatalog.Names.Contains(whatIf))
        {
            throw ProcurementException.Invalid("whatIfRuleSet", $"whatIfRuleSet must be one of {string.Join(", ", RuleSetCatalog.Names)}, not '{whatIf}'.");
        }
        Check.NotNull(request.RegionBudgets, "regionBudgets");
        foreach (var (region, budget) in request.RegionBudgets)
        {
            if (!batch.Definition.RegionCodes.Contains(region))
            {
                throw ProcurementException.Invalid($"regionBudgets.{region}", $"Region '{region}' is not a region of batch {BatchId}.");
            }
            if (budget < 0)
            {
                throw ProcurementException.Invalid($"regionBudgets.{region}", "A budget must not be negative.");
            }
        }
        if (request.TimeLimitSeconds is < 1 or > 600)
        {
            throw ProcurementException.Invalid("timeLimitSeconds", "timeLimitSeconds must be from 1 to 600.");
        }
        if (batch.Phase < TenderBatchPhase.Opened)
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
                if (award.Check.Verdict != AwardCheck.Passed)
                {
                    throw new ProcurementException(ErrorCodes.InvalidTransition,
                        $"Award {award.AwardId} has the checker's verdict '{award.Check.Verdict}', not '{AwardCheck.Passed}'; it was not published.");
                }
                if (batch.Phase != TenderBatchPhase.Opened)
                {
                    throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {batch.Phase}, no longer Opened; the award was not published.");
                }
                await batches.ProposeAwardAsync(BatchId, award, AwardCheck.Passed);
                _batch = batch with { Phase = TenderBatchPhase.Publicity };
                _publicityEnds = award.ProposedAt.AddDays(batch.Definition.Windows.PublicityDays);
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

    public async Task<Objection> FileObjectionAsync(string manufacturerId, string text)
    {
        RequirePublicityOpen();
        // One open objection per bidder: a second waits for the answer to the first (objections name no product).
        if ((await awards.ListObjectionsAsync(BatchId)).Any(o => o.ManufacturerId == manufacturerId && o.Answer is null))
        {
            throw new ProcurementException(ErrorCodes.ObjectionAlreadyOpen,
                $"Manufacturer {manufacturerId} has an unanswered objection in batch {BatchId}; file another once it is answered.", "text");
        }
        return await awards.FileObjectionAsync(BatchId, Check.Id(manufacturerId, "manufacturerId"), Check.Text(text, "text", 4000),
            ProcurementClock.Now(clock), Actor.Current($"manufacturer:{manufacturerId}"));
    }

    public async Task<Objection> AnswerObjectionAsync(Guid objectionId, string answer)
    {
        var batch = RequireBatch();
        if (batch.Phase != TenderBatchPhase.Publicity)
        {
            throw new ProcurementException(ErrorCodes.NotInPublicity, $"Batch {BatchId} is in {batch.Phase}; objections are answered during publicity.");
        }
        return await awards.AnswerObjectionAsync(BatchId, objectionId, Check.Text(answer, "answer", 4000),
            ProcurementClock.Now(clock), Actor.Current($"alliance:{batch.Definition.AllianceId}"));
    }

    public Task<IReadOnlyList<Objection>> ListObjectionsAsync() => awards.ListObjectionsAsync(BatchId);

    public async Task<TenderBatchView> FinaliseAsync(DateOnly? agreementsStart = null)
    {
        var batch = RequireBatch();
        var now = ProcurementClock.Now(clock);
        var zone = agreementOptions.Value.Zone();
        var currentMonth = Months.Of(now, zone);
        var startMonth = currentMonth + 1;
        if (agreementsStart is { } start)
        {
            if (start.Day != 1)
            {
                throw ProcurementException.Invalid("agreementsStart", $"Agreements start on the first day of a month, not {start:yyyy-MM-dd}.");
            }
            startMonth = Months.Of(start);
            if (startMonth < currentMonth || startMonth > currentMonth + 12)
            {
                throw ProcurementException.Invalid("agreementsStart", $"agreementsStart must be from this month to a year ahead, not {start:yyyy-MM-dd}.");
            }
        }
        if (batch.Phase != TenderBatchPhase.Publicity)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is not in Publicity; it cannot be finalised.");
        }
        if (now < _publicityEnds)
        {
            throw new ProcurementException(ErrorCodes.PublicityNotOver, $"The publicity period of batch {BatchId} ends at {_publicityEnds:O}.");
        }
        // The reminder is registered before the transaction: should the silo stop right after the
        // commit, the agreements still have their clock. A tick on a batch that is not Awarded ends it.
        await this.RegisterOrUpdateReminder(AgreementReminder, agreementOptions.Value.CheckPeriod, agreementOptions.Value.CheckPeriod);
        var actor = Actor.Current($"alliance:{batch.Definition.AllianceId}");
        try
        {
            // The award is final and the agreements are made in the transaction that moves the phase.
            await MoveAsync(TenderBatchPhase.Publicity, TenderBatchPhase.Awarded, new { }, actor,
                with: (connection, transaction) => AwardRepository.RequireObjectionsAnsweredAsync(connection, transaction, BatchId),
                then: async (connection, transaction) =>
                {
                    await AwardRepository.FinaliseAsync(connection, transaction, BatchId, now);
                    await agreements.CreateFromAwardAsync(connection, transaction, BatchId, startMonth, batch.Definition.AgreementMonths, now, actor);
                },
                at: now);
        }
        catch
        {
            // A failure after the commit (the reply lost) must not stop the agreements' clock.
            await ReloadAsync();
            if (_batch?.Phase != TenderBatchPhase.Awarded)
            {
                await StopReminderAsync(AgreementReminder);
            }
            throw;
        }
        return View();
    }

    public Task<IReadOnlyList<Agreement>> ListAgreementsAsync() => agreements.ListAsync(BatchId);

    public async Task<TenderBatchView> CreateRenewalAsync(RenewalRequest request)
    {
        var batch = RequireBatch();
        Check.NotNull(request, "request");
        var renewalId = Check.Id(request.BatchId, "batchId");
        if (renewalId == BatchId)
        {
            throw ProcurementException.Invalid("batchId", "The renewal batch needs an id of its own.");
        }
        var current = await agreements.ListAsync(BatchId);
        if (batch.Phase != TenderBatchPhase.Awarded || !current.Any(a => a.State == AgreementState.Expiring))
        {
            throw new ProcurementException(ErrorCodes.NotExpiring, $"Batch {BatchId} has no expiring agreements; a renewal starts from an expiring batch.");
        }
        // The agreements to continue: the newest version in each product and region that still runs or ran to its end.
        var continued = current
            .Where(a => a.State is AgreementState.Expiring or AgreementState.Active or AgreementState.Suspended)
            .GroupBy(a => (a.ProductId, a.RegionCode))
            .Select(g => g.OrderByDescending(a => a.Version).First())
            .ToList();
        var products = batch.Definition.Products
            .Where(p => continued.Any(a => a.ProductId == p.ProductId))
            .Select(p => new BatchProduct(p.ProductId, continued.Where(a => a.ProductId == p.ProductId).Max(a => a.UnitPrice)))
            .ToList();
        var definition = batch.Definition with
        {
            Name = request.Name,
            Products = products,
            Windows = request.Windows,
            AgreementMonths = request.AgreementMonths,
        };
        var now = ProcurementClock.Now(clock);
        Validate(definition, now);
        await batches.SaveRenewalAsync(renewalId, BatchId, definition, continued, now, Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        return await GrainFactory.GetGrain<ITenderBatchGrain>(renewalId).GetAsync();
    }

    private async Task StopReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private const string AwardRunningStatus = "running";

    private void RequirePublicityOpen()
    {
        var batch = RequireBatch();
        if (batch.Phase != TenderBatchPhase.Publicity || ProcurementClock.Now(clock) > _publicityEnds)
        {
            throw new ProcurementException(ErrorCodes.NotInPublicity, $"Batch {BatchId} is not in its publicity period; objections are not accepted.");
        }
    }

    public Task<IReadOnlyList<SealedBid>> ListSealedBidsAsync()
    {
        var batch = RequireBatch();
        if (batch.Phase < TenderBatchPhase.Opened)
        {
            throw new ProcurementException(
                ErrorCodes.BidsSealed,
                $"Bids of batch {BatchId} are sealed until the opening at {batch.Definition.Windows.OpeningTime:O}; until then nobody sees whether any were made.");
        }
        return bids.ListSealedForBatchAsync(BatchId);
    }

    public async Task<IReadOnlyList<OpenedBid>> GetOpenedBidsAsync()
    {
        var batch = RequireBatch();
        if (batch.Phase < TenderBatchPhase.Opened)
        {
            throw new ProcurementException(
                ErrorCodes.BidsSealed,
                $"Bids of batch {BatchId} are sealed until the opening at {batch.Definition.Windows.OpeningTime:O}.");
        }
        var rows = await bids.ListActiveWithContentAsync(BatchId);
        return rows.Select(r =>
        {
            var content = r.Bid.ToContent(r.Regions);
            var unitPrice = ComparablePrice.Of(_products[content.ProductId], content.SpecificationCode, content.PricePerPack, batch.Definition.RuleSet.Conversion);
            return new OpenedBid(Guid.Parse(r.Bid.BidId), r.Bid.ManufacturerId, r.Bid.BidderGroup, content, unitPrice, r.Bid.Version, r.Bid.ReceivedAt, r.Bid.ContentSha256, r.Bid.ReceiptNonce ?? "");
        }).ToList();
    }

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

    private async Task OpenIfDueAsync(string actor)
    {
        while (_transition is { } running)
        {
            await running;
        }
        if (_batch is { Phase: TenderBatchPhase.Bidding } batch && IsOpeningDue(batch, ProcurementClock.Now(clock)) && CanRelease(batch))
        {
            await OpenAsync(actor);
        }
    }

    /// <summary>
    /// The opening is due at the opening time, and only once the deadline has passed: a bid
    /// received exactly at the deadline is on time, also when the opening time equals the deadline.
    /// </summary>
    private static bool IsOpeningDue(StoredBatch batch, DateTimeOffset at) =>
        at >= batch.Definition.Windows.OpeningTime && at > batch.Definition.Windows.BiddingDeadline;

    /// <summary>
    /// Opens the bids: unwraps the batch's opening key, decrypts every sealed action, checks each
    /// against its row (bidder, batch, product) and its receipt's commitment, and writes the opened
    /// record with the phase change in one transaction. One envelope that does not open or does
    /// not match its commitment stops the opening (<c>SEAL_BROKEN</c>): the record was altered.
    /// </summary>
    private async Task OpenAsync(string actor)
    {
        IReadOnlyList<OpenedAction> opened = [];
        await TransitionAsync(async () =>
        {
            var batch = RequireBatch();
            if (batch.Phase != TenderBatchPhase.Bidding)
            {
                throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {batch.Phase}; it opens only from Bidding.");
            }
            foreach (var pending in _pendingBids.ToList())
            {
                // A write that failed was refused to its bidder and sealed nothing.
                await ((Task)pending).ContinueWith(static _ => { }, TaskScheduler.Current);
            }
            opened = await UnsealAsync();
            var now = ProcurementClock.Now(clock);
            // The log's head as the bids open fixes every bid action recorded before it; it is published with the opening.
            var head = await audit.HeadAsync();
            await batches.ChangePhaseAsync(BatchId, TenderBatchPhase.Bidding, TenderBatchPhase.Opened, now, actor,
                new
                {
                    ActiveBids = opened.GroupBy(a => a.Action.BidId).Count(g => g.MaxBy(a => a.Action.Version)!.Content is not null),
                    OpenedActions = opened.Count,
                    EventChainHead = head,
                },
                async (connection, transaction) =>
                {
                    await BidRepository.WriteOpenedAsync(connection, transaction, BatchId, opened);
                    await SealingRepository.MarkOpenedAsync(connection, transaction, BatchId, now, head);
                });
            await ReloadAsync();
        });
        var bidCount = opened.Select(a => a.Action.BidId).Distinct().Count();
        foreach (var (_, y) in _presentedShares.Values)
        {
            CryptographicOperations.ZeroMemory(y);
        }
        _presentedShares.Clear();
        _openingKey?.Dispose();
        _openingKey = null;
        _sealedBidCount = await bids.CountOpenedActiveAsync(BatchId);
        _openingChainHead = OpeningHead(await sealing.GetAsync(BatchId));
        logger.LogInformation("Batch {BatchId} opened at {OpenedAt:O} with {Count} active bid(s) ({Actions} sealed actions of {Bids} bids decrypted); event chain head {EventId}:{Hash}.",
            BatchId, _batch!.OpenedAt, _sealedBidCount, opened.Count, bidCount, _openingChainHead?.EventId, _openingChainHead?.Hash);
    }

    private async Task<IReadOnlyList<OpenedAction>> UnsealAsync()
    {
        var actions = await bids.ListSealedActionsAsync(BatchId);
        // The chained event log names every accepted action: a sealed row deleted (a rival's bid made
        // to vanish) or added without its event stops the opening like an altered one.
        var recorded = (await bids.ListRecordedActionsAsync(BatchId)).ToHashSet();
        var sealedRows = actions.Select(a => (a.BidId, a.Version)).ToHashSet();
        if (recorded.Except(sealedRows).OrderBy(r => r.BidId, StringComparer.Ordinal).FirstOrDefault() is { BidId: not null } missing)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {missing.Version} of bid {missing.BidId} is in the event log but its sealed record is gone: the store was altered.");
        }
        if (sealedRows.Except(recorded).OrderBy(r => r.BidId, StringComparer.Ordinal).FirstOrDefault() is { BidId: not null } extra)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {extra.Version} of bid {extra.BidId} is sealed but was never recorded in the event log: the store was altered.");
        }
        if (actions.Count == 0)
        {
            return [];
        }
        var stored = await sealing.GetAsync(BatchId)
            ?? throw new ProcurementException(ErrorCodes.SealBroken, $"Batch {BatchId} has sealed bids but no opening key.");
        if (stored.KekId != kek.Id)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"The receipts and opening key of batch {BatchId} are wrapped under key-encryption key {stored.KekId}; this silo has {kek.Id} (Sealing:KeyFile).");
        }
        byte[] privateKey;
        try
        {
            if (stored.Mode == SealingModes.Officers)
            {
                var secret = Shamir.Combine(_presentedShares.Values.ToList());
                try
                {
                    privateKey = Aead.Open(secret, stored.WrappedPrivateKey, OpeningKey.AssociatedData(BatchId));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(secret);
                }
            }
            else
            {
                privateKey = kek.Unwrap(OpeningKeyPurpose, stored.WrappedPrivateKey, OpeningKey.AssociatedData(BatchId));
            }
        }
        catch (CryptographicException)
        {
            throw new ProcurementException(ErrorCodes.SealBroken, $"The opening key of batch {BatchId} does not unwrap: the stored key was altered.");
        }
        using var key = OpeningKey.ImportPrivate(privateKey);
        CryptographicOperations.ZeroMemory(privateKey);
        var opened = new List<OpenedAction>(actions.Count);
        foreach (var action in actions)
        {
            opened.Add(Unseal(key, action));
        }
        return opened;
    }

    private OpenedAction Unseal(RSA key, SealedAction action)
    {
        var bidId = Guid.Parse(action.BidId);
        string canonical;
        string nonce;
        try
        {
            canonical = BidEnvelope.Open(key, action.Envelope, BidEnvelope.AssociatedData(bidId, action.ManufacturerId, action.ClientRequestId, BatchId));
            nonce = Convert.ToHexStringLower(kek.Unwrap(ReceiptNoncePurpose, action.WrappedNonce, ReceiptNonceData(action.ManufacturerId, action.ClientRequestId)));
        }
        catch (CryptographicException)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {action.Version} of bid {action.BidId} does not decrypt: its stored envelope or nonce was altered or moved.");
        }
        if (BidCanonicalForm.Commitment(nonce, canonical) != action.Commitment)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {action.Version} of bid {action.BidId} does not match its receipt's commitment.");
        }
        BidContent? content = null;
        if ((BidAction)action.Action == BidAction.Withdrawn)
        {
            if (canonical != BidCanonicalForm.WithdrawalText(action.ManufacturerId, action.BatchId, action.ProductId, bidId))
            {
                throw new ProcurementException(ErrorCodes.SealBroken, $"The withdrawal of bid {action.BidId} does not name that bid.");
            }
        }
        else
        {
            var (manufacturerId, parsed) = BidCanonicalForm.Parse(canonical);
            if (manufacturerId != action.ManufacturerId || parsed.BatchId != BatchId || parsed.ProductId != action.ProductId)
            {
                throw new ProcurementException(ErrorCodes.SealBroken, $"Version {action.Version} of bid {action.BidId} is sealed for another bidder, batch or product.");
            }
            content = parsed;
        }
        return new OpenedAction(action, canonical, nonce, content);
    }

    private async Task ScheduleOpeningAsync()
    {
        var windows = RequireBatch().Definition.Windows;
        var opening = windows.OpeningTime > windows.BiddingDeadline ? windows.OpeningTime : windows.BiddingDeadline.AddMilliseconds(1);
        var due = opening - ProcurementClock.Now(clock);
        await this.RegisterOrUpdateReminder(OpeningReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, TimeSpan.FromMinutes(1));
    }

    private Task MoveAsync(
        TenderBatchPhase from, TenderBatchPhase to, object details, string? actor = null,
        Func<DbConnection, DbTransaction, Task>? with = null, Func<DbConnection, DbTransaction, Task>? then = null, DateTimeOffset? at = null) =>
        TransitionAsync(async () =>
        {
            var batch = RequireBatch();
            if (batch.Phase != from)
            {
                throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {batch.Phase}; it moves to {to} only from {from}.");
            }
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
                _publicityEnds = award.ProposedAt.AddDays(_batch.Definition.Windows.PublicityDays);
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

    /// <summary>
    /// Wraps the new opening key's private half: under the key-encryption key (automatic), or
    /// under a fresh secret split k of n among the opening officers, each share encrypted to its
    /// officer's public key with RSA-OAEP-SHA256 and then forgotten here.
    /// </summary>
    private (BatchSealing Stored, List<(int Position, byte[] EncryptedShare, string ShareSha256)> Shares) SealOpeningKey(
        OpeningKey key, OpeningCommittee? committee, DateTimeOffset now)
    {
        var stored = new BatchSealing { BatchId = BatchId, PublicKey = key.PublicKey, KekId = kek.Id, CreatedAt = now };
        if (committee is null)
        {
            return (stored with
            {
                Mode = SealingModes.Automatic,
                WrappedPrivateKey = kek.Wrap(OpeningKeyPurpose, key.PrivateKey, OpeningKey.AssociatedData(BatchId)),
            }, []);
        }
        var secret = RandomNumberGenerator.GetBytes(32);
        try
        {
            var shares = new List<(int, byte[], string)>();
            foreach (var (x, y) in Shamir.Split(secret, committee.Officers.Count, committee.Threshold))
            {
                var text = OpeningShareText.Format(BatchId, x, y);
                CryptographicOperations.ZeroMemory(y);
                using var officer = RSA.Create();
                officer.ImportFromPem(committee.Officers[x - 1].PublicKeyPem);
                shares.Add((x, officer.Encrypt(System.Text.Encoding.UTF8.GetBytes(text), RSAEncryptionPadding.OaepSHA256), OpeningShareText.Sha256(text)));
            }
            return (stored with
            {
                Mode = SealingModes.Officers,
                Threshold = committee.Threshold,
                WrappedPrivateKey = Aead.Seal(secret, key.PrivateKey, OpeningKey.AssociatedData(BatchId)),
            }, shares);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public async Task<EncryptedOpeningShare> GetOpeningShareAsync(string userName)
    {
        var batch = RequireBatch();
        var committee = RequireCommittee(batch);
        var share = await sealing.GetShareAsync(BatchId, Check.Id(userName, "userName"));
        if (share is null)
        {
            throw new ProcurementException(ErrorCodes.Forbidden, $"{userName} is not an opening officer of batch {BatchId}.", "userName");
        }
        if (share.EncryptedShare is null)
        {
            throw new ProcurementException(ErrorCodes.BiddingNotOpen, $"The shares of batch {BatchId} are made when bidding opens; it is in {batch.Phase}.");
        }
        return new EncryptedOpeningShare(BatchId, share.UserName, share.Position, committee.Threshold, committee.Officers.Count, Convert.ToBase64String(share.EncryptedShare));
    }

    public async Task<OpeningSharesStatus> PresentOpeningShareAsync(string userName, string share)
    {
        var batch = RequireBatch();
        var committee = RequireCommittee(batch);
        var now = ProcurementClock.Now(clock);
        if (batch.Phase != TenderBatchPhase.Bidding)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {batch.Phase}; shares open a batch in Bidding.");
        }
        // Shares are taken only once the opening is due, so k of them never sit in memory before it.
        if (!IsOpeningDue(batch, now))
        {
            throw new ProcurementException(ErrorCodes.OpeningNotDue,
                $"Shares are presented at the opening, {batch.Definition.Windows.OpeningTime:O}, after the deadline {batch.Definition.Windows.BiddingDeadline:O}; it is {now:O}.");
        }
        var stored = await sealing.GetShareAsync(BatchId, Check.Id(userName, "userName"))
            ?? throw new ProcurementException(ErrorCodes.Forbidden, $"{userName} is not an opening officer of batch {BatchId}.", "userName");
        var text = Check.Text(share, "share", 1000).Trim();
        if (!OpeningShareText.TryParse(text, out var batchId, out var x, out var y)
            || batchId != BatchId || x != stored.Position || OpeningShareText.Sha256(text) != stored.ShareSha256)
        {
            throw new ProcurementException(ErrorCodes.OpeningShareInvalid,
                $"This is not the opening share made for {userName} in batch {BatchId}: paste the text your private key decrypts from the share you were given.", "share");
        }
        _presentedShares[stored.UserName] = (x, y);
        await sealing.RecordSharePresentedAsync(BatchId, stored.UserName, stored.Position, now, Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        if (_presentedShares.Count >= committee.Threshold)
        {
            await OpenAsync(Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        }
        return SharesStatus(committee);
    }

    public Task<OpeningSharesStatus> GetOpeningSharesStatusAsync() => Task.FromResult(SharesStatus(RequireCommittee(RequireBatch())));

    private OpeningSharesStatus SharesStatus(OpeningCommittee committee) =>
        new(_presentedShares.Count, committee.Threshold, _presentedShares.Keys.Order(StringComparer.Ordinal).ToList(), RequireBatch().Phase);

    private OpeningCommittee RequireCommittee(StoredBatch batch) =>
        batch.Definition.OpeningCommittee
        ?? throw new ProcurementException(ErrorCodes.InvalidField, $"Batch {BatchId} opens automatically at its opening time; it has no opening officers.", "openingCommittee");

    /// <summary>Whether the opening key can be released now: always in automatic mode, with enough presented shares in officers mode.</summary>
    private bool CanRelease(StoredBatch batch) =>
        batch.Definition.OpeningCommittee is not { } committee || _presentedShares.Count >= committee.Threshold;

    public const string OpeningKeyPurpose = "opening-key";

    public const string ReceiptNoncePurpose = "receipt-nonce";

    public static string ReceiptNonceData(string manufacturerId, string clientRequestId) => $"receipt-nonce/{manufacturerId}/{clientRequestId}";

    /// <summary>
    /// Encrypts a validated bid action under the batch's opening key and commits to it with a fresh
    /// nonce, which goes to the bidder in the receipt and to the store wrapped under the
    /// key-encryption key. Nothing else of the content leaves this method.
    /// </summary>
    private SealedContent Seal(BidCommand command, string canonical)
    {
        var key = _openingKey ?? throw new ProcurementException(ErrorCodes.BiddingNotOpen, $"Batch {BatchId} has no opening key; bidding is not open.");
        var nonce = BidCanonicalForm.NewNonce();
        var envelope = BidEnvelope.Seal(key, canonical, BidEnvelope.AssociatedData(command.BidId, command.ManufacturerId, command.ClientRequestId, BatchId));
        var wrappedNonce = kek.Wrap(ReceiptNoncePurpose, Convert.FromHexString(nonce), ReceiptNonceData(command.ManufacturerId, command.ClientRequestId));
        return new SealedContent(envelope, BidCanonicalForm.Commitment(nonce, canonical), nonce, wrappedNonce);
    }

    private BidContent ValidateBid(BidCommand command)
    {
        var batch = RequireBatch();
        var content = Check.NotNull(command.Content, "content");
        Check.Id(content.ProductId, "productId");
        Check.Id(content.SpecificationCode, "specificationCode");
        var batchProduct = batch.Definition.Products.FirstOrDefault(p => p.ProductId == content.ProductId)
            ?? throw new ProcurementException(ErrorCodes.UnknownProduct, $"Product '{content.ProductId}' is not in batch {BatchId}.", "productId");
        if (content.PricePerPack <= 0)
        {
            throw ProcurementException.Invalid("pricePerPack", "pricePerPack must be positive.");
        }
        Check.Decimals(content.PricePerPack, 4, "pricePerPack");
        if (content.AnnualCapacity <= 0)
        {
            throw ProcurementException.Invalid("annualCapacity", "annualCapacity must be a positive number of representative units.");
        }
        var regions = Check.NonEmpty(content.SupplyRegions, "supplyRegions");
        Check.Distinct(regions, "supplyRegions");
        for (var i = 0; i < regions.Count; i++)
        {
            if (!batch.Definition.RegionCodes.Contains(regions[i]))
            {
                throw ProcurementException.Invalid($"supplyRegions[{i}]", $"Region '{regions[i]}' is not a region of batch {BatchId}.");
            }
        }
        var product = _products[content.ProductId];
        if (product.FindSpecification(content.SpecificationCode) is null)
        {
            throw ProcurementException.Invalid("specificationCode", $"Specification '{content.SpecificationCode}' is not biddable for product {product.Id}.");
        }
        var unitPrice = ComparablePrice.Exact(product, content.SpecificationCode, content.PricePerPack, batch.Definition.RuleSet.Conversion);
        if (unitPrice > Procurement.Optimizer.Winners.ExactPrice.Of(batchProduct.MaxValidUnitPrice))
        {
            // The message names the limit, never the refused price: refusals reach logs.
            throw new ProcurementException(
                ErrorCodes.PriceAboveMaximum,
                $"The bid's unit comparable price is above the maximum valid price {batchProduct.MaxValidUnitPrice} CNY of {product.Id}.",
                "pricePerPack");
        }
        return content;
    }

    /// <summary>
    /// Every key is one of the registry's (award and volume-reporting keys alike) with a valid value,
    /// so nothing the award or the reporting terms would refuse or ignore is ever stored.
    /// </summary>
    private static void ValidateParameters(IReadOnlyDictionary<string, string> parameters, string ruleSetName)
    {
        try
        {
            foreach (var key in parameters.Keys)
            {
                if (RuleSetCatalog.Parameter(key).FromConversion)
                {
                    throw new RuleParameterException(key, "is set through ruleSet.conversion, not ruleSet.parameters.");
                }
            }
            RuleSetCatalog.Resolve(ruleSetName, parameters);
        }
        catch (RuleParameterException ex)
        {
            throw ProcurementException.Invalid($"ruleSet.parameters.{ex.Parameter}", ex.Message);
        }
    }

    private static void Validate(TenderBatchDefinition definition, DateTimeOffset now)
    {
        Check.NotNull(definition, "definition");
        Check.Id(definition.AllianceId, "allianceId");
        Check.Text(definition.Name, "name", 200);
        var products = Check.NonEmpty(definition.Products, "products");
        Check.Distinct(products.Select(p => p?.ProductId!).ToList(), "products.productId");
        for (var i = 0; i < products.Count; i++)
        {
            if (products[i].MaxValidUnitPrice <= 0)
            {
                throw ProcurementException.Invalid($"products[{i}].maxValidUnitPrice", "maxValidUnitPrice must be positive.");
            }
            Check.Decimals(products[i].MaxValidUnitPrice, 6, $"products[{i}].maxValidUnitPrice");
        }
        Check.Distinct(Check.NonEmpty(definition.RegionCodes, "regionCodes"), "regionCodes");
        Check.Distinct(Check.NonEmpty(definition.HospitalIds, "hospitalIds"), "hospitalIds");
        var ruleSet = Check.NotNull(definition.RuleSet, "ruleSet");
        if (!RuleSetCatalog.Names.Contains(ruleSet.Name))
        {
            throw ProcurementException.Invalid("ruleSet.name", $"ruleSet.name must be one of {string.Join(", ", RuleSetCatalog.Names)}, not '{ruleSet.Name}'.");
        }
        ValidateParameters(Check.NotNull(ruleSet.Parameters, "ruleSet.parameters"), ruleSet.Name);
        var conversion = Check.NotNull(ruleSet.Conversion, "ruleSet.conversion");
        if (conversion.PackCountDoublingFactor <= 0 || conversion.StrengthDoublingFactor <= 0)
        {
            throw ProcurementException.Invalid("ruleSet.conversion", "Conversion factors must be positive.");
        }
        var windows = Check.NotNull(definition.Windows, "windows");
        if (windows.ReportingCloses <= now)
        {
            throw ProcurementException.Invalid("windows.reportingCloses", $"windows.reportingCloses must be in the future (it is {now:O}).");
        }
        if (windows.BiddingDeadline <= windows.ReportingCloses)
        {
            throw ProcurementException.Invalid("windows.biddingDeadline", "windows.biddingDeadline must be after windows.reportingCloses.");
        }
        if (windows.OpeningTime < windows.BiddingDeadline)
        {
            throw ProcurementException.Invalid("windows.openingTime", "windows.openingTime must not be before windows.biddingDeadline.");
        }
        if (windows.PublicityDays is < 0 or > 60)
        {
            throw ProcurementException.Invalid("windows.publicityDays", "windows.publicityDays must be from 0 to 60.");
        }
        if (definition.AgreementMonths is < 1 or > 48)
        {
            throw ProcurementException.Invalid("agreementMonths", "agreementMonths must be from 1 to 48.");
        }
        if (definition.OpeningCommittee is { } committee)
        {
            ValidateCommittee(committee);
        }
    }

    public const int MaxOpeningOfficers = 15;

    private static void ValidateCommittee(OpeningCommittee committee)
    {
        var officers = Check.NonEmpty(committee.Officers, "openingCommittee.officers");
        if (officers.Count > MaxOpeningOfficers)
        {
            throw ProcurementException.Invalid("openingCommittee.officers", $"A batch has at most {MaxOpeningOfficers} opening officers.");
        }
        for (var i = 0; i < officers.Count; i++)
        {
            var field = $"openingCommittee.officers[{i}]";
            var officer = Check.NotNull(officers[i], field);
            Check.Id(officer.UserName, $"{field}.userName");
            var pem = Check.Text(officer.PublicKeyPem, $"{field}.publicKeyPem", 10_000);
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                if (rsa.KeySize < 2048)
                {
                    throw ProcurementException.Invalid($"{field}.publicKeyPem", $"The officer's RSA key has {rsa.KeySize} bits; at least 2,048 are needed.");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                throw ProcurementException.Invalid($"{field}.publicKeyPem", "publicKeyPem must be an RSA public key in PEM (-----BEGIN PUBLIC KEY-----).");
            }
        }
        Check.Distinct(officers.Select(o => o.UserName).ToList(), "openingCommittee.officers.userName");
        if (committee.Threshold < 1 || committee.Threshold > officers.Count)
        {
            throw ProcurementException.Invalid("openingCommittee.threshold", $"threshold must be from 1 to the number of officers ({officers.Count}).");
        }
    }
}
