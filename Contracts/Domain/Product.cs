namespace Procurement.Contracts.Domain;

/// <summary>A biddable specification: how many units a pack holds and the strength of one unit.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.Specification")]
public sealed record Specification(
    [property: Id(0)] string Code,
    [property: Id(1)] int PackCount,
    [property: Id(2)] decimal StrengthMg);

/// <summary>
/// A molecule in one dosage form. Volumes are counted in units (tablets, capsules, vials) of the
/// representative specification; bids on other specifications are converted to it for comparison.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.Product")]
public sealed record Product(
    [property: Id(0)] string Id,
    [property: Id(1)] string Molecule,
    [property: Id(2)] string DosageForm,
    [property: Id(3)] Specification Representative,
    [property: Id(4)] IReadOnlyList<Specification> OtherSpecifications)
{
    public IEnumerable<Specification> AllSpecifications => OtherSpecifications.Prepend(Representative);

    public Specification? FindSpecification(string code) =>
        AllSpecifications.FirstOrDefault(s => string.Equals(s.Code, code, StringComparison.Ordinal));

    /// <summary>The molecule's name in Chinese (氨氯地平), shown on zh-CN pages; <see cref="Molecule"/> elsewhere and when absent.</summary>
    [Id(5)]
    public string? MoleculeZh { get; init; }
}
