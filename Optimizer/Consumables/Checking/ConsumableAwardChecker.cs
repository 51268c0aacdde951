using Procurement.Optimizer.Checking;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.RuleSets.Consumables;

namespace Procurement.Optimizer.Consumables.Checking;

/// <summary>
/// Verifies a consumables award from its input alone, sharing no code with the engine that produced
/// it: it reads the rule set's parameters (data) and the input's records, derives the demand groups,
/// each bid's eligibility, each group's ranking, reference, routes and cap, the winners, their
/// intended volumes and the hospitals to choose again from the rule text itself, and holds every
/// figure of the award to them. Each rule's outcome is reported (<see cref="ConsumableRuleCodes"/>).
/// <c>ConsumableCheckerTests</c> holds the source of this folder to naming none of the engine's types.
/// </summary>
public static class ConsumableAwardChecker
{
    /// <summary>Violations listed at most (the tallies still count every check).</summary>
    public const int MaxViolationsListed = 1_000;

    public static ConsumableAwardCheck Check(ConsumableAwardInput input, ConsumableAwardResult award)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(award);
        var run = new Run();
        run.CheckAll(input, award);
        var rules = ConsumableRuleCodes.All.Select(r => new ConsumableRuleOutcome(r, run.Checks.GetValueOrDefault(r), run.Broken.GetValueOrDefault(r))).ToList();
        return new ConsumableAwardCheck(run.Violations.Count == 0 && rules.All(r => r.Holds) ? AwardCheck.Passed : AwardCheck.RuleBroken, rules, run.Violations);
    }

    /// <summary>What the rules give one bid.</summary>
    private sealed record Expected(ConsumableBidInput Bid, DemandGroupName Group, long FirmVolume, decimal FirmShare)
    {
        public string Reason { get; set; } = "";

        /// <summary>The rule code that decided the bid's reason.</summary>
        public string DecidedBy { get; set; } = ConsumableRuleCodes.Eligibility;

        public int? Rank { get; set; }

        public decimal? Reference { get; set; }

        public decimal? Ratio { get; set; }

        public bool Won => Reason.StartsWith("WON_", StringComparison.Ordinal);
    }

    private sealed class Run
    {
        public Dictionary<string, int> Checks { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Broken { get; } = new(StringComparer.Ordinal);

        public List<RuleViolation> Violations { get; } = [];

        private ConsumableRuleParameters _rules = null!;

        private void Hold(bool holds, string rule, string place, Func<string> detail)
        {
            Checks[rule] = Checks.GetValueOrDefault(rule) + 1;
            if (holds)
            {
                return;
            }
            Broken[rule] = Broken.GetValueOrDefault(rule) + 1;
            if (Violations.Count < MaxViolationsListed)
            {
                Violations.Add(new RuleViolation(rule, place, detail()));
            }
        }

        public void CheckAll(ConsumableAwardInput input, ConsumableAwardResult award)
        {
            try
            {
                _rules = ConsumableRuleSetCatalog.Resolve(input.RuleSet, input.Parameters ?? new Dictionary<string, string>());
            }
            catch (RuleParameterException ex)
            {
                Hold(false, ConsumableRuleCodes.Document, "$.ruleSet", () => ex.Message);
                return;
            }
            Hold(award.BatchId == input.BatchId, ConsumableRuleCodes.Document, "$.batchId", () => $"the award is of batch '{award.BatchId}', the input of '{input.BatchId}'");
            Hold(award.RuleSet == input.RuleSet, ConsumableRuleCodes.Document, "$.ruleSet", () => $"the award was decided under '{award.RuleSet}', the input names '{input.RuleSet}'");
            var inputCategories = input.Categories.Select(c => c.CategoryId).ToHashSet(StringComparer.Ordinal);
            foreach (var extra in award.Categories.Where(c => !inputCategories.Contains(c.CategoryId)))
            {
                Hold(false, ConsumableRuleCodes.Document, $"category {extra.CategoryId}", () => "the award names a category the input does not have");
            }
            var awarded = award.Categories.ToLookup(c => c.CategoryId, StringComparer.Ordinal);
            var bids = (input.Bids ?? []).ToLookup(b => b.CategoryId, StringComparer.Ordinal);
            var intentions = (input.Intentions ?? []).ToLookup(i => i.CategoryId, StringComparer.Ordinal);
            foreach (var category in input.Categories)
            {
                var found = awarded[category.CategoryId].ToList();
                Hold(found.Count == 1, ConsumableRuleCodes.Document, $"category {category.CategoryId}", () => $"the award lists this category {found.Count} times");
                if (found.Count == 1)
                {
                    CheckCategory(category, bids[category.CategoryId].ToList(), intentions[category.CategoryId].ToList(), found[0]);
                }
            }
        }

        private void CheckCategory(ConsumableCategoryInput category, List<ConsumableBidInput> bids, List<HospitalIntentionInput> intentions, ConsumableCategoryResult result)
        {
            var place = $"category {category.CategoryId}";
            var firms = CheckDemand(place, bids, intentions, result);
            var expected = bids
                .OrderBy(b => b.Price).ThenBy(b => b.ReceivedAt).ThenBy(b => b.BidId, StringComparer.Ordinal)
                .Select(b => new Expected(b, firms[b.FirmId].Group, firms[b.FirmId].Volume, firms[b.FirmId].Share))
                .ToList();
            var competing = Eligible(category, expected);
            var lowestOfA = (decimal?)null;
            foreach (var group in new[] { DemandGroupName.A, DemandGroupName.B })
            {
                var members = competing.Where(e => e.Group == group).ToList();
                var figures = Decide(category, group, members, lowestOfA, firms.Values.Count(f => f.Group == group));
                lowestOfA = group == DemandGroupName.A ? figures.LowestPrice : lowestOfA;
                var stated = result.Groups.Where(g => g.Group == group).ToList();
                Hold(stated.Count == 1 && stated[0] == figures, ConsumableRuleCodes.GroupFigures, $"{place}, group {group}",
                    () => stated.Count == 1 ? $"stated {stated[0]}, the rules give {figures}" : $"the group is listed {stated.Count} times");
            }
            CheckStatements(place, category, expected, result);
            CheckVolumes(place, expected, intentions, result);
        }

        /// <summary>The demand split from the rule text: A is the shortest top of the ranking whose demand reaches the top share.</summary>
        private Dictionary<string, (long Volume, decimal Share, int Rank, DemandGroupName Group)> CheckDemand(
            string place, List<ConsumableBidInput> bids, List<HospitalIntentionInput> intentions, ConsumableCategoryResult result)
        {
            var named = intentions.ToLookup(i => i.IntendedFirmId, StringComparer.Ordinal);
            var volumes = bids.Select(b => b.FirmId).Distinct(StringComparer.Ordinal)
                .Select(f => (Firm: f, Volume: named[f].Sum(i => i.Quantity)))
                .OrderByDescending(f => f.Volume).ThenBy(f => f.Firm, StringComparer.Ordinal)
                .ToList();
            var total = volumes.Sum(f => f.Volume);
            var topCount = 0;
            if (_rules.Grouping == ConsumableGrouping.None)
            {
                topCount = volumes.Count;
            }
            else if (total > 0)
            {
                var prefix = 0L;
                while (prefix < _rules.TopShare * total)
                {
                    prefix += volumes[topCount++].Volume;
                }
            }
            var firms = new Dictionary<string, (long Volume, decimal Share, int Rank, DemandGroupName Group)>(StringComparer.Ordinal);
            for (var i = 0; i < volumes.Count; i++)
            {
                var share = total > 0 ? decimal.Round((decimal)volumes[i].Volume / total, 6, MidpointRounding.AwayFromZero) : 0m;
                firms[volumes[i].Firm] = (volumes[i].Volume, share, i + 1, i < topCount ? DemandGroupName.A : DemandGroupName.B);
            }
            Hold(result.Demand.Count == firms.Count && result.Demand.Select(d => d.FirmId).Distinct(StringComparer.Ordinal).Count() == firms.Count,
                ConsumableRuleCodes.DemandGroups, place, () => $"{result.Demand.Count} firms ranked by demand, {firms.Count} firms bid");
            foreach (var stated in result.Demand)
            {
                var known = firms.TryGetValue(stated.FirmId, out var firm);
                Hold(known && stated.IntendedVolume == firm.Volume && stated.Share == firm.Share && stated.Rank == firm.Rank && stated.Group == firm.Group,
                    ConsumableRuleCodes.DemandGroups, $"{place}, firm {stated.FirmId}",
                    () => known
                        ? $"stated volume {stated.IntendedVolume}, share {stated.Share}, rank {stated.Rank}, group {stated.Group}; the demand gives {firm.Volume}, {firm.Share}, {firm.Rank}, {firm.Group}"
                        : "the firm did not bid in the category");
            }
            return firms;
        }

        /// <summary>
        /// One bid per firm and product (the first in price order), qualification, component prices,
        /// the group's maximum price, then one firm per affiliate group: the one with the lowest remaining bid.
        /// </summary>
        private List<Expected> Eligible(ConsumableCategoryInput category, List<Expected> expected)
        {
            var passed = new List<Expected>();
            var firstOfProduct = expected.GroupBy(e => $"{e.Bid.FirmId}\n{e.Bid.Product.CertificateNumber}/{e.Bid.Product.Model}", StringComparer.Ordinal)
                .Select(g => g.First().Bid.BidId).ToHashSet(StringComparer.Ordinal);
            foreach (var entry in expected)
            {
                var bid = entry.Bid;
                if (!firstOfProduct.Contains(bid.BidId))
                {
                    entry.Reason = "LOST_PRODUCT_REPEATED";
                }
                else if (!bid.Qualification.RegistrationValid || bid.Qualification.BarredByCreditRating)
                {
                    entry.Reason = "LOST_NOT_QUALIFIED";
                }
                else if (category.PurchaseUnit == PurchaseUnit.System && !ComponentsConsistent(category, bid))
                {
                    entry.Reason = "LOST_COMPONENTS_INCONSISTENT";
                }
                else if (bid.Price > GroupMaximum(category, entry.Group))
                {
                    entry.Reason = "LOST_ABOVE_MAXIMUM_PRICE";
                }
                else
                {
                    passed.Add(entry);
                }
            }
            if (!_rules.AffiliatesAsOneBidder)
            {
                return passed;
            }
            var competingFirm = passed.GroupBy(e => e.Bid.AffiliateGroup, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Bid.FirmId, StringComparer.Ordinal);
            foreach (var entry in passed.Where(e => competingFirm[e.Bid.AffiliateGroup] != e.Bid.FirmId))
            {
                entry.Reason = "LOST_AFFILIATE_NOT_BEST";
            }
            return passed.Where(e => competingFirm[e.Bid.AffiliateGroup] == e.Bid.FirmId).ToList();
        }

        private bool ComponentsConsistent(ConsumableCategoryInput category, ConsumableBidInput bid)
        {
            var maxima = category.Components.ToDictionary(c => c.ComponentId, c => c.MaxValidPrice, StringComparer.Ordinal);
            if (bid.ComponentPrices.Any(p => maxima[p.ComponentId] is { } maximum && p.Price > maximum))
            {
                return false;
            }
            return !_rules.ComponentSumAtLeastSetPrice || bid.ComponentPrices.Sum(p => p.Price) >= bid.Price;
        }

        private decimal GroupMaximum(ConsumableCategoryInput category, DemandGroupName group) =>
            (group == DemandGroupName.A ? _rules.GroupA : _rules.GroupB).MaxValidPriceShare * category.MaxValidPrice;

        /// <summary>One group's ranking, reference, routes and cap; returns the group's figures as the rules give them.</summary>
        private ConsumableGroupResult Decide(ConsumableCategoryInput category, DemandGroupName group, List<Expected> members, decimal? lowestOfA, int firms)
        {
            var rule = group == DemandGroupName.A ? _rules.GroupA : _rules.GroupB;
            var maximum = GroupMaximum(category, group);
            var bidders = members.Select(m => m.Bid.FirmId).Distinct(StringComparer.Ordinal).Count();
            int? cap = rule.MaxWinners;
            if (rule.WinnerShare is { } winnerShare)
            {
                var byShare = Math.Max(1, (int)Math.Floor(winnerShare * bidders));
                cap = cap is { } fixedCap ? Math.Min(fixedCap, byShare) : byShare;
            }
            if (members.Count == 0)
            {
                return new ConsumableGroupResult(group, maximum, firms, 0, null, null, cap, 0);
            }
            var lowest = members.Min(m => m.Bid.Price);
            var reference = rule.Reference == RatioReference.GroupALowest ? lowestOfA ?? lowest : lowest;
            var qualifying = new List<Expected>();
            for (var i = 0; i < members.Count; i++)
            {
                var entry = members[i];
                (entry.Rank, entry.Reference, entry.Ratio) = (i + 1, reference, decimal.Round(entry.Bid.Price / reference, 4, MidpointRounding.AwayFromZero));
                entry.DecidedBy = ConsumableRuleCodes.PriceRule;
                var byRatio = rule.RatioLimit is { } limit && entry.Bid.Price <= limit * reference;
                var byCut = rule.PriceCut is { } cut && entry.Bid.Price <= (1 - cut) * maximum;
                entry.Reason = byRatio ? "WON_WITHIN_RATIO"
                    : byCut ? "WON_PRICE_CUT"
                    : rule.RatioLimit is null && rule.PriceCut is null ? "WON_ELIGIBLE"
                    : rule.RatioLimit is null ? "LOST_CUT_TOO_SMALL"
                    : "LOST_ABOVE_RATIO";
                if (entry.Won)
                {
                    qualifying.Add(entry);
                }
            }
            var admitted = qualifying.Select(q => q.Bid.FirmId).Distinct(StringComparer.Ordinal).Take(cap ?? int.MaxValue).ToHashSet(StringComparer.Ordinal);
            foreach (var entry in qualifying)
            {
                entry.DecidedBy = ConsumableRuleCodes.WinnerCap;
                if (!admitted.Contains(entry.Bid.FirmId))
                {
                    entry.Reason = "LOST_WINNER_CAP";
                }
            }
            return new ConsumableGroupResult(group, maximum, firms, bidders, lowest, reference, cap, admitted.Count);
        }

        private void CheckStatements(string place, ConsumableCategoryInput category, List<Expected> expected, ConsumableCategoryResult result)
        {
            var statements = result.Statements.ToLookup(s => s.BidId, StringComparer.Ordinal);
            var bidIds = expected.Select(e => e.Bid.BidId).ToHashSet(StringComparer.Ordinal);
            foreach (var extra in result.Statements.Where(s => !bidIds.Contains(s.BidId)))
            {
                Hold(false, ConsumableRuleCodes.Document, $"{place}, bid {extra.BidId}", () => "a statement for a bid the input does not have in this category");
            }
            foreach (var entry in expected)
            {
                var at = $"{place}, bid {entry.Bid.BidId}";
                var list = statements[entry.Bid.BidId].ToList();
                Hold(list.Count == 1, ConsumableRuleCodes.Document, at, () => $"the bid has {list.Count} statements");
                if (list.Count != 1)
                {
                    continue;
                }
                var s = list[0];
                Hold(s.Won == entry.Won, ConsumableRuleCodes.Winners, at, () => $"{(s.Won ? "won" : "lost")} ({s.Reason}), but the rules say {entry.Reason}");
                Hold(s.Reason == entry.Reason, entry.DecidedBy, at, () => $"reason {s.Reason}, the rules give {entry.Reason}");
                Hold(s.Rank == entry.Rank && s.ReferencePrice == entry.Reference && s.RatioToReference == entry.Ratio, ConsumableRuleCodes.PriceRule, at,
                    () => $"rank {s.Rank}, reference {s.ReferencePrice}, ratio {s.RatioToReference}; the rules give {entry.Rank}, {entry.Reference}, {entry.Ratio}");
                Hold(s.Group == entry.Group && s.FirmIntendedVolume == entry.FirmVolume && s.FirmDemandShare == entry.FirmShare, ConsumableRuleCodes.DemandGroups, at,
                    () => $"group {s.Group}, firm volume {s.FirmIntendedVolume}, share {s.FirmDemandShare}; the demand gives {entry.Group}, {entry.FirmVolume}, {entry.FirmShare}");
                Hold(s.FirmId == entry.Bid.FirmId && s.AffiliateGroup == entry.Bid.AffiliateGroup && s.CategoryId == category.CategoryId
                        && s.ProductId == entry.Bid.Product.ProductId && s.Price == entry.Bid.Price,
                    ConsumableRuleCodes.Document, at, () => "the statement's firm, affiliate group, category, product or price is not the bid's");
                Hold(s.AwardedPrice == (entry.Won ? entry.Bid.Price : null) && (s.AwardedComponentPrices ?? []).SequenceEqual(entry.Won ? entry.Bid.ComponentPrices ?? [] : []),
                    ConsumableRuleCodes.Winners, at, () => $"awarded {s.AwardedPrice} with {s.AwardedComponentPrices?.Count ?? 0} component prices; the bid's price and components are awarded to a winner only");
            }
            var won = expected.Where(e => e.Won).Select(e => e.Bid.BidId).ToHashSet(StringComparer.Ordinal);
            Hold(won.SetEquals(result.Winners.Select(w => w.BidId)) && result.Winners.Count == won.Count, ConsumableRuleCodes.Winners, place,
                () => $"the winners listed are {string.Join(", ", result.Winners.Select(w => w.BidId))}; the rules give {string.Join(", ", won.Order(StringComparer.Ordinal))}");
        }

        private void CheckVolumes(string place, List<Expected> expected, List<HospitalIntentionInput> intentions, ConsumableCategoryResult result)
        {
            var winners = expected.Where(e => e.Won).ToList();
            var winnerById = winners.ToDictionary(w => w.Bid.BidId, StringComparer.Ordinal);
            var byProduct = intentions.ToLookup(i => (i.IntendedFirmId, i.IntendedProductId));
            foreach (var winner in result.Winners)
            {
                if (!winnerById.TryGetValue(winner.BidId, out var entry))
                {
                    continue;
                }
                var bid = entry.Bid;
                var volume = byProduct[(bid.FirmId, bid.Product.ProductId)].Sum(i => i.Quantity);
                Hold(winner.IntendedVolume == volume, ConsumableRuleCodes.IntendedVolume, $"{place}, winner {winner.BidId}",
                    () => $"intended volume {winner.IntendedVolume}, the intentions naming the product add up to {volume}");
                Hold(winner.FirmId == bid.FirmId && winner.ProductId == bid.Product.ProductId && winner.Group == entry.Group && winner.AwardedPrice == bid.Price
                        && (winner.AwardedComponentPrices ?? []).SequenceEqual(bid.ComponentPrices ?? []) && winner.AnnualCapacity == bid.AnnualCapacity,
                    ConsumableRuleCodes.Winners, $"{place}, winner {winner.BidId}", () => "the winner's firm, product, group, awarded prices or capacity are not the bid's");
            }

            var productsWon = winners.GroupBy(w => w.Bid.FirmId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(w => w.Bid.Product.ProductId).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
            var bidding = expected.Select(e => e.Bid.FirmId).ToHashSet(StringComparer.Ordinal);
            var kept = new Dictionary<string, long>(StringComparer.Ordinal);
            var again = new Dictionary<(string, string, string, string?, long, string), int>();
            foreach (var intention in intentions)
            {
                var won = productsWon.GetValueOrDefault(intention.IntendedFirmId);
                var reason = !bidding.Contains(intention.IntendedFirmId) ? "INTENDED_FIRM_DID_NOT_BID"
                    : won is null ? "INTENDED_FIRM_LOST"
                    : intention.IntendedProductId is not null && !won.Contains(intention.IntendedProductId) ? "INTENDED_PRODUCT_LOST"
                    : null;
                if (reason is null)
                {
                    kept[intention.IntendedFirmId] = kept.GetValueOrDefault(intention.IntendedFirmId) + intention.Quantity;
                    continue;
                }
                var key = (intention.HospitalId, intention.Region, intention.IntendedFirmId, intention.IntendedProductId, intention.Quantity, reason);
                again[key] = again.GetValueOrDefault(key) + 1;
            }
            foreach (var stated in result.ToChooseAgain)
            {
                var key = (stated.HospitalId, stated.Region, stated.IntendedFirmId, stated.IntendedProductId, stated.Quantity, stated.Reason);
                var left = again.GetValueOrDefault(key);
                Hold(left > 0, ConsumableRuleCodes.ChooseAgain, $"{place}, hospital {stated.HospitalId}",
                    () => $"listed to choose again ({stated.Reason}) for firm {stated.IntendedFirmId}, but the rules keep its intention or give another reason");
                again[key] = left - 1;
            }
            foreach (var (key, left) in again.Where(a => a.Value > 0))
            {
                Hold(false, ConsumableRuleCodes.ChooseAgain, $"{place}, hospital {key.Item1}", () => $"its intention for firm {key.Item3} did not win ({key.Item6}) but it is not listed to choose again");
            }

            var firmsStated = result.WinningFirms.ToLookup(f => f.FirmId, StringComparer.Ordinal);
            Hold(result.WinningFirms.Count == productsWon.Count, ConsumableRuleCodes.Winners, place,
                () => $"{result.WinningFirms.Count} winning firms listed, the rules give {productsWon.Count}");
            var winningBids = winners.ToLookup(w => w.Bid.FirmId, w => w.Bid.BidId, StringComparer.Ordinal);
            foreach (var firm in productsWon.Keys)
            {
                var list = firmsStated[firm].ToList();
                var bidIds = winningBids[firm].ToHashSet(StringComparer.Ordinal);
                Hold(list.Count == 1 && list[0].WinningBidIds.ToHashSet(StringComparer.Ordinal).SetEquals(bidIds), ConsumableRuleCodes.Winners, $"{place}, firm {firm}",
                    () => list.Count == 1 ? $"winning bids {string.Join(", ", list[0].WinningBidIds)}, the rules give {string.Join(", ", bidIds)}" : $"the firm is listed {list.Count} times");
                if (list.Count == 1)
                {
                    var volume = kept.GetValueOrDefault(firm);
                    Hold(list[0].IntendedVolume == volume, ConsumableRuleCodes.IntendedVolume, $"{place}, firm {firm}",
                        () => $"intended volume {list[0].IntendedVolume}, the intentions that keep this firm add up to {volume}");
                }
            }
        }
    }
}
