using Procurement.Contracts.Grains;

namespace Procurement.Grains.Hosting;

/// <summary>
/// Who is acting, for the event log. The portal puts the signed-in user into the Orleans request
/// context under <see cref="Key"/>; without one the grain names the organisation it acts for, or the
/// scheduler for reminders. The value is believed only from the cluster itself (the co-hosted portal)
/// and from clients the gateway authenticated by mutual TLS: <see cref="ClusterCallFilter"/> removes
/// it from any other client's call before the grain runs.
/// </summary>
public static class Actor
{
    public const string Key = RequestActor.Key;

    public const string Scheduler = "system:scheduler";

    public static string Current(string fallback) =>
        RequestContext.Get(Key) is string actor && !string.IsNullOrWhiteSpace(actor) ? actor : fallback;
}
