namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// One category in indices: the winners (price in fen, capacity), every hospital's choice list as
/// winner indices, ranks and costs, the four objective levels of an assignment, and the greedy
/// assignment the solve starts from. An assignment is one winner index per hospital, -1 for unsupplied.
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
        for (var k = 0; k < Winners.Length; k++)
        {
            byFirm[Winners[k].FirmId] = k;
        }
        Choices = new int[Hospitals.Length][];
        Listed = new bool[Hospitals.Length];
        for (var h = 0; h < Hospitals.Length; h++)
        {
            var list = new List<int>();
            foreach (var firm in (IEnumerable<string>)[Hospitals[h].IntendedFirmId, .. Hospitals[h].FurtherChoices ?? []])
            {
                if (byFirm.TryGetValue(firm, out var k) && !list.Contains(k))
                {
                    list.Add(k);
                }
            }
            Choices[h] = [.. list];
            Listed[h] = list.Count > 0;
        }
        IntendedVolume = new long[Winners.Length];
        for (var h = 0; h < Hospitals.Length; h++)
        {
            if (Listed[h])
            {
                IntendedVolume[Choices[h][0]] += Quantity[h];
            }
        }
        if (fallback == FallbackRule.ProportionalToIntendedVolume && Winners.Length > 0)
        {
            Apportion();
        }
        ListedCount = Listed.Count(l => l);
        MaxRankSum = Choices.Sum(c => (long)c.Length + 1);
        RankWeight = MaxRankSum + 1;
    }

    public CategoryChoices Category { get; }

    public WinningOffer[] Winners { get; }

    public long[] PriceFen { get; }

    /// <summary>Capacity per winner, <see cref="long.MaxValue"/> when unbounded.</summary>
    public long[] Capacity { get; }

    public HospitalIntention[] Hospitals { get; }

    public long[] Quantity { get; }

    /// <summary>Each hospital's choice list, first available choice first (see <see cref="HospitalAssignment.Rank"/>).</summary>
    public int[][] Choices { get; }

    /// <summary>Whether the hospital listed a firm that won (it counts in the first-choice level).</summary>
    public bool[] Listed { get; }

    public long[] IntendedVolume { get; }

    public int ListedCount { get; }

    public long MaxRankSum { get; }

    /// <summary>The weight of a lost first choice in the preference key: above any rank sum, so the key orders first choices, then ranks.</summary>
    public long RankWeight { get; }

    public int Rank(int h, int k)
    {
        if (k < 0)
        {
            return Choices[h].Length + 1;
        }
        var at = Array.IndexOf(Choices[h], k);
        return at >= 0 ? at : Choices[h].Length;
    }

    public long Cost(int h, int k) => k < 0 ? 0 : checked(Quantity[h] * PriceFen[k]);

    public bool IsFirst(int h, int k) => Listed[h] && k >= 0 && Choices[h][0] == k;

    public ChoiceKind Kind(int h, int k) =>
        k < 0 ? ChoiceKind.Unsupplied
        : !Listed[h] || Array.IndexOf(Choices[h], k) < 0 ? ChoiceKind.AllianceRule
        : Choices[h][0] == k ? ChoiceKind.FirstChoice
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
    /// An upper bound on first choices that the LP misses: a winner keeps at most as many of the
    /// hospitals that list it first as fit its capacity smallest first (a knapsack counting items is
    /// solved exactly that way), whatever happens elsewhere.
    /// </summary>
    public int MaxFirstChoices()
    {
        var bound = 0;
        foreach (var wanting in Enumerable.Range(0, Hospitals.Length).Where(h => Listed[h]).GroupBy(h => Choices[h][0]))
        {
            var room = Capacity[wanting.Key];
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
    /// The greedy start: every hospital's first choice, the smallest hospitals kept where a first choice
    /// is over capacity (the most first choices a winner can keep); the others, largest first, to
    /// their next choice with room, then the cheapest winner with room, else unsupplied.
    /// </summary>
    public int[] Greedy()
    {
        var assign = new int[Hospitals.Length];
        var left = (long[])Capacity.Clone();
        var waiting = new List<int>();
        var wanting = new List<int>[Winners.Length];
        for (var k = 0; k < wanting.Length; k++)
        {
            wanting[k] = [];
        }
        for (var h = 0; h < Hospitals.Length; h++)
        {
            assign[h] = -1;
            if (Choices[h].Length > 0)
            {
                wanting[Choices[h][0]].Add(h);
            }
            else
            {
                waiting.Add(h);
            }
        }
        for (var k = 0; k < wanting.Length; k++)
        {
            foreach (var h in wanting[k].OrderBy(h => Quantity[h]).ThenBy(h => h))
            {
                if (Quantity[h] <= left[k])
                {
                    assign[h] = k;
                    left[k] -= Quantity[h];
                }
                else
                {
                    waiting.Add(h);
                }
            }
        }
        var cheapest = Enumerable.Range(0, Winners.Length).OrderBy(k => PriceFen[k]).ThenBy(k => k).ToArray();
        foreach (var h in waiting.OrderByDescending(h => Quantity[h]).ThenBy(h => h))
        {
            var k = Choices[h].Skip(1).Concat(cheapest).FirstOrDefault(k => Quantity[h] <= left[k], -1);
            if (k >= 0)
            {
                assign[h] = k;
                left[k] -= Quantity[h];
            }
        }
        return assign;
    }

    /// <summary>
    /// <see cref="FallbackRule.ProportionalToIntendedVolume"/>: each hospital with no listed winner, largest
    /// first, goes to the winner furthest below its share of the orphans' volume (shares proportional to
    /// the intended volume, equal if nobody intended a winner), among those with capacity left after
    /// their intended volume and what they were given; that winner becomes its only choice.
    /// </summary>
    private void Apportion()
    {
        var orphans = Enumerable.Range(0, Hospitals.Length).Where(h => !Listed[h]).OrderByDescending(h => Quantity[h]).ThenBy(h => h).ToList();
        if (orphans.Count == 0)
        {
            return;
        }
        var orphanVolume = (decimal)orphans.Sum(h => Quantity[h]);
        var intended = (decimal)IntendedVolume.Sum();
        var target = IntendedVolume.Select(v => intended == 0 ? orphanVolume / Winners.Length : orphanVolume * v / intended).ToArray();
        var room = Capacity.Select((c, k) => c == long.MaxValue ? long.MaxValue : c - IntendedVolume[k]).ToArray();
        var given = new decimal[Winners.Length];
        foreach (var h in orphans)
        {
            var best = -1;
            for (var k = 0; k < Winners.Length; k++)
            {
                if (room[k] < Quantity[h])
                {
                    continue;
                }
                if (best < 0 || target[k] - given[k] > target[best] - given[best]
                    || (target[k] - given[k] == target[best] - given[best] && PriceFen[k] < PriceFen[best]))
                {
                    best = k;
                }
            }
            if (best >= 0)
            {
                Choices[h] = [best];
                given[best] += Quantity[h];
                room[best] = room[best] == long.MaxValue ? long.MaxValue : room[best] - Quantity[h];
            }
        }
    }
}
