using Microsoft.Extensions.Options;

namespace Procurement.BidPortal.Security;

/// <summary>
/// Limits of the portal (section <c>Portal</c>): rate limits (sign-in per client address, bid
/// actions and objections per manufacturer, purchasing writes and file exports per organisation), upload sizes, the
/// session check's cache, trusted proxies.
/// </summary>
public sealed class PortalLimits
{
    public const string Section = "Portal";
    public const string Login = "login";
    public const string Bids = "bids";
    public const string Objections = "objections";
    public const string Reminders = "reminders";
    public const string Orders = "orders";
    public const string Exports = "exports";
    public const string Figures = "figures";

    /// <summary>Sign-in attempts one client address may make per minute.</summary>
    public int LoginPermitsPerMinute { get; set; } = 30;

    /// <summary>Bid actions (submit, amend, withdraw) one manufacturer may make per second, sustained.</summary>
    public int BidsPerSecondPerManufacturer { get; set; } = 50;

    /// <summary>The burst a manufacturer may spend at once above the sustained rate.</summary>
    public int BidBurstPerManufacturer { get; set; } = 200;

    /// <summary>Objections one manufacturer may file (or try to) per minute.</summary>
    public int ObjectionsPerMinutePerManufacturer { get; set; } = 5;

    /// <summary>Reporting reminders one alliance may ask for (or try to) per minute; each batch sends at most one a day anyway.</summary>
    public int RemindersPerMinutePerAlliance { get; set; } = 5;

    /// <summary>
    /// Purchasing writes (orders, answers, shipments, invoices, acceptances, payments, price lists,
    /// designations, the payment term) one organisation may make per second, sustained.
    /// </summary>
    public int OrdersPerSecondPerOrganisation { get; set; } = 50;

    /// <summary>The burst of purchasing writes an organisation may spend at once above the sustained rate.</summary>
    public int OrderBurstPerOrganisation { get; set; } = 200;

    /// <summary>
    /// Purchasing reads (lists of orders, deliveries, invoices, payments and lines; figures; the
    /// purchasing pages) one organisation may make per second, sustained, in a bucket of their own:
    /// a figure reads the kept sums of a whole round, so a script polling it must not starve the
    /// others. Writes never wait on reads.
    /// </summary>
    public int ReadsPerSecondPerOrganisation { get; set; } = 20;

    /// <summary>The burst of purchasing reads an organisation may spend at once above the sustained rate.</summary>
    public int ReadBurstPerOrganisation { get; set; } = 100;

    /// <summary>
    /// File exports (CSV, XLSX, OCDS) one organisation may download per minute: each reads up to
    /// tens of thousands of rows and builds the file in memory, far more than a page's read.
    /// </summary>
    public int ExportsPerMinutePerOrganisation { get; set; } = 30;

    /// <summary>
    /// Figure reads (supply performance, hospital purchasing, supply risks, and the alliance's
    /// purchasing page that shows them) one organisation may make per minute: each sums a whole
    /// round's kept rows, tenths of a second at national scale, so the cheap reads' bucket (tens a
    /// second) would let one script occupy the figures for everyone.
    /// </summary>
    public int FigureReadsPerMinutePerOrganisation { get; set; } = 60;

    /// <summary>
    /// The largest JSON request body, in bytes, on every API write but the uploads (which have
    /// <see cref="MaxUploadBytes"/>). An order of <c>Orders:MaxLines</c> lines is a small part of it;
    /// the limit keeps a far longer list from being read into memory before it is refused.
    /// </summary>
    public long MaxJsonBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest upload body (CSV or XLSX), in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The most data rows an upload may have.</summary>
    public int MaxUploadRows { get; set; } = 100_000;

    /// <summary>The most an XLSX upload may unpack to, in bytes (the sum of its zip entries' sizes).</summary>
    public long MaxXlsxUncompressedBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>The highest ratio of unpacked to packed size an XLSX upload may have (a zip bomb has thousands).</summary>
    public int MaxXlsxCompressionRatio { get; set; } = 100;

    /// <summary>
    /// How long a portal instance trusts its last answer that a session is open. A session ended on
    /// another instance is refused here at most this long after.
    /// </summary>
    public TimeSpan SessionCheckCache { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Reverse proxies (addresses, or networks as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c>
    /// and <c>X-Forwarded-Proto</c> are believed, so limits apply per real client behind them.
    /// Empty: the headers are ignored and the connection's address counts.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

public sealed class PortalLimitsValidator : IValidateOptions<PortalLimits>
{
    public ValidateOptionsResult Validate(string? name, PortalLimits options)
    {
        var failures = new List<string>();
        void Positive(long value, string key)
        {
            if (value <= 0)
            {
                failures.Add($"Portal:{key} must be positive, not {value}.");
            }
        }
        Positive(options.LoginPermitsPerMinute, nameof(options.LoginPermitsPerMinute));
        Positive(options.BidsPerSecondPerManufacturer, nameof(options.BidsPerSecondPerManufacturer));
        Positive(options.BidBurstPerManufacturer, nameof(options.BidBurstPerManufacturer));
        Positive(options.ObjectionsPerMinutePerManufacturer, nameof(options.ObjectionsPerMinutePerManufacturer));
        Positive(options.RemindersPerMinutePerAlliance, nameof(options.RemindersPerMinutePerAlliance));
        Positive(options.OrdersPerSecondPerOrganisation, nameof(options.OrdersPerSecondPerOrganisation));
        Positive(options.OrderBurstPerOrganisation, nameof(options.OrderBurstPerOrganisation));
        Positive(options.ReadsPerSecondPerOrganisation, nameof(options.ReadsPerSecondPerOrganisation));
        Positive(options.ReadBurstPerOrganisation, nameof(options.ReadBurstPerOrganisation));
        Positive(options.ExportsPerMinutePerOrganisation, nameof(options.ExportsPerMinutePerOrganisation));
        Positive(options.FigureReadsPerMinutePerOrganisation, nameof(options.FigureReadsPerMinutePerOrganisation));
        Positive(options.MaxJsonBodyBytes, nameof(options.MaxJsonBodyBytes));
        Positive(options.MaxUploadBytes, nameof(options.MaxUploadBytes));
        Positive(options.MaxUploadRows, nameof(options.MaxUploadRows));
        Positive(options.MaxXlsxUncompressedBytes, nameof(options.MaxXlsxUncompressedBytes));
        Positive(options.MaxXlsxCompressionRatio, nameof(options.MaxXlsxCompressionRatio));
        if (options.SessionCheckCache < TimeSpan.Zero || options.SessionCheckCache > TimeSpan.FromSeconds(30))
        {
            failures.Add($"Portal:SessionCheckCache must be from 00:00:00 to 00:00:30, not {options.SessionCheckCache}.");
        }
        foreach (var proxy in options.TrustedProxies)
        {
            if (!System.Net.IPNetwork.TryParse(proxy, out _) && !System.Net.IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"Portal:TrustedProxies has '{proxy}', which is neither an IP address nor a network such as 10.0.0.0/8.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
