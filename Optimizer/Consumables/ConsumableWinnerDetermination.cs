using System.Globalization;
using Procurement.Optimizer.RuleSets.Consumables;

namespace Procurement.Optimizer.Consumables;

/// <summary>
/// Decides the winners of a consumables category under a rule set, with a statement for every bid.
/// The steps follow the national procedure as we model it (docs/CONSUMABLES.md, "Demand groups and
/// winner rules"): split the bidding firms into demand groups; drop unqualified bids, system bids
/// whose component prices are inconsistent, and bids above the group's maximum valid price; let
/// only the best-priced firm of each affiliate group compete; then, group A first (group B's ratio
/// may be measured against A's lowest), rank the group's bids, test each against the ratio and cut
/// routes, and admit bidders in rank order up to the group's cap. Ties in price are broken by the
/// earlier receipt, then by bid id (ordinal). Prices are decimals compared exactly; ratios in the
/// statements are rounded to 4 decimals for display only.
/// </summary>
public sealed class ConsumableWinnerDetermination(ConsumableRuleParameters rules)
{
    public ConsumableRuleParameters Rules { get; } = rules;

    /// <summary>
    /// The award engine's entry: checks the input (a <see cref="ConsumableInputException"/> lists
    /// every problem), resolves the rule set with the batch's overrides, and decides every category.
    /// </summary>
    public static ConsumableAwardResult Run(ConsumableAwardInput input)
    {
        ConsumableInputValidator.ThrowIfInvalid(input);
        var engine = new ConsumableWinnerDetermination(ConsumableRuleSetCatalog.Resolve(input.RuleSet, input.Parameters ?? new Dictionary<string, string>()));
        // Lists left out of a JSON input arrive as null; the validator reads them as empty, and so does the award.
        var bids = (input.Bids ?? []).Select(b => b.ComponentPrices is null ? b with { ComponentPrices = [] } : b).ToLookup(b => b.CategoryId, StringComparer.Ordinal);
        var intentions = (input.Intentions ?? []).ToLookup(i => i.CategoryId, StringComparer.Ordinal);
        var categories = input.Categories
            .Select(c => engine.Determine(c, bids[c.CategoryId].ToList(), intentions[c.CategoryId].ToList()))
            .ToList();
        return new ConsumableAwardResult(input.BatchId, input.RuleSet, categories);
    }

    public ConsumableCategoryResult Determine(ConsumableCategoryInput category, IReadOnlyList<ConsumableBidInput> bids, IReadOnlyList<HospitalIntentionInput> intentions)
    {
        var demand = DemandGroups.Split(bids.Select(b => b.FirmId), intentions, Rules.Grouping, Rules.TopShare);
        var firms = demand.ToDictionary(d => d.FirmId, StringComparer.Ordinal);
        var entries = bids.Select(b => new Entry(b, firms[b.FirmId])).ToList();
        var ordered = entries
            .OrderBy(e => e.Bid.Price)
            .ThenBy(e => e.Bid.ReceivedAt)
            .ThenBy(e => e.Bid.BidId, StringComparer.Ordinal)
            .ToList();

        var competing = new List<Entry>();
        var affiliateFirm = new Dictionary<string, string>(StringComparer.Ordinal);
        var offered = new HashSet<(string FirmId, string ProductId)>();
        foreach (var entry in ordered)
        {
            var maximum = GroupMaximum(category, entry.Firm.Group);
            if (!offered.Add((entry.Bid.FirmId, entry.Bid.Product.ProductId)))
            {
                entry.Lose(ConsumableReasons.ProductRepeated, $"firm {entry.Bid.FirmId} offers product {entry.Bid.Product.ProductId} in a bid ranking before this one: one bid per product competes");
            }
            else if (!entry.Bid.Qualification.Qualified)
            {
                entry.Lose(ConsumableReasons.NotQualified, entry.Bid.Qualification.RegistrationValid
                    ? "the firm is barred by its credit rating"
                    : "the registration certificate is not valid");
            }
            else if (category.PurchaseUnit == PurchaseUnit.System && ComponentProblem(category, entry.Bid) is { } problem)
            {
                entry.Lose(ConsumableReasons.ComponentsInconsistent, problem);
            }
            else if (entry.Bid.Price > maximum)
            {
                entry.Lose(ConsumableReasons.AboveMaximumPrice, $"price {Show(entry.Bid.Price)} > group {entry.Firm.Group}'s maximum valid price {Show(maximum)}");
            }
            else if (Rules.AffiliatesAsOneBidder && !IsAffiliatesBest(affiliateFirm, entry.Bid))
            {
                entry.Lose(ConsumableReasons.AffiliateNotBest, $"affiliate group {entry.Bid.AffiliateGroup} competes with firm {affiliateFirm[entry.Bid.AffiliateGroup]}, its lowest price, only");
            }
            else
            {
                competing.Add(entry);
            }
        }

        var groups = new List<ConsumableGroupResult>();
        var winners = new List<Entry>();
        decimal? lowestOfA = null;
        foreach (var group in new[] { DemandGroupName.A, DemandGroupName.B })
        {
            var members = competing.Where(e => e.Firm.Group == group).ToList();
            var result = DetermineGroup(category, group, demand.Count(d => d.Group == group), members, lowestOfA, winners);
            if (group == DemandGroupName.A)
            {
                lowestOfA = result.LowestPrice;
            }
            groups.Add(result);
        }

        return Result(category, demand, groups, entries, winners, intentions);
    }

