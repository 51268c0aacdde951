using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Procurement.BidPortal.Hosting;

/// <summary>The certificates of <see cref="ClusterTlsOptions"/>, loaded and checked with .NET's own X.509 classes.</summary>
public static class ClusterCertificates
{
    /// <summary>This process's certificate with its private key.</summary>
    public static X509Certificate2 LoadOwn(ClusterTlsOptions tls)
    {
        var path = tls.CertificatePath!;
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".pfx" or ".p12")
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, tls.CertificatePassword);
        }
        var keyPath = string.IsNullOrWhiteSpace(tls.KeyPath) ? null : tls.KeyPath;
        using var pem = string.IsNullOrEmpty(tls.CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, tls.CertificatePassword, keyPath);
        // SslStream on Windows needs the key in a key container, which a PKCS#12 round trip gives it.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The CA certificates of the trust bundle.</summary>
    public static X509Certificate2Collection LoadAuthorities(ClusterTlsOptions tls)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(tls.CaPath!);
        return authorities;
    }

    /// <summary>Why the configured certificates cannot be used, each message naming the setting; empty when they can.</summary>
    public static IEnumerable<string> Problems(ClusterTlsOptions tls)
    {
        var problems = new List<string>();
        X509Certificate2? own = null;
        X509Certificate2Collection? authorities = null;
        if (string.IsNullOrWhiteSpace(tls.CertificatePath))
        {
            problems.Add("Orleans:Tls:CertificatePath is not set.");
        }
        else if (!File.Exists(tls.CertificatePath))
        {
            problems.Add($"Orleans:Tls:CertificatePath names '{tls.CertificatePath}', which does not exist.");
        }
        else if (!string.IsNullOrWhiteSpace(tls.KeyPath) && !File.Exists(tls.KeyPath))
        {
            problems.Add($"Orleans:Tls:KeyPath names '{tls.KeyPath}', which does not exist.");
        }
        else
        {
            try
            {
                own = LoadOwn(tls);
                if (!own.HasPrivateKey)
                {
                    problems.Add($"Orleans:Tls:CertificatePath '{tls.CertificatePath}' has no private key (give it in the file or in Orleans:Tls:KeyPath).");
                }
                if (own.NotAfter.ToUniversalTime() < DateTime.UtcNow)
                {
                    problems.Add($"Orleans:Tls:CertificatePath '{tls.CertificatePath}' expired at {own.NotAfter.ToUniversalTime():u}.");
                }
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException)
            {
                problems.Add($"Orleans:Tls:CertificatePath '{tls.CertificatePath}' cannot be read as a certificate with its key: {ex.Message}");
            }
        }
        if (string.IsNullOrWhiteSpace(tls.CaPath))
        {
            problems.Add("Orleans:Tls:CaPath is not set: name the PEM file of the CA certificates to trust.");
        }
        else if (!File.Exists(tls.CaPath))
        {
            problems.Add($"Orleans:Tls:CaPath names '{tls.CaPath}', which does not exist.");
        }
        else
        {
            try
            {
                authorities = LoadAuthorities(tls);
                if (authorities.Count == 0)
                {
                    problems.Add($"Orleans:Tls:CaPath '{tls.CaPath}' holds no PEM certificate.");
                }
            }
            catch (CryptographicException ex)
            {
                problems.Add($"Orleans:Tls:CaPath '{tls.CaPath}' cannot be read as PEM certificates: {ex.Message}");
            }
        }
        if (own is not null && authorities is { Count: > 0 } && !new ClusterCertificateTrust(authorities).Accepts(own, null))
        {
            problems.Add($"Orleans:Tls:CertificatePath's certificate ({own.Subject}) is not issued by a CA of Orleans:Tls:CaPath: the other silos would refuse it.");
        }
        own?.Dispose();
        return problems;
    }
}

/// <summary>The Orleans TLS settings every silo and portal uses.</summary>
public static class ClusterTlsExtensions
{
    /// <summary>Both ends present a certificate, and each accepts only one that chains to the cluster's CAs.</summary>
    public static void RequireClusterCertificates(this Orleans.Connections.Security.TlsOptions options, ClusterCertificateTrust trust)
    {
        options.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, chain, _) => trust.Accepts(certificate, chain);
    }
}
