using Microsoft.Playwright;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright against a portal: one per browser test class,
/// with the steps every journey shares (a page in a language, signing in, a screenshot).
/// </summary>
public sealed class PortalBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly Uri _baseAddress;

    private PortalBrowser(IPlaywright playwright, IBrowser browser, Uri baseAddress) =>
        (_playwright, _browser, _baseAddress) = (playwright, browser, baseAddress);

    public static async Task<PortalBrowser> LaunchAsync(Uri baseAddress)
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium package (bash test.sh does).");
        Directory.CreateDirectory(ScreenshotDirectory);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new PortalBrowser(playwright, browser, baseAddress);
    }

    /// <summary>A page in a fresh context (its own cookies) whose browser speaks <paramref name="locale"/>.</summary>
    public async Task<IPage> NewPageAsync(string locale)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _baseAddress.ToString(), Locale = locale });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        return page;
    }

    /// <summary>Signs in on the sign-in page the portal sent the page to, and waits for the user's name in the header.</summary>
    public static async Task SignInAsync(IPage page, string user, string password = PortalFixture.Password)
    {
        await page.Locator("#UserName").FillAsync(user);
        await page.Locator("#Password").FillAsync(password);
        await page.Locator("[data-test=sign-in]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-test=who]")).ToContainTextAsync(user);
    }

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