    private ConsumableGroupResult DetermineGroup(
        ConsumableCategoryInput category, DemandGroupName group, int firms, List<Entry> members, decimal? lowestOfA, List<Entry> winners)
    {
        var rule = Rules.RuleOf(group);
        var maximum = GroupMaximum(category, group);
        var bidders = members.Select(e => e.Bid.FirmId).Distinct(StringComparer.Ordinal).Count();
        var cap = rule.WinnerCap(bidders);
        if (members.Count == 0)
        {
            return new ConsumableGroupResult(group, maximum, firms, 0, null, null, cap, 0);
        }
        var lowest = members[0].Bid.Price;
        var reference = rule.Reference == RatioReference.GroupALowest && lowestOfA is { } a ? a : lowest;
        var referenceName = rule.Reference == RatioReference.GroupALowest && lowestOfA is not null ? "group A's lowest" : $"group {group}'s lowest";
        var admitted = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < members.Count; i++)
        {
            var entry = members[i];
            entry.Rank = i + 1;
            entry.Reference = reference;
            entry.Ratio = decimal.Round(entry.Bid.Price / reference, 4, MidpointRounding.AwayFromZero);
            var price = Show(entry.Bid.Price);
            (string Reason, string Rule)? route = null;
            if (rule.RatioLimit is { } limit && entry.Bid.Price <= limit * reference)
            {
                route = (ConsumableReasons.WonByRatio, $"price {price} <= {Show(limit)} x {referenceName} {Show(reference)}");
            }
            else if (rule.PriceCut is { } cut && entry.Bid.Price <= (1 - cut) * maximum)
            {
                route = (ConsumableReasons.WonByPriceCut, $"price {price} cut by at least {Show(cut * 100)}% from the maximum valid price {Show(maximum)}");
            }
            else if (rule.RatioLimit is null && rule.PriceCut is null)
            {
                route = (ConsumableReasons.WonEligible, $"group {group} has no price rule: every eligible bid qualifies");
            }
            if (route is not { } won)
            {
                var tooSmall = rule.PriceCut is { } c ? $"cut by less than {Show(c * 100)}% from the maximum valid price {Show(maximum)}" : "";
                if (rule.RatioLimit is { } ratio)
                {
                    entry.Lose(ConsumableReasons.AboveRatio, $"price {price} > {Show(ratio)} x {referenceName} {Show(reference)}" + (tooSmall.Length > 0 ? $" and {tooSmall}" : ""));
                }
                else
                {
                    entry.Lose(ConsumableReasons.CutTooSmall, $"price {price} {tooSmall}");
                }
            }
            else if (admitted.Contains(entry.Bid.FirmId) || cap is null || admitted.Count < cap)
            {
                admitted.Add(entry.Bid.FirmId);
                entry.Win(won.Reason, won.Rule);
                winners.Add(entry);
            }
            else
            {
                entry.Lose(ConsumableReasons.WinnerCapReached, $"at most {cap} winning bidders of {bidders} competing in group {group}");
            }
        }
        return new ConsumableGroupResult(group, maximum, firms, bidders, lowest, reference, cap, admitted.Count);
    }

    private static ConsumableCategoryResult Result(
        ConsumableCategoryInput category, IReadOnlyList<FirmDemand> demand, List<ConsumableGroupResult> groups, List<Entry> entries, List<Entry> winners, IReadOnlyList<HospitalIntentionInput> intentions)
    {
        var winningProducts = winners.ToLookup(w => w.Bid.FirmId, w => w.Bid.Product.ProductId, StringComparer.Ordinal);
        var bidding = demand.Select(d => d.FirmId).ToHashSet(StringComparer.Ordinal);
        var kept = new Dictionary<string, long>(StringComparer.Ordinal);
        var again = new List<IntentionToChooseAgain>();
        foreach (var intention in intentions)
        {
            var products = winningProducts[intention.IntendedFirmId].ToList();
            string? reason = !bidding.Contains(intention.IntendedFirmId) ? ChooseAgainReasons.FirmDidNotBid
                : products.Count == 0 ? ChooseAgainReasons.FirmLost
                : intention.IntendedProductId is { } product && !products.Contains(product, StringComparer.Ordinal) ? ChooseAgainReasons.ProductLost
                : null;
            if (reason is null)
            {
                kept[intention.IntendedFirmId] = kept.GetValueOrDefault(intention.IntendedFirmId) + intention.Quantity;
            }
            else
            {
                again.Add(new IntentionToChooseAgain(intention.HospitalId, intention.Region, intention.IntendedFirmId, intention.IntendedProductId, intention.Quantity, reason));
            }
        }
        var byProduct = intentions.Where(i => i.IntendedProductId is not null).ToLookup(i => (i.IntendedFirmId, i.IntendedProductId!));
        var winnerRecords = winners.Select(w => new ConsumableWinner(
            w.Bid.BidId, w.Bid.FirmId, w.Bid.Product.ProductId, w.Firm.Group, w.Bid.Price, w.Bid.ComponentPrices, w.Bid.AnnualCapacity,
            byProduct[(w.Bid.FirmId, w.Bid.Product.ProductId)].Sum(i => i.Quantity))).ToList();
        var winningFirms = winners.GroupBy(w => w.Bid.FirmId, StringComparer.Ordinal)
            .Select(g => new WinningFirm(g.Key, g.First().Firm.Group, g.Select(w => w.Bid.BidId).ToList(), kept.GetValueOrDefault(g.Key)))
            .ToList();
        return new ConsumableCategoryResult(category.CategoryId, demand, groups, entries.Select(e => e.Statement(category.CategoryId)).ToList(), winnerRecords, winningFirms, again);
    }

    private decimal GroupMaximum(ConsumableCategoryInput category, DemandGroupName group) => Rules.RuleOf(group).MaxValidPriceShare * category.MaxValidPrice;

    /// <summary>
    /// Our consistency rule for a system bid (unverified): no component above its own maximum valid
    /// price, and (when the rule set says so) the components adding up to at least the set price.
    /// That every component is priced once is checked at the edge (<see cref="ConsumableInputValidator"/>).
    /// </summary>
    private string? ComponentProblem(ConsumableCategoryInput category, ConsumableBidInput bid)
    {
        foreach (var component in category.Components)
        {
            var price = bid.ComponentPrices.First(p => p.ComponentId == component.ComponentId).Price;
            if (component.MaxValidPrice is { } maximum && price > maximum)
            {
                return $"component {component.ComponentId} at {Show(price)} > its maximum valid price {Show(maximum)}";
            }
        }
        var sum = bid.ComponentPrices.Sum(p => p.Price);
        return Rules.ComponentSumAtLeastSetPrice && sum < bid.Price
            ? $"component prices add up to {Show(sum)} < set price {Show(bid.Price)}"
            : null;
    }

    /// <summary>The first eligible firm of an affiliate group in price order competes for it; its other firms do not.</summary>
    private static bool IsAffiliatesBest(Dictionary<string, string> affiliateFirm, ConsumableBidInput bid)
    {
        if (affiliateFirm.TryGetValue(bid.AffiliateGroup, out var firm))
        {
            return firm == bid.FirmId;
        }
        affiliateFirm[bid.AffiliateGroup] = bid.FirmId;
        return true;
    }

    private static string Show(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private sealed class Entry(ConsumableBidInput bid, FirmDemand firm)
    {
        public ConsumableBidInput Bid { get; } = bid;

        public FirmDemand Firm { get; } = firm;

        public int? Rank { get; set; }

        public decimal? Reference { get; set; }

        public decimal? Ratio { get; set; }

        private bool _won;
        private string _reason = "";
        private string _rule = "";

        public void Win(string reason, string rule) => (_won, _reason, _rule) = (true, reason, rule);

        public void Lose(string reason, string rule) => (_won, _reason, _rule) = (false, reason, rule);

        public ConsumableBidStatement Statement(string categoryId) => new(
            Bid.BidId,
            Bid.FirmId,
            Bid.AffiliateGroup,
            categoryId,
            Bid.Product.ProductId,
            Bid.Price,
            Firm.Group,
            Firm.IntendedVolume,
            Firm.Share,
            Reference,
            Ratio,
            Rank,
            _won,
            _reason,
            _rule,
            _won ? Bid.Price : null,
            _won ? Bid.ComponentPrices : []);
    }
}
