using System.Security.Cryptography;
using Procurement.Grains.Sealing;
using Xunit;

namespace Procurement.Tests.Security;

/// <summary>The k-of-n split of a batch's opening secret, checked over the whole field where it is small enough.</summary>
public sealed class ShamirTests
{
    [Fact]
    public void The_field_is_GF256_with_the_AES_polynomial_every_non_zero_element_has_an_inverse()
    {
        // x * 2 reduced by x^8 + x^4 + x^3 + x + 1, and the FIPS-197 example {57} x {83} = {c1}.
        Assert.Equal(0x1B, Shamir.Multiply(0x80, 0x02));
        Assert.Equal(0xC1, Shamir.Multiply(0x57, 0x83));
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, Shamir.Multiply((byte)a, Shamir.Inverse((byte)a)));
            Assert.Equal(0, Shamir.Multiply((byte)a, 0));
            for (var b = 1; b < 256; b++)
            {
                Assert.Equal(Shamir.Multiply((byte)a, (byte)b), Shamir.Multiply((byte)b, (byte)a));
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    [InlineData(7, 4)]
    public void Every_set_of_k_shares_recovers_the_secret_and_every_set_of_k_minus_1_does_not(int n, int k)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = Shamir.Split(secret, n, k);
        Assert.Equal(n, shares.Count);
        foreach (var subset in Subsets(shares, k))
        {
            Assert.Equal(secret, Shamir.Combine(subset));
        }
        if (k > 1)
        {
            foreach (var subset in Subsets(shares, k - 1))
            {
                Assert.NotEqual(secret, Shamir.Combine(subset));
            }
        }
    }

    [Fact]
    public void Fewer_than_k_shares_say_nothing_of_a_secret_byte_every_value_fits_them_equally()
    {
        // For k = 2 and one share (x = 1, y), each candidate secret s fixes exactly one line through
        // (0, s) and (1, y): all 256 secrets are consistent with the share, so it carries no information.
        var share = Shamir.Split([0x42], 3, 2)[0];
        var consistent = new HashSet<byte>();
        for (var s = 0; s < 256; s++)
        {
            var slope = (byte)(share.Y[0] ^ s);
            var second = (X: (byte)2, Y: new[] { (byte)(Shamir.Multiply(slope, 2) ^ s) });
            consistent.Add(Shamir.Combine([share, second])[0]);
        }
        Assert.Equal(256, consistent.Count);
    }

    private static IEnumerable<IReadOnlyList<(byte X, byte[] Y)>> Subsets(IReadOnlyList<(byte X, byte[] Y)> items, int size)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }
        for (var i = 0; i <= items.Count - size; i++)
        {
            foreach (var rest in Subsets(items.Skip(i + 1).ToList(), size - 1))
            {
                yield return [items[i], .. rest];
            }
        }
    }
}
