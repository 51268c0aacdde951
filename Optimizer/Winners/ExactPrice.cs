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

    /// <summary>
    /// <paramref name="quantity"/> times this value in units of 10^-<paramref name="decimals"/>
    /// (2: fen), rounded once, half away from zero: an amount is never built from a rounded price.
    /// </summary>
    public long TimesRounded(long quantity, int decimals)
    {
        // Fast path for the common sizes (a hospital award rounds millions of lines): every
        // product stays below 2^120, inside Int128.
        if (decimals is >= 0 and <= 4 && Math.Abs(quantity) < 1L << 40
            && _numerator >= long.MinValue + 1 && _numerator <= long.MaxValue && Den <= long.MaxValue)
        {
            var exact = (Int128)(long)_numerator * quantity * (long)Math.Pow(10, decimals);
            var den = (Int128)(long)Den;
            var near = (Int128.Abs(exact) * 2 + den) / (den * 2);
            return checked((long)(exact < 0 ? -near : near));
        }
        var scale = BigInteger.Pow(10, decimals);
        var product = BigInteger.Abs(_numerator * quantity) * scale;
        var rounded = (product * 2 + Den) / (Den * 2);
        return checked((long)(_numerator.Sign * Math.Sign(quantity) < 0 ? -rounded : rounded));
    }

    /// <summary>The nearest double, for floating-point bounds and LP coefficients (never for a decision on a price).</summary>
    public double ToDouble() => (double)_numerator / (double)Den;

    public override string ToString() => ToDecimal(6).ToString(CultureInfo.InvariantCulture);
}
