using Microsoft.Extensions.Configuration;
using Procurement.BidPortal.Hosting;
using Procurement.Silo.Hosting;
using Xunit;

namespace Procurement.Tests.Cluster;

/// <summary>The Orleans settings as read from configuration, and the start-up messages that name a bad one.</summary>
public sealed class ClusterSettingsTests
{
    [Fact]
    public void The_defaults_are_one_localhost_silo_named_procurement()
    {
        var options = Read();

        Assert.Equal(("procurement", "procurement", "localhost"), (options.ClusterId, options.ServiceId, options.Clustering));
        Assert.Equal((11111, 30000, false), (options.SiloPort, options.GatewayPort, options.Kubernetes));
        Assert.Empty(Failures(options));
    }

    [Fact]
    public void The_connection_string_comes_only_from_ConnectionStrings_Orleans()
    {
        var options = Read(
            ("Orleans:Clustering", "adonet"), ("Orleans:Invariant", "Npgsql"), ("Orleans:AdvertisedIP", "10.1.2.3"),
            ("Orleans:ConnectionString", "Host=ignored"), ("ConnectionStrings:Orleans", "Host=db;Database=orleans"), ("Orleans:Tls:Mode", "disabled"));

        Assert.Equal("Host=db;Database=orleans", options.ConnectionString);
        Assert.Equal(System.Net.IPAddress.Parse("10.1.2.3"), options.AdvertisedAddress);
        Assert.Empty(Failures(options));
    }

