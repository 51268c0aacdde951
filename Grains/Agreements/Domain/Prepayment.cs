namespace Procurement.Grains.Agreements.Domain;

/// <summary>What medical insurance prepays a hospital: a share of its part's annual amount, to the fen.</summary>
public static class Prepayment
{
    /// <summary>The prepayment of an amount (both x 10^6) at <paramref name="share"/>, rounded half away from zero to the fen.</summary>
    public static long Of(long amountE6, decimal share) =>
        (long)decimal.Round(amountE6 * share / 10_000m, 0, MidpointRounding.AwayFromZero) * 10_000;
}
