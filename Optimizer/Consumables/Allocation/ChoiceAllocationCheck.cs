using Procurement.Optimizer.Allocation;

namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// An independent check of a category's allocation against its input, recomputed from the input alone
/// (not from the solver's indices): every hospital once, each with a winning offer of the category or
/// reported unsupplied; every offer within its capacity; agreed volumes, amounts, first choices, ranks
/// and cost as claimed; no move left that is better on an earlier level whatever the rest (an
/// unsupplied hospital that fits an offer, a hospital that fits an offer of an earlier choice, such as
/// the offer it named of its firm); and a claim of optimality only with every level at its bound.
/// Returns what is wrong, empty when nothing is.
/// </summary>
public static class ChoiceAllocationCheck
{
    /// <summary>
    /// The rank a hospital's placing must have: the place of its offer's choice in its list, any other
    /// offer after them, unsupplied after that. A hospital with no listed winner ranks every offer 0
    /// under the lowest-price rule; under the proportional rule the rule's firm ranks 0 and any other 1,
    /// and which firm the rule gave is taken from the allocation (0 or 1 only).
    /// </summary>
    private static int ExpectedRank(string hospitalId, List<HashSet<string>> choices, HospitalAssignment a, FallbackRule fallback, List<string> problems)
    {
        int expected;
        if (choices.Count > 0)
        {
            var place = a.OfferId is null ? -1 : choices.FindIndex(c => c.Contains(a.OfferId));
            expected = a.OfferId is null ? choices.Count + 1 : place >= 0 ? place : choices.Count;
        }
        else if (fallback == FallbackRule.LowestPrice)
        {
            expected = a.FirmId is null ? 1 : 0;
        }
        else
        {
            expected = a.FirmId is null ? (a.Rank is 1 or 2 ? a.Rank : 2) : a.Rank is 0 or 1 ? a.Rank : 0;
        }
        if (a.Rank != expected)
        {
            problems.Add($"hospital {hospitalId}: rank {a.Rank}, its choices make it {expected}");
        }
        return expected;
    }

    /// <summary>
    /// The hospital's choices among the winning offers, in its order: each listed firm that won, once,
    /// as all its offers, or, where it named one of several, that offer and then the firm's others.
    /// </summary>
    private static List<HashSet<string>> Choices(HospitalIntention intention, Dictionary<string, WinningOffer> offers, ILookup<string, WinningOffer> byFirm)
    {
        var choices = new List<HashSet<string>>();
        foreach (var firm in new[] { intention.IntendedFirmId }.Concat(intention.FurtherChoices ?? []).Where(byFirm.Contains).Distinct(StringComparer.Ordinal))
        {
            var all = byFirm[firm].Select(o => o.OfferId).ToHashSet(StringComparer.Ordinal);
            var named = (intention.NamedOffers ?? []).FirstOrDefault(id => offers.TryGetValue(id, out var o) && o.FirmId == firm);
            if (named is not null && all.Count > 1)
            {
                choices.Add([named]);
                all.Remove(named);
            }
            choices.Add(all);
        }
        return choices;
    }

