using System.Numerics;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Optimizer.Checking;

/// <summary>
/// The checker's own reading of a round's winner rules for one product, written from the rule text
/// (docs/AWARD.md, "Winner determination") rather than from the engine: what every bid's outcome
/// must be, with exact prices.
/// </summary>
internal sealed class RuleOutcome
{
    public required IReadOnlyDictionary<string, Expected> Bids { get; init; }

    public required IReadOnlyList<Expected> Winners { get; init; }

    /// <summary>The winners by bid id.</summary>
    public required IReadOnlyDictionary<string, Expected> WinnerById { get; init; }

    /// <summary>The winners that supply a region, in rank order (an empty list for a region none supplies).</summary>
    public IReadOnlyList<Expected> WinnersIn(string region)
    {
        if (!_byRegion.TryGetValue(region, out var list))
        {
            _byRegion[region] = list = Winners.Where(w => w.Regions.Contains(region)).ToList();
        }
        return list;
    }

    private readonly Dictionary<string, IReadOnlyList<Expected>> _byRegion = new(StringComparer.Ordinal);

    public required int EligibleFirms { get; init; }

    public required int Cap { get; init; }

    public required decimal AgreedShare { get; init; }

    public required Fraction? Anchor { get; init; }

    /// <summary>One bid as the rules decide it.</summary>
    internal sealed class Expected(BidInput bid, Fraction unit, Fraction packToUnit)
    {
        public BidInput Bid { get; } = bid;

        /// <summary>The regions the bid offers to supply.</summary>
        public HashSet<string> Regions { get; } = new(bid.SupplyRegions ?? [], StringComparer.Ordinal);

        /// <summary>The exact unit comparable price.</summary>
        public Fraction Unit { get; } = unit;

        /// <summary>Pack price per unit comparable price on the bid's specification: factor x representative pack count.</summary>
        public Fraction PackToUnit { get; } = packToUnit;

        public bool Won { get; set; }

        public string Reason { get; set; } = "";

        public int? Rank { get; set; }

        public Fraction? AwardedUnit
        {
            get => _awardedUnit;
            set => (_awardedUnit, AwardedUnitRounded) = (value, value?.Round(6) ?? 0m);
        }

        /// <summary>The awarded unit price as statements and lines show it: to 6 decimals, half away from zero.</summary>
        public decimal AwardedUnitRounded { get; private set; }

        /// <summary>
        /// What a line of <paramref name="volume"/> units is paid: volume x the exact awarded unit
        /// price, rounded once to the fen, half away from zero (never from the 6-decimal price).
        /// </summary>
        public decimal AmountOf(long volume)
        {
            var price = _awardedUnit ?? Fraction.Of(0);
            BigInteger fen;
            // A line's figures fit 128 bits almost always; a national hospital award checks millions of lines.
            if (price.Numerator <= long.MaxValue && price.Denominator <= long.MaxValue && volume is >= 0 and < 1L << 40)
            {
                var hundredfold = (Int128)(long)price.Numerator * volume * 100;
                var denominator = (Int128)(long)price.Denominator;
                var (whole, remainder) = Int128.DivRem(hundredfold, denominator);
                fen = (BigInteger)(remainder * 2 >= denominator ? whole + 1 : whole);
            }
            else
            {
                var whole = BigInteger.DivRem(price.Numerator * volume * 100, price.Denominator, out var remainder);
                fen = remainder * 2 >= price.Denominator ? whole + 1 : whole;
            }
            return (decimal)fen / 100m;
        }

        private Fraction? _awardedUnit;

        public decimal? AwardedPack { get; set; }

        public string? Route { get; set; }
    }

    public static RuleOutcome Derive(RuleParameters rules, ProductInput product, IReadOnlyList<BidInput> bids)
    {
        var priced = new List<Expected>(bids.Count);
        foreach (var bid in bids)
        {
            var specification = string.Equals(product.Representative.Code, bid.SpecificationCode, StringComparison.Ordinal)
                ? product.Representative
                : product.OtherSpecifications?.FirstOrDefault(s => string.Equals(s.Code, bid.SpecificationCode, StringComparison.Ordinal));
            if (specification is null)
            {
                // The input's validation refuses this before any award; a bid the rules cannot price cannot win.
                priced.Add(new Expected(bid, Fraction.Of(decimal.MaxValue), Fraction.Of(1)) { Reason = "LOST_NOT_QUALIFIED" });
                continue;
            }
            var toUnit = Fraction.Of(ConversionFactor(rules, product.Representative, specification)) * Fraction.Of(product.Representative.PackCount);
            priced.Add(new Expected(bid, Fraction.Of(bid.PricePerPack) / toUnit, toUnit));
        }
        // Rank order: price, then the earlier server receipt, then the bid id.
        priced.Sort((a, b) =>
        {
            var byPrice = a.Unit.CompareTo(b.Unit);
            if (byPrice != 0)
            {
                return byPrice;
            }
            var byTime = a.Bid.ReceivedAt.CompareTo(b.Bid.ReceivedAt);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Bid.BidId, b.Bid.BidId);
        });

