using Procurement.Optimizer.Allocation;

namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>
/// An independent check of a category's allocation against its input, recomputed from the input alone
/// (not from the solver's indices): every hospital once, each with a winner of the category or
/// reported unsupplied; capacities; agreed volumes, amounts, first choices, ranks and cost as claimed;
/// no move left that is better on an earlier level whatever the rest (an unsupplied hospital that fits a
/// winner, a hospital that fits an earlier listed choice); and a claim of optimality only with every
/// level at its bound. Returns what is wrong, empty when nothing is.
/// </summary>
public static class ChoiceAllocationCheck
{
    /// <summary>
    /// The rank a hospital's placing must have: its place in its listed winners, any other winner after
    /// them, unsupplied after that. A hospital with no listed winner ranks every winner 0 under the
    /// lowest-price rule; under the proportional rule the rule's winner ranks 0 and any other 1, and
    /// which winner the rule gave is taken from the allocation (0 or 1 only).
    /// </summary>
    private static int ExpectedRank(string hospitalId, List<string> listed, HospitalAssignment a, FallbackRule fallback, List<string> problems)
    {
        int expected;
        if (listed.Count > 0)
        {
            var place = a.FirmId is null ? -1 : listed.IndexOf(a.FirmId);
            expected = a.FirmId is null ? listed.Count + 1 : place >= 0 ? place : listed.Count;
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

    /// <summary>The hospital's listed firms that won, in its order, each once.</summary>
    private static List<string> Listed(HospitalIntention intention, Dictionary<string, WinningOffer> winners) =>
        new[] { intention.IntendedFirmId }.Concat(intention.FurtherChoices ?? []).Where(winners.ContainsKey).Distinct(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<string> Check(CategoryChoices category, FallbackRule fallback, CategoryAllocation allocation)
    {
        var problems = new List<string>();
        var winners = category.Winners.ToDictionary(w => w.FirmId, StringComparer.Ordinal);
        var assigned = allocation.Hospitals.GroupBy(a => a.HospitalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (id, list) in assigned.Where(a => a.Value.Count > 1))
        {
            problems.Add($"hospital {id} is assigned {list.Count} times");
        }
        var used = category.Winners.ToDictionary(w => w.FirmId, _ => 0L, StringComparer.Ordinal);
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
            var listed = Listed(intention, winners);
            listedCount += listed.Count > 0 ? 1 : 0;
            if (a.Quantity != intention.Quantity)
            {
                problems.Add($"hospital {intention.HospitalId}: quantity {a.Quantity:N0}, its intention says {intention.Quantity:N0}");
            }
            if (a.FirmId is null)
            {
                unsupplied += intention.Quantity;
                if (a.Kind != ChoiceKind.Unsupplied || a.AmountFen != 0)
                {
                    problems.Add($"hospital {intention.HospitalId}: no firm but kind {a.Kind}, amount {a.AmountFen} fen");
                }
            }
            else if (!winners.TryGetValue(a.FirmId, out var offer) || offer.OfferId != a.OfferId)
            {
                problems.Add($"hospital {intention.HospitalId}: firm {a.FirmId} with offer {a.OfferId} is not a winner of category {category.CategoryId}");
                continue;
            }
            else
            {
                used[a.FirmId] += intention.Quantity;
                var fen = checked(intention.Quantity * (long)(offer.UnitPrice * 100m));
                cost = checked(cost + fen);
                if (a.AmountFen != fen)
                {
                    problems.Add($"hospital {intention.HospitalId}: amount {a.AmountFen} fen, {intention.Quantity:N0} x {offer.UnitPrice} CNY is {fen} fen");
                }
                var place = listed.IndexOf(a.FirmId);
                var kind = place == 0 ? ChoiceKind.FirstChoice : place > 0 ? ChoiceKind.FurtherChoice : ChoiceKind.AllianceRule;
                if (a.Kind != kind)
                {
                    problems.Add($"hospital {intention.HospitalId}: kind {a.Kind}, its choices make it {kind}");
                }
                first += place == 0 ? 1 : 0;
            }
            rankSum += ExpectedRank(intention.HospitalId, listed, a, fallback, problems);
        }
        foreach (var extra in assigned.Keys.Except(category.Intentions.Select(i => i.HospitalId), StringComparer.Ordinal))
        {
            problems.Add($"hospital {extra} is allocated but has no intention in the category");
        }

        foreach (var offer in category.Winners)
        {
            if (offer.AnnualCapacity is { } capacity && used[offer.FirmId] > capacity)
            {
                problems.Add($"{offer.FirmId} is given {used[offer.FirmId]:N0} units against a capacity of {capacity:N0}");
            }
            var volume = allocation.Winners.FirstOrDefault(w => w.OfferId == offer.OfferId);
            if (volume is null || volume.AgreedVolume != used[offer.FirmId])
            {
                problems.Add($"{offer.FirmId}'s agreed volume is {volume?.AgreedVolume.ToString("N0") ?? "missing"}, its hospitals' quantities sum to {used[offer.FirmId]:N0}");
            }
        }
        // Moves better on an earlier level whatever the rest: none may be left.
        var left = category.Winners.ToDictionary(w => w.FirmId, w => w.AnnualCapacity is { } c ? c - used[w.FirmId] : long.MaxValue, StringComparer.Ordinal);
        foreach (var intention in category.Intentions)
        {
            if (!assigned.TryGetValue(intention.HospitalId, out var list))
            {
                continue;
            }
            var a = list[0];
            var listed = Listed(intention, winners);
            var better = a.FirmId is null ? left.Where(l => l.Value >= intention.Quantity).Select(l => l.Key)
                : listed.TakeWhile(f => f != a.FirmId).Where(f => left[f] >= intention.Quantity);
            if (better.FirstOrDefault() is { } room)
            {
                problems.Add($"hospital {intention.HospitalId} is {(a.FirmId is null ? "unsupplied" : $"with {a.FirmId}")} while {room} has room for its {intention.Quantity:N0} units");
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
