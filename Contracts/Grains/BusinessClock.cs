namespace Procurement.Contracts.Grains;

/// <summary>
/// The service key of the business clock: a keyed <see cref="TimeProvider"/> for deadlines, receipt
/// times and agreement months, apart from the one Orleans runs on, so tests can step business time
/// to the millisecond. Silo and portal resolve the same key.
/// </summary>
public static class BusinessClock
{
    public const string Key = "procurement";
}
