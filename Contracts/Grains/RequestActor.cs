namespace Procurement.Contracts.Grains;

/// <summary>
/// The Orleans request-context key under which the portal names the signed-in user who acts, so
/// that grains record who did what in the event log. Believed from the cluster itself (the
/// co-hosted portal) and from clients authenticated by mutual TLS (the standalone portal); the silo
/// removes it from any other client's call (docs/SECURITY.md, "Cluster").
/// </summary>
public static class RequestActor
{
    public const string Key = "procurement.actor";
}
