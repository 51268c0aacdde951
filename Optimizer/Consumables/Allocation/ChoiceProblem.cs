namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// One category in indices: the winning offers (price in fen, capacity) grouped by firm, every
/// hospital's choice list as groups of offer indices with their ranks and costs, the four objective
/// levels of an assignment, and the greedy assignment the solve starts from. An assignment is one
/// offer index per hospital, -1 for unsupplied.
/// </summary>
internal sealed class ChoiceProblem
{
    public ChoiceProblem(CategoryChoices category, FallbackRule fallback)
    {
        Category = category;
        Winners = category.Winners.ToArray();
        PriceFen = Winners.Select(w => checked((long)(w.UnitPrice * 100m))).ToArray();
        Capacity = Winners.Select(w => w.AnnualCapacity ?? long.MaxValue).ToArray();
        Hospitals = category.Intentions.ToArray();
        Quantity = Hospitals.Select(h => h.Quantity).ToArray();
        var byFirm = new Dictionary<string, int>(StringComparer.Ordinal);
        var firmOffers = new List<List<int>>();
        FirmOf = new int[Winners.Length];
        for (var k = 0; k < Winners.Length; k++)
        {
            if (!byFirm.TryGetValue(Winners[k].FirmId, out var f))
            {
                f = firmOffers.Count;
                byFirm[Winners[k].FirmId] = f;
                firmOffers.Add([]);
            }
            firmOffers[f].Add(k);
            FirmOf[k] = f;
        }
        // A firm's offers cheapest first (then in the input's order): the order a choice of several is tried in.
        FirmOffers = firmOffers.Select(o => o.OrderBy(k => PriceFen[k]).ThenBy(k => k).ToArray()).ToArray();
        FirmCapacity = FirmOffers.Select(o => o.Aggregate(0L, (sum, k) => sum == long.MaxValue || Capacity[k] == long.MaxValue ? long.MaxValue : checked(sum + Capacity[k]))).ToArray();
        var byOffer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < Winners.Length; k++)
        {
            byOffer[Winners[k].OfferId] = k;
        }
        Groups = new int[Hospitals.Length][][];
        Listed = new bool[Hospitals.Length];
        for (var h = 0; h < Hospitals.Length; h++)
        {
            var named = (Hospitals[h].NamedOffers ?? []).Where(byOffer.ContainsKey).Select(id => byOffer[id]).ToList();
            var groups = new List<int[]>();
            var seen = new HashSet<int>();
            foreach (var firm in (IEnumerable<string>)[Hospitals[h].IntendedFirmId, .. Hospitals[h].FurtherChoices ?? []])
            {
                if (!byFirm.TryGetValue(firm, out var f) || !seen.Add(f))
                {
                    continue;
                }
                var offer = named.FirstOrDefault(k => FirmOf[k] == f, -1);
                if (offer >= 0 && FirmOffers[f].Length > 1)
                {
                    groups.Add([offer]);
                    groups.Add(FirmOffers[f].Where(k => k != offer).ToArray());
                }
                else
                {
                    groups.Add(FirmOffers[f]);
                }
            }
            Groups[h] = [.. groups];
            Listed[h] = groups.Count > 0;
        }
        if (fallback == FallbackRule.ProportionalToIntendedVolume && Winners.Length > 0)
        {
            Apportion();
        }
        Choices = Groups.Select(g => g.SelectMany(o => o).ToArray()).ToArray();
        RankOf = new Dictionary<int, int>[Hospitals.Length];
        for (var h = 0; h < Hospitals.Length; h++)
        {
            RankOf[h] = [];
            for (var g = 0; g < Groups[h].Length; g++)
            {
                foreach (var k in Groups[h][g])
                {
                    RankOf[h][k] = g;
                }
            }
        }
        IntendedVolume = new long[Winners.Length];
        for (var h = 0; h < Hospitals.Length; h++)
        {
            if (Listed[h] && Groups[h][0].Length == 1)
            {
                IntendedVolume[Groups[h][0][0]] += Quantity[h];
            }
        }
        ListedCount = Listed.Count(l => l);
        MaxRankSum = Groups.Sum(g => (long)g.Length + 1);
        RankWeight = MaxRankSum + 1;
    }

    public CategoryChoices Category { get; }

    public WinningOffer[] Winners { get; }

    public long[] PriceFen { get; }

    /// <summary>Capacity per winner, <see cref="long.MaxValue"/> when unbounded.</summary>
    public long[] Capacity { get; }

    public HospitalIntention[] Hospitals { get; }

    public long[] Quantity { get; }

    /// <summary>The firm of each offer, an index into <see cref="FirmOffers"/>.</summary>
    public int[] FirmOf { get; }

    /// <summary>Each firm's offers, cheapest first.</summary>
    public int[][] FirmOffers { get; }

    /// <summary>Each firm's offers' capacities together, <see cref="long.MaxValue"/> when one is unbounded.</summary>
    public long[] FirmCapacity { get; }

    /// <summary>
    /// Each hospital's choice list (see <see cref="HospitalAssignment.Rank"/>): its choices in order,
    /// each the offers of one firm, or the one offer it named of a firm and then the firm's others.
    /// </summary>
    public int[][][] Groups { get; }

    /// <summary>Each hospital's choice list flattened, first available choice first, each choice's offers cheapest first.</summary>
    public int[][] Choices { get; }

    /// <summary>The rank of each offer in a hospital's list.</summary>
    private Dictionary<int, int>[] RankOf { get; }

    /// <summary>Whether the hospital listed a firm that won (it counts in the first-choice level).</summary>
    public bool[] Listed { get; }

    public long[] IntendedVolume { get; }

    public int ListedCount { get; }

    public long MaxRankSum { get; }

    /// <summary>The weight of a lost first choice in the preference key: above any rank sum, so the key orders first choices, then ranks.</summary>
    public long RankWeight { get; }

    public int Rank(int h, int k) =>
        k < 0 ? Groups[h].Length + 1 : RankOf[h].TryGetValue(k, out var rank) ? rank : Groups[h].Length;

    public long Cost(int h, int k) => k < 0 ? 0 : checked(Quantity[h] * PriceFen[k]);

    public bool IsFirst(int h, int k) => Listed[h] && k >= 0 && RankOf[h].TryGetValue(k, out var rank) && rank == 0;

    public ChoiceKind Kind(int h, int k) =>
        k < 0 ? ChoiceKind.Unsupplied
        : !Listed[h] || !RankOf[h].TryGetValue(k, out var rank) ? ChoiceKind.AllianceRule
        : rank == 0 ? ChoiceKind.FirstChoice
        : ChoiceKind.FurtherChoice;

    public (long Unsupplied, int First, long RankSum, long Cost) Levels(int[] assign)
    {
        long unsupplied = 0, rankSum = 0, cost = 0;
        var first = 0;
        for (var h = 0; h < assign.Length; h++)
        {
            var k = assign[h];
            unsupplied += k < 0 ? Quantity[h] : 0;
            first += IsFirst(h, k) ? 1 : 0;
            rankSum += Rank(h, k);
            cost = checked(cost + Cost(h, k));
        }
        return (unsupplied, first, rankSum, cost);
    }

    /// <summary>The preference key minimised at level 2 and 3 together: lost first choices times <see cref="RankWeight"/>, plus the rank sum.</summary>
    public long Key(int first, long rankSum) => checked((ListedCount - first) * RankWeight + rankSum);

    /// <summary>
    /// An upper bound on first choices that the LP misses: a firm keeps at most as many of the
    /// hospitals whose first choice is among its offers as fit its offers' capacities together,
    /// smallest first (a knapsack counting items is solved exactly that way), whatever happens elsewhere.
    /// </summary>
    public int MaxFirstChoices()
    {
        var bound = 0;
        foreach (var wanting in Enumerable.Range(0, Hospitals.Length).Where(h => Listed[h]).GroupBy(h => FirmOf[Groups[h][0][0]]))
        {
            var room = FirmCapacity[wanting.Key];
            foreach (var q in wanting.Select(h => Quantity[h]).Order())
            {
                if (q > room)
                {
                    break;
                }
                room = room == long.MaxValue ? room : room - q;
                bound++;
            }
        }
        return bound;
    }

    /// <summary>
    /// The greedy start: every hospital its first choice, the hospitals of a single named offer before
    /// those of a whole firm, the smallest first (the most first choices a winner can keep), each on the
    /// cheapest offer of its choice with room; the others, largest first, to their next choice with
    /// room, then the cheapest offer with room, else unsupplied.
    /// </summary>
    public int[] Greedy()
    {
        var assign = new int[Hospitals.Length];
        var left = (long[])Capacity.Clone();
        var waiting = new List<int>();
        var wanting = new List<int>();
        for (var h = 0; h < Hospitals.Length; h++)
        {
            assign[h] = -1;
            (Groups[h].Length > 0 ? wanting : waiting).Add(h);
        }
        foreach (var h in wanting.OrderBy(h => Groups[h][0].Length).ThenBy(h => Quantity[h]).ThenBy(h => h))
        {
            var k = Groups[h][0].FirstOrDefault(k => Quantity[h] <= left[k], -1);
            if (k >= 0)
            {
                assign[h] = k;
                left[k] -= left[k] == long.MaxValue ? 0 : Quantity[h];
            }
            else
            {
                waiting.Add(h);
            }
        }
        var cheapest = Enumerable.Range(0, Winners.Length).OrderBy(k => PriceFen[k]).ThenBy(k => k).ToArray();
        foreach (var h in waiting.OrderByDescending(h => Quantity[h]).ThenBy(h => h))
        {
            var k = Groups[h].Skip(1).SelectMany(g => g).Concat(cheapest).FirstOrDefault(k => Quantity[h] <= left[k], -1);
            if (k >= 0)
            {
                assign[h] = k;
                left[k] -= left[k] == long.MaxValue ? 0 : Quantity[h];
            }
        }
        return assign;
    }

    /// <summary>
    /// <see cref="FallbackRule.ProportionalToIntendedVolume"/>, by firm: each hospital with no listed
    /// winner, largest first, goes to the winning firm furthest below its share of the orphans' volume
    /// (shares proportional to the volume whose first choice is the firm's, equal if nobody intended a
    /// winner), among those with capacity left (their offers' together) after that volume and what they
    /// were given, the cheaper firm (its cheapest offer) first on a tie; that firm's offers become its
    /// only choice.
    /// </summary>
    private void Apportion()
    {
        var orphans = Enumerable.Range(0, Hospitals.Length).Where(h => !Listed[h]).OrderByDescending(h => Quantity[h]).ThenBy(h => h).ToList();
        if (orphans.Count == 0)
        {
            return;
        }
        var firms = FirmOffers.Length;
        var intendedByFirm = new long[firms];
        for (var h = 0; h < Hospitals.Length; h++)
        {
            if (Listed[h])
            {
                intendedByFirm[FirmOf[Groups[h][0][0]]] += Quantity[h];
            }
        }
        var cheapestFen = FirmOffers.Select(o => PriceFen[o[0]]).ToArray();
        var orphanVolume = (decimal)orphans.Sum(h => Quantity[h]);
        var intended = (decimal)intendedByFirm.Sum();
        var target = intendedByFirm.Select(v => intended == 0 ? orphanVolume / firms : orphanVolume * v / intended).ToArray();
        var room = FirmCapacity.Select((c, f) => c == long.MaxValue ? long.MaxValue : c - intendedByFirm[f]).ToArray();
        var given = new decimal[firms];
        foreach (var h in orphans)
        {
            var best = -1;
            for (var f = 0; f < firms; f++)
            {
                if (room[f] < Quantity[h])
                {
                    continue;
                }
                if (best < 0 || target[f] - given[f] > target[best] - given[best]
                    || (target[f] - given[f] == target[best] - given[best] && cheapestFen[f] < cheapestFen[best]))
                {
                    best = f;
                }
            }
            if (best >= 0)
            {
                Groups[h] = [FirmOffers[best]];
                given[best] += Quantity[h];
                room[best] = room[best] == long.MaxValue ? long.MaxValue : room[best] - Quantity[h];
            }
        }
    }
}
