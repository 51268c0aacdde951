using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Procurement.Tests.Cluster;

/// <summary>
/// A throwaway private CA made at test time (nothing is committed), and certificates it issues
/// for silos and portals, written to a temporary folder the way an operator mounts them: PEM
/// certificate, PEM key and the CA bundle, or a password-protected PKCS#12 file.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _authority;

    private TestCertificates(string name, string folder)
    {
        Folder = folder;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CaPath = Path.Combine(folder, $"{name}.ca.crt");
        File.WriteAllText(CaPath, _authority.ExportCertificatePem());
    }

    public string Folder { get; }

    /// <summary>The PEM trust bundle: this CA's certificate.</summary>
    public string CaPath { get; }

    public static TestCertificates CreateAuthority(string name, string? folder = null)
    {
        folder ??= Path.Combine(Path.GetTempPath(), $"procurement-tls-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return new TestCertificates(name, folder);
    }

    /// <summary>A certificate for silo or portal <paramref name="name"/> (server and client authentication, for 127.0.0.1).</summary>
    public X509Certificate2 Issue(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var issued = request.Create(_authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>PEM certificate and key files for <paramref name="name"/>; the settings that name them.</summary>
    public IReadOnlyDictionary<string, string> PemSettings(string name)
    {
        using var certificate = Issue(name);
        var certificatePath = Path.Combine(Folder, $"{name}.crt");
        var keyPath = Path.Combine(Folder, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return new Dictionary<string, string>
        {
            ["Orleans__Tls__CertificatePath"] = certificatePath,
            ["Orleans__Tls__KeyPath"] = keyPath,
            ["Orleans__Tls__CaPath"] = CaPath,
        };
    }

    /// <summary>A password-protected PKCS#12 file for <paramref name="name"/>; the settings that name it.</summary>
    public IReadOnlyDictionary<string, string> PfxSettings(string name)
    {
        using var certificate = Issue(name);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var path = Path.Combine(Folder, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return new Dictionary<string, string>
        {
            ["Orleans__Tls__CertificatePath"] = path,
            ["Orleans__Tls__CertificatePassword"] = password,
            ["Orleans__Tls__CaPath"] = CaPath,
        };
    }

    /// <summary>The same settings as command-line arguments.</summary>
    public static string Arguments(IReadOnlyDictionary<string, string> settings) =>
        string.Join(' ', settings.Select(s => $"\"--{s.Key.Replace("__", ":", StringComparison.Ordinal)}={s.Value}\""));

    public void Dispose()
    {
        _authority.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A process that still holds a file; the temporary folder is cleaned by the system.
        }
    }
}
