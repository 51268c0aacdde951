using System.Security.Cryptography.X509Certificates;

namespace Procurement.BidPortal.Hosting;

/// <summary>
/// Accepts a peer's certificate only when it chains to one of the cluster's CAs, never to the
/// machine's public roots: the chain is built again with the CAs as the only trust anchors.
/// Revocation is not checked (a private CA without a CRL: short-lived certificates and CA rotation
/// take its place, see deploy/README.md).
/// </summary>
public sealed class ClusterCertificateTrust(X509Certificate2Collection authorities)
{
    public int Count => authorities.Count;

    public bool Accepts(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        // Intermediates the peer sent may complete the path; they are not trusted by being sent.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
        }
        return chain.Build(certificate);
    }
}
