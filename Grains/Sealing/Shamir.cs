using System.Security.Cryptography;

namespace Procurement.Grains.Sealing;

/// <summary>
/// Shamir's secret sharing over GF(2^8) (the AES field, reduction polynomial x^8 + x^4 + x^3 + x + 1),
/// byte by byte: each byte of the secret is the constant term of its own random polynomial of
/// degree k - 1, and share x holds the polynomials' values at x (1..n). Any k shares give the
/// secret back by Lagrange interpolation at 0; fewer give every secret with equal probability.
/// </summary>
public static class Shamir
{
    public const int MaxShares = 255;

    private static readonly byte[] Exp = new byte[510];
    private static readonly byte[] Log = new byte[256];

    static Shamir()
    {
        // 3 generates the multiplicative group of the AES field.
        var value = 1;
        for (var i = 0; i < 255; i++)
        {
            Exp[i] = (byte)value;
            Exp[i + 255] = (byte)value;
            Log[value] = (byte)i;
            value ^= value << 1;
            if ((value & 0x100) != 0)
            {
                value ^= 0x11B;
            }
        }
    }

    public static byte Multiply(byte a, byte b) => a == 0 || b == 0 ? (byte)0 : Exp[Log[a] + Log[b]];

    public static byte Inverse(byte a) =>
        a == 0 ? throw new DivideByZeroException("0 has no inverse in GF(256).") : Exp[255 - Log[a]];

    /// <summary>n shares of <paramref name="secret"/>, any <paramref name="threshold"/> of which recover it.</summary>
    public static IReadOnlyList<(byte X, byte[] Y)> Split(ReadOnlySpan<byte> secret, int shares, int threshold)
    {
        if (threshold < 1 || threshold > shares || shares > MaxShares)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), $"Need 1 <= threshold ({threshold}) <= shares ({shares}) <= {MaxShares}.");
        }
        var coefficients = new byte[threshold - 1];
        var result = new List<(byte X, byte[] Y)>(shares);
        for (var x = 1; x <= shares; x++)
        {
            result.Add(((byte)x, new byte[secret.Length]));
        }
        try
        {
            for (var i = 0; i < secret.Length; i++)
            {
                RandomNumberGenerator.Fill(coefficients);
                foreach (var (x, y) in result)
                {
                    // Horner's rule from the highest coefficient down to the secret byte.
                    byte value = 0;
                    for (var c = coefficients.Length - 1; c >= 0; c--)
                    {
                        value = (byte)(Multiply(value, x) ^ coefficients[c]);
                    }
                    y[i] = (byte)(Multiply(value, x) ^ secret[i]);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(coefficients);
        }
        return result;
    }

    /// <summary>
    /// The polynomials' value at 0 from the given shares (distinct, non-zero x, equal lengths). With
    /// at least the threshold of genuine shares this is the secret; with fewer it is unrelated to it.
    /// </summary>
    public static byte[] Combine(IReadOnlyList<(byte X, byte[] Y)> shares)
    {
        if (shares.Count == 0)
        {
            throw new ArgumentException("No shares.", nameof(shares));
        }
        var length = shares[0].Y.Length;
        if (shares.Any(s => s.X == 0 || s.Y.Length != length) || shares.Select(s => s.X).Distinct().Count() != shares.Count)
        {
            throw new ArgumentException("Shares need distinct non-zero x and values of one length.", nameof(shares));
        }
        var secret = new byte[length];
        for (var j = 0; j < shares.Count; j++)
        {
            // The Lagrange basis polynomial of share j at 0: the product of x_m / (x_m - x_j); minus is xor here.
            byte basis = 1;
            for (var m = 0; m < shares.Count; m++)
            {
                if (m != j)
                {
                    basis = Multiply(basis, Multiply(shares[m].X, Inverse((byte)(shares[m].X ^ shares[j].X))));
                }
            }
            for (var i = 0; i < length; i++)
            {
                secret[i] ^= Multiply(basis, shares[j].Y[i]);
            }
        }
        return secret;
    }
}
