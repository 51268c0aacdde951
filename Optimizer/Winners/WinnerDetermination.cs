using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Optimizer.Winners;

/// <summary>
/// Decides the winners of one product under a rule set, with a statement for every bid. The
/// steps follow the national procedure: normalise prices; drop unqualified bids and bids above the
/// maximum valid price; keep only each affiliated group's best bid where the round says so; rank;
/// find the anchor; test every bid against the winning routes; apply the round's exclusions and the
/// winner cap; offer revival. Ties in price are broken by the earlier server receipt time, then by
/// the bid id in ordinal order. Every comparison is on exact prices (<see cref="ExactPrice"/>); the
/// unit prices, anchors and ratios in the statements are rounded for display only.
/// </summary>
public sealed class WinnerDetermination(RuleParameters rules)
{
    public RuleParameters Rules { get; } = rules;

    public ProductResult Determine(ProductInput product, IReadOnlyList<BidInput> bids)
    {
        var maximum = ExactPrice.Of(product.MaxValidUnitPrice);
        var entries = bids
            .Select(b => new Entry(b, UnitPrice.Exact(Rules, product, UnitPrice.Find(product, b.SpecificationCode)
                ?? throw new ArgumentException($"Bid {b.BidId} names specification '{b.SpecificationCode}', which product {product.ProductId} does not have."), b.PricePerPack)))
            .OrderBy(e => e.Exact)
            .ThenBy(e => e.Bid.ReceivedAt)
            .ThenBy(e => e.Bid.BidId, StringComparer.Ordinal)
            .ToList();

        var competing = new List<Entry>();
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!IsQualified(entry.Bid.Qualification))
            {
                entry.Lose(Reasons.NotQualified, QualificationRule());
            }
            else if (entry.Exact > maximum)
            {
                entry.Lose(Reasons.AboveMaximumPrice, $"unit price {entry.Unit} > maximum valid price {product.MaxValidUnitPrice}");
            }
            else if (Rules.AffiliatesAsOneBidder && !groups.Add(entry.Bid.BidderGroup))
            {
                entry.Lose(Reasons.AffiliateNotBest, $"group {entry.Bid.BidderGroup} competes with its best bid only");
            }
            else
            {
                competing.Add(entry);
            }
        }
        for (var i = 0; i < competing.Count; i++)
        {
            competing[i].Rank = i + 1;
        }

        var cap = Rules.MaxWinners(competing.Count);
        ExactPrice? anchor = competing.Count == 0 ? null : AnchorOf(competing);
        var qualifying = new List<Entry>();
        var cut = new List<Entry>();
        foreach (var entry in competing)
        {
            entry.Anchor = anchor!.Value.ToDecimal(UnitPrice.Decimals);
            entry.Ratio = (entry.Exact / anchor.Value).ToDecimal(4);
            if (WinningRoute(product, entry, anchor.Value) is { } route)
            {
                entry.Route = route;
                qualifying.Add(entry);
            }
            else
            {
                entry.Lose(Reasons.AboveRatio, $"unit price {entry.Unit} > {Rules.RatioLimit} x anchor {entry.Anchor}");
                cut.Add(entry);
            }
        }

        // "The highest qualifying price cannot win" names a price, not a bid: every bid at that price
        // is out, tied or not (the order of receipt decides nothing here). When every qualifying bid
        // stands at one price there is no highest price apart from the others, and none is excluded.
        if (Rules.HighestQualifyingCannotWin && qualifying.Count > 1 && qualifying[0].Exact < qualifying[^1].Exact)
        {
            var highest = qualifying[^1].Exact;
            foreach (var entry in qualifying.Where(e => e.Exact == highest))
            {
                entry.Lose(Reasons.HighestQualifyingPrice, $"the highest qualifying price ({entry.Unit}) cannot win");
            }
            qualifying.RemoveAll(e => e.Exact == highest);
        }

        var winners = new List<Entry>();
        foreach (var entry in qualifying)
        {
            if (winners.Count < cap)
            {
                entry.Win(entry.Route!.Value.Reason, entry.Route.Value.Rule, entry.Exact, entry.Bid.PricePerPack);
                winners.Add(entry);
            }
            else
            {
                entry.Lose(Reasons.WinnerCapReached, $"at most {cap} winners with {competing.Count} eligible firms");
            }
        }

        if (RevivalPrice(winners, qualifying) is { } revival)
        {
            foreach (var entry in cut)
            {
                entry.RevivalUnitPrice = revival.ToDecimal(UnitPrice.Decimals);
                if (!entry.Bid.AcceptsRevival)
                {
                    entry.Lose(Reasons.RevivalDeclined, $"did not accept the revival price {entry.RevivalUnitPrice}");
                }
                else if (winners.Count < cap)
                {
                    var specification = UnitPrice.Find(product, entry.Bid.SpecificationCode)!;
                    entry.Win(Reasons.WonByRevival, $"revived at {entry.RevivalUnitPrice}", revival, UnitPrice.PackPrice(Rules, product, specification, revival));
                    winners.Add(entry);
                }
                else
                {
                    entry.Lose(Reasons.WinnerCapReached, $"revival offered at {entry.RevivalUnitPrice}, but at most {cap} winners with {competing.Count} eligible firms");
                }
            }
        }

        var statements = entries.Select(e => e.Statement(product.ProductId, Rules.BelowAnchorNeedsCostJustification)).ToList();
        var winnerStatements = winners.Select(w => statements.Single(s => s.BidId == w.Bid.BidId)).ToList();
        return new ProductResult(product.ProductId, competing.Count, anchor?.ToDecimal(UnitPrice.Decimals), cap, statements, winnerStatements, Rules.AgreedShare(winners.Count));
    }

    private bool IsQualified(BidderQualification qualification) =>
        qualification.ConsistencyEvaluationPassed
        && qualification.YearsOfProduction >= Rules.MinimumYearsOfProduction
        && !(Rules.GmpViolationDisqualifies && qualification.GmpViolationInLastTwoYears);

    private string QualificationRule() =>
        Rules.MinimumYearsOfProduction > 0 || Rules.GmpViolationDisqualifies
            ? $"consistency evaluation passed, {Rules.MinimumYearsOfProduction}+ years of production{(Rules.GmpViolationDisqualifies ? ", no GMP violation in 2 years" : "")}"
            : "consistency evaluation passed";

    /// <summary>The lowest competing price, or (round 11) the larger of it and a share of the competing prices' average, exactly.</summary>
    private ExactPrice AnchorOf(List<Entry> competing)
    {
        var lowest = competing[0].Exact;
        if (Rules.Anchor != AnchorRule.LowestOrShareOfAverage)
        {
            return lowest;
        }
        var sum = ExactPrice.Zero;
        foreach (var entry in competing)
        {
            sum += entry.Exact;
        }
        return ExactPrice.Max(lowest, ExactPrice.Of(Rules.AnchorShareOfAverage) * sum / ExactPrice.Of(competing.Count));
    }

    private (string Reason, string Rule)? WinningRoute(ProductInput product, Entry entry, ExactPrice anchor)
    {
        if (entry.Exact <= ExactPrice.Of(Rules.RatioLimit) * anchor)
        {
            return (Reasons.WonByRatio, $"unit price {entry.Unit} <= {Rules.RatioLimit} x anchor {entry.Anchor}");
        }
        if (Rules.WinningUnitPriceThreshold is { } threshold && entry.Exact <= ExactPrice.Of(threshold))
        {
            return (Reasons.WonByPriceThreshold, $"unit price {entry.Unit} <= {threshold}");
        }
        if (Rules.WinningPriceCut is { } cutShare && entry.Exact <= ExactPrice.Of(1 - cutShare) * ExactPrice.Of(product.MaxValidUnitPrice))
        {
            return (Reasons.WonByPriceCut, $"cut of at least {cutShare:P0} from the maximum valid price {product.MaxValidUnitPrice}");
        }
        if (Rules.DosageFormThresholds.TryGetValue(product.DosageForm, out var formThreshold) && entry.Exact <= ExactPrice.Of(formThreshold))
        {
            return (Reasons.WonByDosageFormThreshold, $"unit price {entry.Unit} <= {formThreshold} for {product.DosageForm}");
        }
        if (Rules.OralSolidExemption is { } exemption && Rules.OralSolidForms.Contains(product.DosageForm) && entry.Exact <= ExactPrice.Of(exemption))
        {
            return (Reasons.WonByOralSolidExemption, $"oral solid at {entry.Unit} <= {exemption} is exempt from the ratio cut");
        }
        return null;
    }

    private ExactPrice? RevivalPrice(List<Entry> winners, List<Entry> qualifying) => Rules.Revival switch
    {
        RevivalRule.HighestWinningPrice when winners.Count == 1 => ExactPrice.Of(Rules.RatioLimit) * winners[0].Exact,
        RevivalRule.HighestWinningPrice when winners.Count > 1 => winners.Select(w => w.Exact).Max(),
        RevivalRule.HighestPriceNotCut when qualifying.Count > 0 => qualifying.Select(q => q.Exact).Max(),
        _ => null,
    };

    private sealed class Entry(BidInput bid, ExactPrice exact)
    {
        public BidInput Bid { get; } = bid;

        /// <summary>The exact unit comparable price, which every rule compares.</summary>
        public ExactPrice Exact { get; } = exact;

        /// <summary>The unit comparable price to 6 decimals, for the statement.</summary>
        public decimal Unit { get; } = exact.ToDecimal(UnitPrice.Decimals);

        public int? Rank { get; set; }

        public decimal? Anchor { get; set; }

        public decimal? Ratio { get; set; }

        public (string Reason, string Rule)? Route { get; set; }

        public decimal? RevivalUnitPrice { get; set; }

        private bool _won;
        private string _reason = "";
        private string _rule = "";
        private ExactPrice? _awardedUnit;
        private decimal? _awardedPack;

        public void Win(string reason, string rule, ExactPrice awardedUnit, decimal awardedPack)
        {
            (_won, _reason, _rule, _awardedUnit, _awardedPack) = (true, reason, rule, awardedUnit, awardedPack);
        }

        public void Lose(string reason, string rule)
        {
            (_won, _reason, _rule, _awardedUnit, _awardedPack) = (false, reason, rule, null, null);
        }

        public BidStatement Statement(string productId, bool flagBelowAnchor) => new(
            Bid.BidId,
            Bid.ManufacturerId,
            Bid.BidderGroup,
            productId,
            Bid.PricePerPack,
            Unit,
            Anchor,
            Ratio,
            Rank,
            _won,
            _reason,
            _rule,
            RevivalUnitPrice,
            _awardedUnit?.ToDecimal(UnitPrice.Decimals),
            _awardedPack,
            flagBelowAnchor && _won && Anchor is { } anchor && Unit < anchor)
        {
            ExactAwardedUnitPrice = _awardedUnit,
        };
    }
}
