using System.Globalization;
using System.Numerics;

namespace Procurement.Optimizer.Winners;

/// <summary>
/// A non-negative price as an exact fraction of integers, so that the rules' comparisons (at most
/// 1.8 times the anchor, at or below a threshold, the maximum valid price) never depend on a
/// rounding the rule does not have. Decimals convert exactly; products, sums and quotients stay
/// exact. Only <see cref="ToDecimal"/>, for statements and awarded prices, rounds.
/// </summary>
public readonly struct ExactPrice : IComparable<ExactPrice>, IEquatable<ExactPrice>
{
    private readonly BigInteger _numerator;
    private readonly BigInteger _denominator;

    private ExactPrice(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.Sign == 0)
        {
            throw new DivideByZeroException("A price fraction needs a non-zero denominator.");
        }
        if (denominator.Sign < 0)
        {
            (numerator, denominator) = (-numerator, -denominator);
        }
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        (_numerator, _denominator) = gcd.IsOne || gcd.IsZero ? (numerator, denominator) : (numerator / gcd, denominator / gcd);
    }

    public static ExactPrice Zero => new(BigInteger.Zero, BigInteger.One);

    public static ExactPrice Of(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var scale = (bits[3] >> 16) & 0xFF;
        return new ExactPrice(bits[3] < 0 ? -magnitude : magnitude, BigInteger.Pow(10, scale));
    }

    public static ExactPrice operator *(ExactPrice a, ExactPrice b) => new(a._numerator * b._numerator, a.Den * b.Den);

    public static ExactPrice operator /(ExactPrice a, ExactPrice b) => new(a._numerator * b.Den, a.Den * b._numerator);

    public static ExactPrice operator +(ExactPrice a, ExactPrice b) => new(a._numerator * b.Den + b._numerator * a.Den, a.Den * b.Den);

    public static bool operator <=(ExactPrice a, ExactPrice b) => a.CompareTo(b) <= 0;

    public static bool operator >=(ExactPrice a, ExactPrice b) => a.CompareTo(b) >= 0;

    public static bool operator <(ExactPrice a, ExactPrice b) => a.CompareTo(b) < 0;

    public static bool operator >(ExactPrice a, ExactPrice b) => a.CompareTo(b) > 0;

    public static bool operator ==(ExactPrice a, ExactPrice b) => a.Equals(b);

    public static bool operator !=(ExactPrice a, ExactPrice b) => !a.Equals(b);

    public static ExactPrice Max(ExactPrice a, ExactPrice b) => a >= b ? a : b;

    // default(ExactPrice) is zero.
    private BigInteger Den => _denominator.IsZero ? BigInteger.One : _denominator;

    public int CompareTo(ExactPrice other) => (_numerator * other.Den).CompareTo(other._numerator * Den);

    public bool Equals(ExactPrice other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is ExactPrice other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_numerator, Den);

    /// <summary>The value rounded half away from zero to <paramref name="decimals"/> places, for display and stored prices.</summary>
    public decimal ToDecimal(int decimals)
    {
        var scale = BigInteger.Pow(10, decimals);
        var quotient = BigInteger.DivRem(BigInteger.Abs(_numerator) * scale * 2 + Den, Den * 2, out _);
        var value = (decimal)quotient / (decimal)scale;
        return _numerator.Sign < 0 ? -value : value;
    }

    public override string ToString() => ToDecimal(6).ToString(CultureInfo.InvariantCulture);
}
