using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Awards;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Batches;

/// <summary>Publicity and after: objections and answers, finalising into agreements, renewal.</summary>
public sealed partial class TenderBatchGrain
{
    public async Task<Objection> FileObjectionAsync(string manufacturerId, string text)
    {
        Objections.RequireFilingOpen(BatchId, RequireBatch().Phase, _publicityEnds, ProcurementClock.Now(clock));
        Objections.RequireNoneOpen(BatchId, manufacturerId, await awards.ListObjectionsAsync(BatchId));
        return await awards.FileObjectionAsync(BatchId, Check.Id(manufacturerId, "manufacturerId"), Check.Text(text, "text", 4000),
            ProcurementClock.Now(clock), Actor.Current($"manufacturer:{manufacturerId}"));
    }

    public async Task<Objection> AnswerObjectionAsync(Guid objectionId, string answer)
    {
        var batch = RequireBatch();
        Objections.RequireAnswering(BatchId, batch.Phase);
        var text = Check.Text(answer, "answer", 4000);
        Objections.RequireAnswerable(BatchId, objectionId, await awards.ListObjectionsAsync(BatchId));
        return await awards.AnswerObjectionAsync(BatchId, objectionId, text, ProcurementClock.Now(clock), Actor.Current($"alliance:{batch.Definition.AllianceId}"));
    }

    public Task<IReadOnlyList<Objection>> ListObjectionsAsync() => awards.ListObjectionsAsync(BatchId);

    public async Task<TenderBatchView> FinaliseAsync(DateOnly? agreementsStart = null)
    {
        var batch = RequireBatch();
        var now = ProcurementClock.Now(clock);
        var startMonth = AgreementsStart.Month(agreementsStart, now, agreementOptions.Value.Zone());
        BatchLifecycle.RequireFinalisable(BatchId, batch.Phase, _publicityEnds, now);
        Objections.RequireAllAnswered(BatchId, await awards.ListObjectionsAsync(BatchId));
        // The reminder is registered before the transaction: should the silo stop right after the
        // commit, the agreements still have their clock. A tick on a batch that is not Awarded ends it.
        await this.RegisterOrUpdateReminder(AgreementReminder, agreementOptions.Value.CheckPeriod, agreementOptions.Value.CheckPeriod);
        var actor = Actor.Current($"alliance:{batch.Definition.AllianceId}");
        try
        {
            // The award is final and the agreements are made in the transaction that moves the phase;
            // the unanswered objections are counted again in it, from the rows rather than this activation's view.
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
        var current = await agreements.ListAsync(BatchId);
        Renewal.RequireRenewable(BatchId, renewalId, batch.Phase, current);
        // A consumables agreement is one per winning bid x category x region, not a drug product's: each
        // kind is continued by its own rule, and the renewal keeps both (docs/CONSUMABLES.md, "Renewal").
        var categories = batch.Definition.Consumables?.Categories.Select(c => c.CategoryId).ToHashSet(StringComparer.Ordinal) ?? [];
        var continued = Renewal.Continued(current.Where(a => !categories.Contains(a.ProductId)));
        var continuedConsumables = ConsumableRenewal.Continued(current, batch.Definition.Consumables);
        var componentPrices = await agreements.ComponentPricesAsync(BatchId);
        var definition = Renewal.Definition(batch.Definition, request, continued,
            ConsumableRenewal.Terms(batch.Definition.Consumables, continuedConsumables, componentPrices));
        BatchDefinitionRules.Validate(definition, ProcurementClock.Now(clock));
        return await GrainFactory.GetGrain<ITenderBatchGrain>(renewalId).ConfigureRenewalAsync(BatchId, definition, [.. continued, .. continuedConsumables]);
    }

    public async Task<TenderBatchView> ConfigureRenewalAsync(string previousBatchId, TenderBatchDefinition definition, IReadOnlyList<Agreement> continued)
    {
        Check.NotNull(definition, "definition");
        Check.NotNull(continued, "continued");
        var now = ProcurementClock.Now(clock);
        BatchDefinitionRules.Validate(definition, now);
        await batches.SaveRenewalAsync(BatchId, previousBatchId, definition, continued, now, Actor.Current($"alliance:{definition.AllianceId}"));
        await ReloadAsync();
        return View();
    }
}
