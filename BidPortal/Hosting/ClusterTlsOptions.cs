namespace Procurement.BidPortal.Hosting;

/// <summary>
/// Mutual TLS on the cluster's connections (silo to silo, client to gateway), bound from
/// <c>Orleans:Tls</c>. Every silo and portal has a certificate of its own issued by the cluster's
/// private CA, and accepts a peer only when the peer's certificate chains to a CA of
/// <see cref="CaPath"/>. Required with <c>adonet</c> clustering; optional with <c>localhost</c>, whose
/// ports listen on loopback only.
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>
    /// <c>mutual</c> or <c>disabled</c>. Unset: <c>mutual</c> with <c>adonet</c> clustering or when a
    /// certificate is configured, otherwise none (localhost, loopback only). <c>disabled</c> turns TLS
    /// off even with <c>adonet</c>: for tests on one machine, never for a deployment.
    /// </summary>
    public string? Mode { get; set; }

    /// <summary>This process's certificate: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) or a PEM certificate.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM certificate, when it is not in the certificate's file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key; a secret, from the environment.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// PEM file of the CA certificates whose certificates are accepted (the trust bundle). During a CA
    /// rotation it holds the old and the new CA.
    /// </summary>
    public string? CaPath { get; set; }
}

public static class ClusterTlsModes
{
    public const string Mutual = "mutual";
    public const string Disabled = "disabled";
}
