namespace Procurement.Optimizer.Winners;

/// <summary>
/// What a winner is paid for a volume: the volume times its exact awarded unit price (pack price /
/// (factor x representative pack count), or the exact revival price), rounded once, half away from
/// zero, to the fen. Never from the 6-decimal unit price a statement shows: 42,000 units at 1.00 CNY
/// the 7-pack are 6,000.00 CNY, where 42,000 x 0.142857 would give 5,999.99. Every cost the solvers
/// count, every budget they check and every amount in the document is this one figure.
/// </summary>
public static class AwardedAmount
{
    public const long FenPerYuan = 100;

    /// <summary>The winner's exact awarded unit price; a statement built without it (by hand) stands at its stated price.</summary>
    public static ExactPrice UnitPrice(BidStatement winner) =>
        winner.ExactAwardedUnitPrice
        ?? ExactPrice.Of(winner.AwardedUnitPrice ?? throw new ArgumentException($"Bid {winner.BidId} did not win: it has no awarded price.", nameof(winner)));

    public static long Fen(long volume, BidStatement winner) => UnitPrice(winner).TimesRounded(volume, 2);

    public static decimal Yuan(long volume, BidStatement winner) => Fen(volume, winner) / (decimal)FenPerYuan;
}