    public static IReadOnlyList<string> Check(CategoryChoices category, FallbackRule fallback, CategoryAllocation allocation)
    {
        var problems = new List<string>();
        var offers = category.Winners.ToDictionary(w => w.OfferId, StringComparer.Ordinal);
        var byFirm = category.Winners.ToLookup(w => w.FirmId, StringComparer.Ordinal);
        var assigned = allocation.Hospitals.GroupBy(a => a.HospitalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (id, list) in assigned.Where(a => a.Value.Count > 1))
        {
            problems.Add($"hospital {id} is assigned {list.Count} times");
        }
        var used = category.Winners.ToDictionary(w => w.OfferId, _ => 0L, StringComparer.Ordinal);
        long unsupplied = 0, rankSum = 0, cost = 0;
        var first = 0;
        var listedCount = 0;
        foreach (var intention in category.Intentions)
        {
            if (!assigned.TryGetValue(intention.HospitalId, out var list))
            {
                problems.Add($"hospital {intention.HospitalId} is missing from the allocation");
                continue;
            }
            var a = list[0];
            var choices = Choices(intention, offers, byFirm);
            listedCount += choices.Count > 0 ? 1 : 0;
            if (a.Quantity != intention.Quantity)
            {
                problems.Add($"hospital {intention.HospitalId}: quantity {a.Quantity:N0}, its intention says {intention.Quantity:N0}");
            }
            if (a.OfferId is null)
            {
                unsupplied += intention.Quantity;
                if (a.FirmId is not null || a.Kind != ChoiceKind.Unsupplied || a.AmountFen != 0)
                {
                    problems.Add($"hospital {intention.HospitalId}: no offer but firm {a.FirmId}, kind {a.Kind}, amount {a.AmountFen} fen");
                }
            }
            else if (!offers.TryGetValue(a.OfferId, out var offer) || offer.FirmId != a.FirmId)
            {
                problems.Add($"hospital {intention.HospitalId}: firm {a.FirmId} with offer {a.OfferId} is not a winner of category {category.CategoryId}");
                continue;
            }
            else
            {
                used[a.OfferId] += intention.Quantity;
                var fen = checked(intention.Quantity * (long)(offer.UnitPrice * 100m));
                cost = checked(cost + fen);
                if (a.AmountFen != fen)
                {
                    problems.Add($"hospital {intention.HospitalId}: amount {a.AmountFen} fen, {intention.Quantity:N0} x {offer.UnitPrice} CNY is {fen} fen");
                }
                var place = choices.FindIndex(c => c.Contains(a.OfferId));
                var kind = place == 0 ? ChoiceKind.FirstChoice : place > 0 ? ChoiceKind.FurtherChoice : ChoiceKind.AllianceRule;
                if (a.Kind != kind)
                {
                    problems.Add($"hospital {intention.HospitalId}: kind {a.Kind}, its choices make it {kind}");
                }
                first += place == 0 ? 1 : 0;
            }
            rankSum += ExpectedRank(intention.HospitalId, choices, a, fallback, problems);
        }
        foreach (var extra in assigned.Keys.Except(category.Intentions.Select(i => i.HospitalId), StringComparer.Ordinal))
        {
            problems.Add($"hospital {extra} is allocated but has no intention in the category");
        }

        foreach (var offer in category.Winners)
        {
            if (offer.AnnualCapacity is { } capacity && used[offer.OfferId] > capacity)
            {
                problems.Add($"{offer.FirmId}'s offer {offer.OfferId} is given {used[offer.OfferId]:N0} units against a capacity of {capacity:N0}");
            }
            var volume = allocation.Winners.FirstOrDefault(w => w.OfferId == offer.OfferId);
            if (volume is null || volume.AgreedVolume != used[offer.OfferId])
            {
                problems.Add($"{offer.FirmId}'s offer {offer.OfferId}: agreed volume {volume?.AgreedVolume.ToString("N0") ?? "missing"}, its hospitals' quantities sum to {used[offer.OfferId]:N0}");
            }
        }
        // Moves better on an earlier level whatever the rest: none may be left.
        var left = category.Winners.ToDictionary(w => w.OfferId, w => w.AnnualCapacity is { } c ? c - used[w.OfferId] : long.MaxValue, StringComparer.Ordinal);
        foreach (var intention in category.Intentions)
        {
            if (!assigned.TryGetValue(intention.HospitalId, out var list))
            {
                continue;
            }
            var a = list[0];
            var choices = Choices(intention, offers, byFirm);
            var better = a.OfferId is null ? left.Where(l => l.Value >= intention.Quantity).Select(l => l.Key)
                : choices.TakeWhile(c => !c.Contains(a.OfferId)).SelectMany(c => c).Where(o => left[o] >= intention.Quantity);
            if (better.FirstOrDefault() is { } room)
            {
                problems.Add($"hospital {intention.HospitalId} is {(a.OfferId is null ? "unsupplied" : $"with {a.FirmId}'s offer {a.OfferId}")} while {offers[room].FirmId}'s offer {room} has room for its {intention.Quantity:N0} units");
            }
        }

        var levels = allocation.Levels;
        if (levels.UnsuppliedUnits != unsupplied || levels.FirstChoices != first || levels.RankSum != rankSum || levels.CostFen != cost || allocation.HospitalsWithListedWinner != listedCount)
        {
            problems.Add($"levels claimed {levels.UnsuppliedUnits:N0} units unsupplied, {levels.FirstChoices} first choices of {allocation.HospitalsWithListedWinner}, rank sum {levels.RankSum}, "
                + $"cost {levels.CostFen} fen; recomputed {unsupplied:N0}, {first} of {listedCount}, {rankSum}, {cost}");
        }
        if (levels.UnsuppliedUnitsBound > levels.UnsuppliedUnits || levels.FirstChoicesBound < levels.FirstChoices || levels.RankSumBound > levels.RankSum || levels.CostFenBound > levels.CostFen)
        {
            problems.Add("a bound is on the wrong side of its value");
        }
        if (allocation.Report.Status == SolveStatus.Optimal && !levels.Proven)
        {
            problems.Add("claimed optimal while a level is above its bound");
        }
        if (allocation.Report.Status == SolveStatus.Optimal && allocation.Report.Gap is not 0d)
        {
            problems.Add($"claimed optimal with a gap of {allocation.Report.Gap}");
        }
        return problems;
    }
}
