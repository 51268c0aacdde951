namespace Procurement.Contracts.Grains;

/// <summary>
/// The Orleans request-context key under which a client (the portal) names the signed-in user who
/// acts, so that grains record who did what in the event log.
/// </summary>
public static class RequestActor
{
    public const string Key = "procurement.actor";
}
