using System.Globalization;
using Microsoft.Extensions.Logging;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Serialization.Invocation;
using Procurement.Grains.Agreements;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Award;

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
    IOptions<AgreementOptions> agreementOptions,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock,
    ILogger<TenderBatchGrain> logger) : Grain, ITenderBatchGrain, IRemindable
{
    public const string OpeningReminder = "open-bids";

    /// <summary>Moves the batch's agreements along the clock (notices, expiry) once it is Awarded.</summary>
    public const string AgreementReminder = "agreements";

    private const string MinimumShareParameter = "volumeReport.minimumShareOfHistory";

    private StoredBatch? _batch;
    private IReadOnlyDictionary<string, Product> _products = new Dictionary<string, Product>();
    private HashSet<string> _hospitals = [];
    private int _sealedBidCount;
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
            await OpenIfDueAsync(Actor.Scheduler);
        }
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
        await MoveAsync(TenderBatchPhase.VolumeReportingClosed, TenderBatchPhase.Bidding, new { });
        await ScheduleOpeningAsync();
        return View();
    }

    public async Task<TenderBatchView> OpenBidsAsync()
    {
        var batch = RequireBatch();
        var now = ProcurementClock.Now(clock);
        if (batch.Phase == TenderBatchPhase.Bidding && now < batch.Definition.Windows.OpeningTime)
        {
            throw new ProcurementException(
                ErrorCodes.OpeningNotDue,
                $"Bids of batch {BatchId} open at {batch.Definition.Windows.OpeningTime:O}; it is {now:O}.");
        }
        await OpenAsync(Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        return View();
    }

    public Task<TenderBatchView> GetAsync() => Task.FromResult(View());

    public Task<ReportingTerms> GetReportingTermsAsync(string hospitalId)
    {
        var batch = RequireBatch();
        var share = batch.Definition.RuleSet.Parameters.TryGetValue(MinimumShareParameter, out var text)
            ? decimal.Parse(text, CultureInfo.InvariantCulture)
            : 0.8m;
        return Task.FromResult(new ReportingTerms(
            batch.Phase,
            _hospitals.Contains(hospitalId),
            batch.Definition.Products.Select(p => p.ProductId).ToList(),
            batch.Definition.Windows.ReportingCloses,
            share));
    }

    public async Task<BidReceipt> AcceptBidAsync(BidCommand command)
    {
        // The receipt time is taken first: the deadline applies to when the bid reached the batch.
        var receivedAt = ProcurementClock.Now(clock);
        while (_transition is { } transition)
        {
            await transition;
        }
        var batch = RequireBatch();
        var windows = batch.Definition.Windows;
        if (batch.Phase == TenderBatchPhase.Bidding && receivedAt >= windows.OpeningTime)
        {
            await OpenIfDueAsync(Actor.Scheduler);
        }
        if (_batch!.Phase != TenderBatchPhase.Bidding)
        {
            throw _batch.Phase > TenderBatchPhase.Bidding
                ? new ProcurementException(ErrorCodes.DeadlinePassed, $"Bidding for batch {BatchId} closed at {windows.BiddingDeadline:O}.")
                : new ProcurementException(ErrorCodes.BiddingNotOpen, $"Batch {BatchId} is in {_batch.Phase}; bidding is not open.");
        }
        if (receivedAt > windows.BiddingDeadline)
        {
            throw new ProcurementException(
                ErrorCodes.DeadlinePassed,
                $"The bid reached the server at {receivedAt:O}, after the deadline {windows.BiddingDeadline:O}.");
        }
        ValidateBid(command);
        var receipt = await bids.RecordAsync(command, receivedAt);
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
        if (request.WhatIfRuleSet is { } whatIf && !RuleSetNames.All.Contains(whatIf))
        {
            throw ProcurementException.Invalid("whatIfRuleSet", $"whatIfRuleSet must be one of {string.Join(", ", RuleSetNames.All)}, not '{whatIf}'.");
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

    public async Task AwardCompletedAsync(string? failure, AwardProgress? lastProgress = null)
    {
        _awardStatus = failure is null ? null : $"failed: {failure}";
        _awardProgress = lastProgress ?? _awardProgress;
        await ReloadAsync();
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
        try
        {
            await awards.FinaliseAsync(BatchId, now, Actor.Current($"alliance:{batch.Definition.AllianceId}"), startMonth, batch.Definition.AgreementMonths);
        }
        catch
        {
            await ReloadAsync();
            if (_batch?.Phase != TenderBatchPhase.Awarded)
            {
                await StopReminderAsync(AgreementReminder);
            }
            throw;
        }
        await ReloadAsync();
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

    public Task<IReadOnlyList<SealedBid>> ListSealedBidsAsync() => bids.ListSealedForBatchAsync(BatchId);

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
            return new OpenedBid(Guid.Parse(r.Bid.BidId), r.Bid.ManufacturerId, r.Bid.BidderGroup, content, unitPrice, r.Bid.Version, r.Bid.ReceivedAt, r.Bid.ContentSha256);
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

    private async Task AdvanceAgreementsAsync()
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
        if (_batch is { Phase: TenderBatchPhase.Bidding } batch && ProcurementClock.Now(clock) >= batch.Definition.Windows.OpeningTime)
        {
            await OpenAsync(actor);
        }
    }

    private async Task OpenAsync(string actor)
    {
        await MoveAsync(TenderBatchPhase.Bidding, TenderBatchPhase.Opened, new { ActiveBids = _sealedBidCount }, actor);
        logger.LogInformation("Batch {BatchId} opened at {OpenedAt:O} with {Count} active bid(s).", BatchId, _batch!.OpenedAt, _sealedBidCount);
    }

    private async Task ScheduleOpeningAsync()
    {
        var due = RequireBatch().Definition.Windows.OpeningTime - ProcurementClock.Now(clock);
        await this.RegisterOrUpdateReminder(OpeningReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, TimeSpan.FromMinutes(1));
    }

    private Task MoveAsync(TenderBatchPhase from, TenderBatchPhase to, object details, string? actor = null) =>
        TransitionAsync(async () =>
        {
            var batch = RequireBatch();
            if (batch.Phase != from)
            {
                throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {batch.Phase}; it moves to {to} only from {from}.");
            }
            await batches.ChangePhaseAsync(BatchId, from, to, ProcurementClock.Now(clock), actor ?? Actor.Current($"alliance:{batch.Definition.AllianceId}"), details);
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

    private StoredBatch RequireBatch() =>
        _batch ?? throw new ProcurementException(ErrorCodes.NotConfigured, $"Batch {BatchId} has not been configured.", "batchId");

    private TenderBatchView View()
    {
        var batch = RequireBatch();
        return new TenderBatchView(BatchId, batch.Phase, batch.Definition, [], _sealedBidCount, batch.OpenedAt, _awardStatus, _publicityEnds, _awardProgress)
        {
            RenewalOf = batch.RenewalOf,
        };
    }

    private void ValidateBid(BidCommand command)
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
        var unitPrice = ComparablePrice.Of(product, content.SpecificationCode, content.PricePerPack, batch.Definition.RuleSet.Conversion);
        if (unitPrice > batchProduct.MaxValidUnitPrice)
        {
            throw new ProcurementException(
                ErrorCodes.PriceAboveMaximum,
                $"The unit comparable price {unitPrice} CNY is above the maximum valid price {batchProduct.MaxValidUnitPrice} CNY of {product.Id}.",
                "pricePerPack");
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
        if (!RuleSetNames.All.Contains(ruleSet.Name))
        {
            throw ProcurementException.Invalid("ruleSet.name", $"ruleSet.name must be one of {string.Join(", ", RuleSetNames.All)}, not '{ruleSet.Name}'.");
        }
        Check.NotNull(ruleSet.Parameters, "ruleSet.parameters");
        if (ruleSet.Parameters.TryGetValue(MinimumShareParameter, out var share)
            && (!decimal.TryParse(share, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1))
        {
            throw ProcurementException.Invalid($"ruleSet.parameters.{MinimumShareParameter}", $"{MinimumShareParameter} must be a number from 0 to 1, not '{share}'.");
        }
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
    }
}
