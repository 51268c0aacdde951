using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.RuleSets.Consumables;
using static Procurement.Silo.Seeding.DemoConsumables;

namespace Procurement.Silo.Seeding;

/// <summary>
/// The demo's consumables stories (issue 19), told through the grains as users would, on the
/// business clock set back: a stent batch from configuration through brand intentions, sealed
/// bids, the opening, the award, publicity with one objection answered, to agreements under way;
/// and a joint-system batch opened and awarded in the last days, left in publicity so every role
/// sees a live award. Quantities are drawn from their own fixed seed, so the drug stories' figures
/// are what they were before these were added (and a story given its own <paramref name="seed"/>
/// leaves the others' figures as they were).
/// </summary>
internal sealed class DemoConsumableStories(IGrainFactory grains, IReadOnlyList<(Hospital Hospital, decimal Size)> hospitals, int seed = 20_200_705)
{
    private readonly Random _random = new(seed);

    private ITenderBatchGrain Batch(string id) => grains.GetGrain<ITenderBatchGrain>(id);

    /// <summary>
    /// The stent round, from <paramref name="t0"/> to about thirteen days later: its 24-month
    /// agreements begin on the first day of <paramref name="startMonth"/>.
    /// </summary>
    public async Task StentRoundAsync(IDemoClockControl control, string batchId, DateTimeOffset t0, int startMonth)
    {
        control.SetUtcNow(t0);
        var windows = new TenderWindows(t0.AddDays(3), t0.AddDays(6), t0.AddDays(6), 7);
        var batch = await ToBiddingAsync(control, batchId, "North China alliance, coronary stents 2026", StentLots, ConsumableRuleSetCatalog.Stents2020, windows);
        control.SetUtcNow(t0.AddDays(5));
        await BidAsync(batchId, StentOffers);

        var view = await OpenAndAwardAsync(control, batch, windows);
        control.SetUtcNow(view.PublicityEnds!.Value.AddDays(-3));
        var objection = await grains.GetGrain<IBidderGrain>(Objector).FileObjectionAsync(batchId,
            "Our cobalt-chromium stent at 798 CNY is within 1.8 times the lowest price; we ask to be admitted as a winner.");
        control.SetUtcNow(view.PublicityEnds.Value.AddDays(-2));
        await batch.AnswerObjectionAsync(objection.ObjectionId,
            "Your bid qualifies by the ratio, but the rule set admits 75 % of the eight competing bidders, six, in price order; yours ranks seventh.");
        control.SetUtcNow(view.PublicityEnds.Value.AddHours(1));
        await batch.FinaliseAsync(Months.FirstDay(startMonth));
    }

    /// <summary>
    /// A small earlier round of hip systems alone, from <paramref name="t0"/> to about thirteen days
    /// later, finalised without objection: its 24-month agreements, with the winners' component
    /// prices, begin on the first day of <paramref name="startMonth"/>, so a hospital can buy a
    /// component separately.
    /// </summary>
    public async Task HipSystemRoundAsync(IDemoClockControl control, string batchId, DateTimeOffset t0, int startMonth)
    {
        control.SetUtcNow(t0);
        var windows = new TenderWindows(t0.AddDays(3), t0.AddDays(6), t0.AddDays(6), 7);
        var lots = JointLots.Where(l => l.CategoryId == Hip).ToArray();
        var batch = await ToBiddingAsync(control, batchId, "North China alliance, hip systems 2026", lots, ConsumableRuleSetCatalog.Joints2021, windows);
        control.SetUtcNow(t0.AddDays(5));
        await BidAsync(batchId, JointOffers.Where(o => o.CategoryId == Hip));
        var view = await OpenAndAwardAsync(control, batch, windows);
        control.SetUtcNow(view.PublicityEnds!.Value.AddHours(1));
        await batch.FinaliseAsync(Months.FirstDay(startMonth));
    }

    /// <summary>The joint-system round from <paramref name="t0"/>: opened four days later and awarded, in publicity for the next week.</summary>
    public async Task JointsInPublicityAsync(IDemoClockControl control, string batchId, DateTimeOffset t0)
    {
        control.SetUtcNow(t0);
        var windows = new TenderWindows(t0.AddDays(2), t0.AddDays(4), t0.AddDays(4), 7);
        var batch = await ToBiddingAsync(control, batchId, "North China alliance, artificial joints 2026", JointLots, ConsumableRuleSetCatalog.Joints2021, windows);
        control.SetUtcNow(t0.AddDays(3));
        await BidAsync(batchId, JointOffers);
        await OpenAndAwardAsync(control, batch, windows);
    }

