using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Awards;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Batches;

/// <summary>Publicity and after: objections and answers, finalising into agreements, renewal.</summary>
public sealed partial class TenderBatchGrain
{
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
                then: async unit =>
                {
                    await AwardRepository.FinaliseAsync(unit.Connection, unit.Transaction, BatchId, now);
                    await agreements.CreateFromAwardAsync(unit, BatchId, startMonth, batch.Definition.AgreementMonths, now, actor);
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
        Validate(definition, ProcurementClock.Now(clock));
        return await GrainFactory.GetGrain<ITenderBatchGrain>(renewalId).ConfigureRenewalAsync(BatchId, definition, continued);
    }

    public async Task<TenderBatchView> ConfigureRenewalAsync(string previousBatchId, TenderBatchDefinition definition, IReadOnlyList<Agreement> continued)
    {
        Check.NotNull(definition, "definition");
        Check.NotNull(continued, "continued");
        var now = ProcurementClock.Now(clock);
        Validate(definition, now);
        await batches.SaveRenewalAsync(BatchId, previousBatchId, definition, continued, now, Actor.Current($"alliance:{definition.AllianceId}"));
        await ReloadAsync();
        return View();
    }

    private void RequirePublicityOpen()
    {
        var batch = RequireBatch();
        if (batch.Phase != TenderBatchPhase.Publicity || ProcurementClock.Now(clock) > _publicityEnds)
        {
            throw new ProcurementException(ErrorCodes.NotInPublicity, $"Batch {BatchId} is not in its publicity period; objections are not accepted.");
        }
    }
}
