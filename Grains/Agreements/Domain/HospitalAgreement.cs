using Procurement.Contracts.Domain;

namespace Procurement.Grains.Agreements.Domain;

/// <summary>A hospital's part of one agreement, as its purchases are classified and its completion kept.</summary>
public sealed record HospitalAgreement
{
    public string AgreementId { get; init; } = "";

    public string BatchId { get; init; } = "";

    public string ProductId { get; init; } = "";

    public string ManufacturerId { get; init; } = "";

    public int StartMonth { get; init; }

    public int EndMonth { get; init; }

    public int AnchorMonth { get; init; }

    /// <summary>The end of the batch's agreement period (exclusive), which a takeover keeps.</summary>
    public int PeriodEndMonth { get; init; }

    public int State { get; init; }

    public long AnnualVolume { get; init; }

    public long CarriedUnits { get; init; }

    /// <summary>The product's maximum valid unit price (x 10^6): the reference of the retained-savings budget.</summary>
    public long MaxUnitPriceE6 { get; init; }

    /// <summary>The figures of the agreement year from <paramref name="yearStart"/> when <paramref name="purchased"/> units of the agreed brand were bought in it.</summary>
    public (long Agreed, long Counted, long Surplus) Figures(int yearStart, long purchased) =>
        CompletionRule.Figures(AnnualVolume, CarriedUnits, StartMonth, EndMonth, PeriodEndMonth, (AgreementState)State, yearStart, purchased);

    /// <summary>The agreed volume of the agreement year that <paramref name="month"/> falls in, for what is bought in it so far.</summary>
    public long AgreedIn(int month, long purchased) => Figures(YearStart(month), purchased).Agreed;

    public int YearStart(int month) => AnchorMonth + Math.Max(0, month - AnchorMonth) / 12 * 12;

    public bool Covers(int month) => month >= StartMonth && month < EndMonth;
}
