using Procurement.Contracts.Errors;

namespace Procurement.Grains.Storage;

/// <summary>
/// Decimals are stored as integers of millionths (columns ending in <c>_e6</c>): exact and
/// summable on every database. Values with more than 6 decimals are refused, never rounded.
/// </summary>
public static class Scaled
{
    private const decimal Factor = 1_000_000m;

    public static long ToE6(decimal value, string field)
    {
        var scaled = value * Factor;
        if (scaled != decimal.Truncate(scaled))
        {
            throw ProcurementException.Invalid(field, $"{field} has more than 6 decimals: {value}.");
        }
        if (scaled is > long.MaxValue or < long.MinValue)
        {
            throw ProcurementException.Invalid(field, $"{field} is out of range: {value}.");
        }
        return (long)scaled;
    }

    public static decimal FromE6(long value) => value / Factor;
}
