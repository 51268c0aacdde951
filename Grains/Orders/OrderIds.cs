namespace Procurement.Grains.Orders;

/// <summary>
/// The ids of orders, deliveries, invoices and payments: UUID version 7 (RFC 9562), whose first 48
/// bits are the machine's clock in milliseconds and the other 74 random. Rows made one after the
/// other sort next to each other, so their inserts (the key, the events' entity index, the
/// deliveries' index by order) append near the end of each index instead of landing on a page of
/// their own: with random ids a month's 2.53 M rows outgrew SQLite's page cache and every move read
/// and wrote pages of its own. The time in an id is never read (the business clock is the injected
/// TimeProvider) and tells no more than the row's own placed, shipped, issued or paid time, which
/// every reader of the id sees beside it.
/// </summary>
public static class OrderIds
{
    public static Guid Next() => Guid.CreateVersion7();
}
