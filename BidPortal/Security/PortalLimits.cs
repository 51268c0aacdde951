namespace Procurement.BidPortal.Security;

/// <summary>Rate limits of the portal (section <c>Portal</c>): sign-in per client address, bid actions per manufacturer.</summary>
public sealed class PortalLimits
{
    public const string Section = "Portal";
    public const string Login = "login";
    public const string Bids = "bids";

    /// <summary>Sign-in attempts one client address may make per minute.</summary>
    public int LoginPermitsPerMinute { get; set; } = 30;

    /// <summary>Bid actions (submit, amend, withdraw) one manufacturer may make per second, sustained.</summary>
    public int BidsPerSecondPerManufacturer { get; set; } = 50;

    /// <summary>The burst a manufacturer may spend at once above the sustained rate.</summary>
    public int BidBurstPerManufacturer { get; set; } = 200;

    /// <summary>
    /// Reverse proxies (addresses, or networks as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c>
    /// and <c>X-Forwarded-Proto</c> are believed, so limits apply per real client behind them.
    /// Empty: the headers are ignored and the connection's address counts.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
