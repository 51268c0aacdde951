namespace Procurement.Tests.Cluster;

/// <summary>
/// The named queries Orleans 10.4's ADO.NET providers load from <c>OrleansQuery</c>, in one place.
/// <see cref="OrleansScriptTests"/> checks these lists against the providers themselves, so an
/// Orleans upgrade that needs a new query fails the tests instead of the start of a silo.
/// </summary>
public static class OrleansQueryKeys
{
    /// <summary>Microsoft.Orleans.Clustering.AdoNet: silos (membership) and clients (gateways).</summary>
    public static readonly IReadOnlyList<string> Clustering =
    [
        "GatewaysQueryKey",
        "MembershipReadRowKey",
        "MembershipReadAllKey",
        "InsertMembershipVersionKey",
        "UpdateIAmAlivetimeKey",
        "InsertMembershipKey",
        "UpdateMembershipKey",
        "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
    ];

    /// <summary>Used by the clustering provider when present (defunct rows removed only if unchanged since read).</summary>
    public const string OptionalCleanupDefunctSiloEntry = "CleanupDefunctSiloEntryKey";

    /// <summary>Microsoft.Orleans.Reminders.AdoNet.</summary>
    public static readonly IReadOnlyList<string> Reminders =
    [
        "ReadReminderRowsKey",
        "ReadRangeRows1Key",
        "ReadRangeRows2Key",
        "ReadReminderRowKey",
        "UpsertReminderRowKey",
        "DeleteReminderRowKey",
        "DeleteReminderRowsKey",
    ];

    /// <summary>Everything our scripts store: both providers' keys and the optional one.</summary>
    public static IReadOnlyList<string> All => [.. Clustering, OptionalCleanupDefunctSiloEntry, .. Reminders];
}