    [Theory]
    [InlineData("Orleans:Clustering=dns", "Orleans:Clustering must be 'localhost' or 'adonet', not 'dns'.")]
    [InlineData("Orleans:Clustering=adonet", "Orleans:Invariant must be 'Npgsql' or 'Microsoft.Data.SqlClient' when Orleans:Clustering is 'adonet'; it is not set.")]
    [InlineData("Orleans:Clustering=adonet", "ConnectionStrings:Orleans is required when Orleans:Clustering is 'adonet'.")]
    [InlineData("Orleans:Clustering=adonet;ConnectionStrings:Orleans=Host", "ConnectionStrings:Orleans is not a valid connection string:")]
    [InlineData("Orleans:ClusterId= ", "Orleans:ClusterId must not be empty.")]
    [InlineData("Orleans:GatewayPort=0", "Orleans:GatewayPort must be between 1 and 65535, not 0.")]
    [InlineData("Orleans:SiloPort=30000", "Orleans:SiloPort and Orleans:GatewayPort must differ; both are 30000.")]
    [InlineData("Orleans:AdvertisedIP=db.example", "Orleans:AdvertisedIP must be an IP address, not 'db.example'.")]
    [InlineData("Orleans:AdvertisedIP=10.1.2.3", "Orleans:AdvertisedIP applies only when Orleans:Clustering is 'adonet'")]
    [InlineData("Orleans:Kubernetes=true", "Orleans:Kubernetes needs Orleans:Clustering 'adonet'")]
    [InlineData("Orleans:Clustering=adonet", "Orleans:Tls:CertificatePath is not set. Mutual TLS is required when Orleans:Clustering is 'adonet'")]
    [InlineData("Orleans:Clustering=adonet", "Orleans:Tls:CaPath is not set")]
    [InlineData("Orleans:Tls:Mode=optional", "Orleans:Tls:Mode must be 'mutual' or 'disabled' (or unset), not 'optional'.")]
    [InlineData("Orleans:Tls:Mode=disabled;Orleans:Tls:CertificatePath=silo.pfx", "Orleans:Tls:Mode is 'disabled' but Orleans:Tls:CertificatePath is set")]
    [InlineData("Orleans:Tls:Mode=mutual", "Orleans:Tls:CertificatePath is not set.")]
    [InlineData("Orleans:Tls:CertificatePath=/nowhere/silo.crt", "Orleans:Tls:CertificatePath names '/nowhere/silo.crt', which does not exist.")]
    public void A_bad_setting_is_named(string settings, string message)
    {
        var options = Read(settings.Split(';').Select(s => s.Split('=', 2)).Select(p => (p[0], p[1])).ToArray());

        Assert.Contains(Failures(options), f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_portal_checks_the_settings_it_shares_with_the_silo()
    {
        var options = new OrleansClusterOptions { Clustering = "adonet", Invariant = "Oracle" };

        var result = new OrleansClusterOptionsValidator().Validate(null, options);

        Assert.Contains("Orleans:Invariant must be 'Npgsql' or 'Microsoft.Data.SqlClient' when Orleans:Clustering is 'adonet', not 'Oracle'.", result.Failures!);
        Assert.Contains("ConnectionStrings:Orleans is required when Orleans:Clustering is 'adonet'.", result.Failures!);
    }

    [Fact]
    public void Tls_is_off_by_default_on_localhost_and_on_with_adonet_or_a_certificate()
    {
        Assert.False(Read().UsesTls);
        Assert.True(Read(("Orleans:Clustering", "adonet")).UsesTls);
        Assert.True(Read(("Orleans:Tls:CertificatePath", "silo.pfx")).UsesTls);
        var disabled = Read(("Orleans:Clustering", "adonet"), ("Orleans:Tls:Mode", "disabled"));
        Assert.False(disabled.UsesTls);
        Assert.True(disabled.TlsDisabledOnNetwork);
    }

    [Fact]
    public void A_certificate_of_the_configured_ca_is_accepted_as_pem_or_pkcs12()
    {
        using var ca = TestCertificates.CreateAuthority("settings-ca");
        foreach (var settings in new[] { ca.PemSettings("silo"), ca.PfxSettings("portal") })
        {
            var options = Read([("Orleans:Clustering", "adonet"), ("Orleans:Invariant", "Npgsql"), ("ConnectionStrings:Orleans", "Host=db"),
                .. settings.Select(s => (s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value))]);

            Assert.Empty(Failures(options));
            using var own = ClusterCertificates.LoadOwn(options.Tls);
            Assert.True(own.HasPrivateKey);
        }
    }

    [Fact]
    public void A_certificate_of_another_ca_or_without_its_key_is_named()
    {
        using var ca = TestCertificates.CreateAuthority("settings-ca");
        using var other = TestCertificates.CreateAuthority("other-ca", ca.Folder + "-other");
        var foreign = other.PemSettings("silo");
        var options = Read(("Orleans:Tls:CertificatePath", foreign["Orleans__Tls__CertificatePath"]),
            ("Orleans:Tls:KeyPath", foreign["Orleans__Tls__KeyPath"]), ("Orleans:Tls:CaPath", ca.CaPath));
        Assert.Contains(Failures(options), f => f == "Orleans:Tls:CertificatePath's certificate (CN=silo) is not issued by a CA of Orleans:Tls:CaPath: the other silos would refuse it.");

        var keyless = Read(("Orleans:Tls:CertificatePath", foreign["Orleans__Tls__CertificatePath"]), ("Orleans:Tls:CaPath", other.CaPath));
        Assert.Contains(Failures(keyless), f => f.StartsWith("Orleans:Tls:CertificatePath '", StringComparison.Ordinal));
    }

    [Fact]
    public void The_trust_accepts_only_certificates_that_chain_to_the_configured_cas()
    {
        using var ca = TestCertificates.CreateAuthority("trust-ca");
        using var other = TestCertificates.CreateAuthority("trust-other", ca.Folder + "-other");
        var trust = new ClusterCertificateTrust(ClusterCertificates.LoadAuthorities(new ClusterTlsOptions { CaPath = ca.CaPath }));
        using var ours = ca.Issue("silo");
        using var theirs = other.Issue("silo");
        using var selfSigned = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=silo", System.Security.Cryptography.ECDsa.Create(), System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));

        Assert.True(trust.Accepts(ours, null));
        Assert.False(trust.Accepts(theirs, null));
        Assert.False(trust.Accepts(selfSigned, null));
    }

    private static SiloClusterOptions Read(params (string Key, string Value)[] settings) =>
        OrleansClusterOptions.Read<SiloClusterOptions>(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build());

    private static IEnumerable<string> Failures(SiloClusterOptions options) =>
        new SiloClusterOptionsValidator().Validate(null, options).Failures ?? [];
}
