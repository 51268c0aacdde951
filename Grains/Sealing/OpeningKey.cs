using System.Security.Cryptography;

namespace Procurement.Grains.Sealing;

/// <summary>
/// A batch's opening key pair (RSA 3,072 bits), made when bidding opens. Only the public half is
/// used while bidding; the private half is kept wrapped (under the key-encryption key, or under a
/// key split among the opening officers) and used once, at the opening.
/// </summary>
public sealed record OpeningKey(byte[] PublicKey, byte[] PrivateKey)
{
    public const int Bits = 3072;

    public static OpeningKey Create()
    {
        using var rsa = RSA.Create(Bits);
        return new OpeningKey(rsa.ExportSubjectPublicKeyInfo(), rsa.ExportPkcs8PrivateKey());
    }

    public static RSA ImportPublic(byte[] subjectPublicKeyInfo)
    {
        var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        return rsa;
    }

    public static RSA ImportPrivate(byte[] pkcs8)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return rsa;
    }

    /// <summary>The associated data that binds a wrapped private key to its batch.</summary>
    public static string AssociatedData(string batchId) => $"opening-key/{batchId}";
}