    /// <summary>Configured, hospitals' intentions stated, reporting closed and bidding open; the firms qualified for the lots.</summary>
    private async Task<ITenderBatchGrain> ToBiddingAsync(IDemoClockControl control, string batchId, string name, ConsumableLot[] lots, string ruleSet, TenderWindows windows)
    {
        var batch = Batch(batchId);
        await batch.ConfigureAsync(new TenderBatchDefinition(
            DemoCatalogue.AllianceId,
            name,
            [],
            DemoCatalogue.North.Regions.Select(r => r.Code).ToList(),
            hospitals.Select(h => h.Hospital.Id).ToList(),
            new RuleSetChoice(RuleSetCatalog.Round11, new Dictionary<string, string>(), PriceConversion.National),
            windows,
            24)
        {
            Consumables = new ConsumableTerms(lots, ruleSet, new Dictionary<string, string>()),
        });
        // A qualification under a category id is accepted once some consumables batch has the category.
        foreach (var offer in StentOffers.Concat(JointOffers).Where(o => lots.Any(l => l.CategoryId == o.CategoryId)).DistinctBy(o => (o.CategoryId, o.FirmId)))
        {
            await grains.GetGrain<IBidderGrain>(offer.FirmId).DeclareQualificationAsync(
                new Qualification(offer.CategoryId, true, 5, false, $"NMPA {offer.Certificate}"));
        }
        await batch.OpenVolumeReportingAsync();
        await IntendAsync(batchId, lots);
        control.SetUtcNow(windows.ReportingCloses.AddMinutes(5));
        await batch.CloseVolumeReportingAsync();
        await batch.OpenBiddingAsync();
        return batch;
    }

    /// <summary>
    /// Each hospital states, per lot, the product of the firm it intends to buy (the firm's own
    /// certificate and model, as its bid will name them: its first offer, or its second where
    /// <see cref="NamingSecondOffer"/> says so), 90-115 % of the lot's typical use for its size.
    /// </summary>
    private async Task IntendAsync(string batchId, ConsumableLot[] lots)
    {
        var offers = StentOffers.Concat(JointOffers).ToDictionary(o => (o.CategoryId, o.FirmId, o.OfferNumber));
        var lines = new Dictionary<string, List<ConsumableIntentionLine>>(StringComparer.Ordinal);
        foreach (var lot in lots)
        {
            // Platinum-chromium stents: the large and central hospitals only (TCM hospitals are the smallest kind).
            var stating = lot.CategoryId == StentPtCr ? hospitals.Where(h => h.Size >= 0.6m).ToList() : hospitals.ToList();
            foreach (var (((hospital, size), (firm, further)), place) in stating.Zip(Intentions[lot.CategoryId]).Select((h, i) => (h, i)))
            {
                var second = NamingSecondOffer.TryGetValue(lot.CategoryId, out var naming) && naming.Contains(place);
                var offer = offers[(lot.CategoryId, firm, second ? 2 : 1)];
                var quantity = Math.Max(1L, (long)(AnnualUse[lot.CategoryId] * size * (0.90m + (decimal)_random.NextDouble() * 0.25m)));
                (lines.TryGetValue(hospital.Id, out var list) ? list : lines[hospital.Id] = [])
                    .Add(new ConsumableIntentionLine(lot.CategoryId, firm, offer.Certificate, offer.Model, offer.Code, quantity, further, null));
            }
        }
        foreach (var (hospitalId, list) in lines)
        {
            await grains.GetGrain<IHospitalGrain>(hospitalId).SubmitConsumableIntentionsAsync(batchId, list);
        }
    }

    /// <summary>Every firm's sealed offers (each under its offer number), all five provinces, capacity well above the demand (allocation follows the hospitals' choices).</summary>
    private async Task BidAsync(string batchId, IEnumerable<Offer> offers)
    {
        var regions = DemoCatalogue.North.Regions.Select(r => r.Code).ToList();
        foreach (var offer in offers)
        {
            var components = JointLots.Any(l => l.CategoryId == offer.CategoryId) ? ComponentPrices(offer) : [];
            await grains.GetGrain<IBidderGrain>(offer.FirmId).SubmitBidAsync(
                offer.OfferNumber == 1 ? $"demo-{batchId}-{offer.CategoryId}" : $"demo-{batchId}-{offer.CategoryId}-{offer.OfferNumber}",
                new BidContent(batchId, offer.CategoryId, "", offer.Price, AnnualUse[offer.CategoryId] * 20, regions)
                {
                    Consumable = new ConsumableOffer(offer.Certificate, offer.Model, offer.Code, components),
                    OfferNumber = offer.OfferNumber == 1 ? null : offer.OfferNumber,
                });
        }
    }

    /// <summary>The opening at its time, then the consumables award (lowest-price fallback), until publicity.</summary>
    private static async Task<TenderBatchView> OpenAndAwardAsync(IDemoClockControl control, ITenderBatchGrain batch, TenderWindows windows)
    {
        control.SetUtcNow(windows.OpeningTime.AddMinutes(1));
        await batch.OpenBidsAsync();
        await batch.RunAwardAsync(new AwardRequest("consumables", new Dictionary<string, decimal>(), 10));
        return await DemoStories.WaitAsync(batch, v => v.Phase == TenderBatchPhase.Publicity);
    }
}