        var maximum = Fraction.Of(product.MaxValidUnitPrice);
        var groupsSeen = new HashSet<string>(StringComparer.Ordinal);
        var eligible = new List<Expected>();
        foreach (var entry in priced)
        {
            var q = entry.Bid.Qualification;
            if (entry.Reason.Length > 0
                || !q.ConsistencyEvaluationPassed
                || q.YearsOfProduction < rules.MinimumYearsOfProduction
                || (rules.GmpViolationDisqualifies && q.GmpViolationInLastTwoYears))
            {
                entry.Reason = "LOST_NOT_QUALIFIED";
            }
            else if (entry.Unit.CompareTo(maximum) > 0)
            {
                entry.Reason = "LOST_ABOVE_MAXIMUM_PRICE";
            }
            else if (rules.AffiliatesAsOneBidder && !groupsSeen.Add(entry.Bid.BidderGroup))
            {
                entry.Reason = "LOST_AFFILIATE_NOT_BEST";
            }
            else
            {
                eligible.Add(entry);
                entry.Rank = eligible.Count;
            }
        }

        var n = eligible.Count;
        var cap = n == 0 ? 0 : rules.MaxWinnersByEligible[Math.Min(n, rules.MaxWinnersByEligible.Count) - 1];
        Fraction? anchor = null;
        if (n > 0)
        {
            var lowest = eligible[0].Unit;
            anchor = lowest;
            if (rules.Anchor == AnchorRule.LowestOrShareOfAverage)
            {
                var total = eligible.Aggregate(Fraction.Of(0), (sum, e) => sum + e.Unit);
                var share = Fraction.Of(rules.AnchorShareOfAverage) * total / Fraction.Of(n);
                anchor = share.CompareTo(lowest) > 0 ? share : lowest;
            }
        }

        var qualifying = new List<Expected>();
        var cut = new List<Expected>();
        foreach (var entry in eligible)
        {
            entry.Route = RouteOf(rules, product, entry.Unit, anchor!.Value);
            (entry.Route is null ? cut : qualifying).Add(entry);
        }
        if (rules.HighestQualifyingCannotWin && qualifying.Count > 1)
        {
            var highest = qualifying.Max(e => e.Unit);
            if (qualifying.Any(e => e.Unit.CompareTo(highest) < 0))
            {
                foreach (var entry in qualifying.Where(e => e.Unit.CompareTo(highest) == 0))
                {
                    entry.Reason = "LOST_HIGHEST_QUALIFYING_PRICE";
                }
                qualifying = qualifying.Where(e => e.Unit.CompareTo(highest) < 0).ToList();
            }
        }

        var winners = new List<Expected>();
        foreach (var entry in qualifying)
        {
            if (winners.Count < cap)
            {
                Win(entry, entry.Route!, entry.Unit, entry.Bid.PricePerPack);
                winners.Add(entry);
            }
            else
            {
                entry.Reason = "LOST_WINNER_CAP";
            }
        }

        Fraction? revival = rules.Revival switch
        {
            RevivalRule.HighestWinningPrice when winners.Count == 1 => Fraction.Of(rules.RatioLimit) * winners[0].Unit,
            RevivalRule.HighestWinningPrice when winners.Count > 1 => winners.Max(w => w.Unit),
            RevivalRule.HighestPriceNotCut when qualifying.Count > 0 => qualifying.Max(e => e.Unit),
            _ => null,
        };
        foreach (var entry in cut)
        {
            if (revival is not { } price)
            {
                entry.Reason = "LOST_ABOVE_RATIO";
            }
            else if (!entry.Bid.AcceptsRevival)
            {
                entry.Reason = "LOST_REVIVAL_DECLINED";
            }
            else if (winners.Count < cap)
            {
                Win(entry, "WON_BY_REVIVAL", price, (price * entry.PackToUnit).Round(4));
                winners.Add(entry);
            }
            else
            {
                entry.Reason = "LOST_WINNER_CAP";
            }
        }

