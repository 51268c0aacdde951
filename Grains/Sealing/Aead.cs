using System.Security.Cryptography;
using System.Text;

namespace Procurement.Grains.Sealing;

/// <summary>AES-256-GCM with a random nonce, as one value: version, nonce, tag, ciphertext.</summary>
public static class Aead
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const byte FormatVersion = 1;

    public static byte[] Seal(byte[] key, ReadOnlySpan<byte> plaintext, string associatedData)
    {
        var output = new byte[1 + NonceBytes + TagBytes + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceBytes + TagBytes), output.AsSpan(1 + NonceBytes, TagBytes), Encoding.UTF8.GetBytes(associatedData));
        return output;
    }

    /// <summary>The plaintext of <see cref="Seal"/>; a value altered, moved (other associated data) or sealed under another key throws <see cref="CryptographicException"/>.</summary>
    public static byte[] Open(byte[] key, ReadOnlySpan<byte> sealedValue, string associatedData)
    {
        if (sealedValue.Length < 1 + NonceBytes + TagBytes || sealedValue[0] != FormatVersion)
        {
            throw new CryptographicException("A sealed value is malformed.");
        }
        var plaintext = new byte[sealedValue.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(sealedValue.Slice(1, NonceBytes), sealedValue[(1 + NonceBytes + TagBytes)..], sealedValue.Slice(1 + NonceBytes, TagBytes), plaintext, Encoding.UTF8.GetBytes(associatedData));
        return plaintext;
    }
}
