using Procurement.Optimizer.Consumables;
using Procurement.Optimizer.Consumables.Allocation;

namespace Procurement.Grains.Awards;

/// <summary>A hospital's line of a consumables award, and whether it is the firm it intended the most for (<c>named_brand</c>).</summary>
public sealed record SupplyRow(ConsumableSupply Supply, bool NamedBrand);

/// <summary>
/// A hospital's placing in a category: its assignment (rank, kind), the firm it intended the most
/// for (its first choice, as allocation reads it) and why it chose again, if it did.
/// </summary>
public sealed record ChoiceRow(string CategoryId, HospitalAssignment Hospital, string IntendedFirmId, string? Reason);

/// <summary>
/// The rows of a consumables award, derived from the engine's result without I/O, so that what is
/// stored is exactly the engine's: every bid's statement, each supplied hospital's line, the
/// unsupplied hospitals, each group's figures, the winners, and each hospital's choice.
/// </summary>
public sealed record ConsumableAwardRows(
    IReadOnlyList<ConsumableBidStatement> Statements,
    IReadOnlyList<SupplyRow> Supplies,
    IReadOnlyList<(string CategoryId, HospitalAssignment Hospital)> Unsupplied,
    IReadOnlyList<(string CategoryId, ConsumableGroupResult Group)> Groups,
    IReadOnlyList<(string CategoryId, ConsumableWinner Winner)> Winners,
    IReadOnlyList<ChoiceRow> Choices)
{
    public static ConsumableAwardRows From(ConsumableAwardInput input, ConsumableAward award)
    {
        var intentions = (input.Intentions ?? []).ToLookup(i => i.CategoryId, StringComparer.Ordinal);
        // The hospital's first choice as allocation reads it (the firm it intended the most for), from the engine's own mapping.
        var firstChoice = award.Winners.Categories
            .SelectMany(c => ConsumableAwardEngine.Choices(c, intentions[c.CategoryId]).Intentions.Select(h => (c.CategoryId, h.HospitalId, h.IntendedFirmId)))
            .ToDictionary(h => (h.CategoryId, h.HospitalId), h => h.IntendedFirmId);
        var reasons = award.Winners.Categories
            .SelectMany(c => c.ToChooseAgain.Select(a => (c.CategoryId, a)))
            .ToLookup(x => (x.CategoryId, x.a.HospitalId, x.a.IntendedFirmId), x => x.a.Reason);
        var choices = award.Allocation.Categories
            .SelectMany(c => c.Hospitals.Select(h =>
            {
                var intended = firstChoice[(c.CategoryId, h.HospitalId)];
                return new ChoiceRow(c.CategoryId, h, intended, reasons[(c.CategoryId, h.HospitalId, intended)].FirstOrDefault());
            }))
            .ToList();
        return new ConsumableAwardRows(
            award.Winners.Categories.SelectMany(c => c.Statements).ToList(),
            award.Supplies.Select(s => new SupplyRow(s, firstChoice[(s.CategoryId, s.HospitalId)] == s.FirmId)).ToList(),
            award.Allocation.Categories.SelectMany(c => c.Unsupplied.Select(h => (c.CategoryId, h))).ToList(),
            award.Winners.Categories.SelectMany(c => c.Groups.Select(g => (c.CategoryId, g))).ToList(),
            award.Winners.Categories.SelectMany(c => c.Winners.Select(w => (c.CategoryId, w))).ToList(),
            choices);
    }
}
