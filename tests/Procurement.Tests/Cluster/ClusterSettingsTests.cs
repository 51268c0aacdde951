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
            ("Orleans:ConnectionString", "Host=ignored"), ("ConnectionStrings:Orleans", "Host=db;Database=orleans"));

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

    private static SiloClusterOptions Read(params (string Key, string Value)[] settings) =>
        OrleansClusterOptions.Read<SiloClusterOptions>(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build());

    private static IEnumerable<string> Failures(SiloClusterOptions options) =>
        new SiloClusterOptionsValidator().Validate(null, options).Failures ?? [];
}