        var shares = rules.AgreedShareByWinners;
        return new RuleOutcome
        {
            Bids = priced.ToDictionary(e => e.Bid.BidId, StringComparer.Ordinal),
            Winners = winners,
            WinnerById = winners.ToDictionary(w => w.Bid.BidId, StringComparer.Ordinal),
            EligibleFirms = n,
            Cap = cap,
            AgreedShare = winners.Count == 0 ? 0m : shares[Math.Min(winners.Count, shares.Count) - 1],
            Anchor = anchor,
        };

        static void Win(Expected entry, string reason, Fraction unit, decimal pack)
        {
            entry.Won = true;
            entry.Reason = reason;
            entry.AwardedUnit = unit;
            entry.AwardedPack = pack;
        }
    }

    /// <summary>The first winning route a price takes, in the order the statements name them, or none (cut).</summary>
    private static string? RouteOf(RuleParameters rules, ProductInput product, Fraction unit, Fraction anchor)
    {
        if (unit.CompareTo(Fraction.Of(rules.RatioLimit) * anchor) <= 0)
        {
            return "WON_WITHIN_RATIO";
        }
        if (rules.WinningUnitPriceThreshold is { } threshold && unit.CompareTo(Fraction.Of(threshold)) <= 0)
        {
            return "WON_UNIT_PRICE_THRESHOLD";
        }
        if (rules.WinningPriceCut is { } cutShare && unit.CompareTo(Fraction.Of(1 - cutShare) * Fraction.Of(product.MaxValidUnitPrice)) <= 0)
        {
            return "WON_PRICE_CUT";
        }
        if (rules.DosageFormThresholds.TryGetValue(product.DosageForm, out var formThreshold) && unit.CompareTo(Fraction.Of(formThreshold)) <= 0)
        {
            return "WON_DOSAGE_FORM_THRESHOLD";
        }
        if (rules.OralSolidExemption is { } exemption && rules.OralSolidForms.Contains(product.DosageForm) && unit.CompareTo(Fraction.Of(exemption)) <= 0)
        {
            return "WON_ORAL_SOLID_EXEMPTION";
        }
        return null;
    }

    /// <summary>
    /// The rule's conversion factor K = a^log2(n / n_rep) x b^log2(s / s_rep), evaluated in double
    /// precision and rounded to 12 decimals: the rounded figure is the factor the rule applies
    /// (docs/AWARD.md, "Exact prices").
    /// </summary>
    private static decimal ConversionFactor(RuleParameters rules, SpecificationInput representative, SpecificationInput specification)
    {
        var byCount = Math.Pow((double)rules.PackCountDoublingFactor, Math.Log2((double)specification.PackCount / representative.PackCount));
        var byStrength = representative.StrengthMg == 0
            ? 1d
            : Math.Pow((double)rules.StrengthDoublingFactor, Math.Log2((double)(specification.StrengthMg / representative.StrengthMg)));
        return decimal.Round((decimal)(byCount * byStrength), 12);
    }
}

/// <summary>A non-negative rational number of big integers, for the checker's exact comparisons.</summary>
internal readonly record struct Fraction : IComparable<Fraction>
{
    private static readonly decimal[] PowersOfTen = Enumerable.Range(0, 29).Select(i => (decimal)BigInteger.Pow(10, i)).ToArray();

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    private Fraction(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("A fraction with denominator 0.");
        }
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        var divisor = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (divisor > BigInteger.One)
        {
            numerator /= divisor;
            denominator /= divisor;
        }
        Numerator = numerator;
        Denominator = denominator;
    }

    public static Fraction Of(decimal value)
    {
        var scale = value.Scale;
        return new Fraction(new BigInteger(value * PowersOfTen[scale]), BigInteger.Pow(10, scale));
    }

    public static Fraction operator +(Fraction a, Fraction b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Fraction operator *(Fraction a, Fraction b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static Fraction operator /(Fraction a, Fraction b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public int CompareTo(Fraction other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    /// <summary>Rounded half away from zero to <paramref name="decimals"/> places.</summary>
    public decimal Round(int decimals)
    {
        var scaled = BigInteger.Abs(Numerator) * BigInteger.Pow(10, decimals);
        var whole = BigInteger.DivRem(scaled, Denominator, out var remainder);
        if (remainder * 2 >= Denominator)
        {
            whole += 1;
        }
        var result = (decimal)whole / PowersOfTen[decimals];
        return Numerator.Sign < 0 ? -result : result;
    }
}
