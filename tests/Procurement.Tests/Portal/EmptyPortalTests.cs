using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>The silo program in this process over an empty store (<c>Demo:Seed=false</c>) and one manufacturer account.</summary>
public sealed class EmptyPortalFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Maker = "maker.empty";

    private readonly string _data = Path.Combine(Path.GetTempPath(), $"procurement-empty-{Guid.NewGuid():N}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Store:DataDirectory", _data);
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Orleans:SiloPort", SiloHostTests.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", SiloHostTests.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureTestServices(services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider, Infrastructure.FileErrorLog>());
    }

    public async Task InitializeAsync()
    {
        var grains = Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IBidderGrain>("M-EMPTY").RegisterAsync(new Manufacturer("M-EMPTY", "Empty maker", null) { NameZh = "空药厂" });
        await grains.GetGrain<IAccountGrain>(Maker).CreateAsync("Empty maker", OrganisationKind.Manufacturer, "M-EMPTY", PortalFixture.Password);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}

public sealed class EmptyPortalTests(EmptyPortalFixture portal) : IClassFixture<EmptyPortalFixture>
{
    [Theory]
    [InlineData("en-GB", "No batch is open for bidding or coming yet.", "appears here with its products, maximum prices")]
    [InlineData("zh-CN", "目前没有正在投标或即将开始的批次。", "最高有效申报价")]
    public async Task A_manufacturer_with_nothing_to_bid_on_is_told_what_will_appear_on_its_home_page(string language, string heading, string explanation)
    {
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(PortalFixture.RequestedWith, "XMLHttpRequest");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/session", new { userName = EmptyPortalFixture.Maker, password = PortalFixture.Password })).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/Bidding");
        request.Headers.AcceptLanguage.ParseAdd(language);
        using var response = await client.SendAsync(request);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-test=\"empty\"", page);
        Assert.Contains(heading, page);
        Assert.Contains(explanation, page);
        Assert.DoesNotContain("data-test=\"coming\"", page);
    }
}
