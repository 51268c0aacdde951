using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.Grains.Hosting;

/// <summary>
/// Who may call what, decided on every grain call by where it comes from: the cluster itself (a
/// grain, a system target, or the silo's own co-hosted client) or an Orleans client connected
/// through a gateway. A gateway client is refused a <see cref="ClusterInternalAttribute"/> method,
/// and an <see cref="AuthenticatedClientsOnlyAttribute"/> one unless the gateway authenticates its
/// clients; the event actor it names (<see cref="RequestActor.Key"/>) is believed only when the
/// gateway requires mutual TLS, so a process that merely reaches a loopback gateway cannot record
/// events in someone else's name.
/// </summary>
/// <remarks>
/// The sender's id is the one Orleans' client library puts in each message; the gateway does not
/// check it. A client that writes the wire protocol itself could claim to be a grain, which is why
/// the gateway port itself must be authenticated (mutual TLS) wherever it is reachable from a network.
/// </remarks>
public sealed partial class ClusterCallFilter(IOptions<GatewayClientOptions> options, ILogger<ClusterCallFilter> logger) : IIncomingGrainCallFilter
{
    /// <summary>The silo's own client (co-hosted portal, hosted services) has a client id of this prefix.</summary>
    private const string HostedClientPrefix = "hosted-";

    private static readonly ConcurrentDictionary<MethodInfo, Access> Rules = new();

    private readonly GatewayClients _clients = options.Value.Clients;

    private enum Access
    {
        Anyone,
        AuthenticatedClients,
        ClusterOnly,
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!IsGatewayClient(context.SourceId))
        {
            return context.Invoke();
        }
        var access = context.InterfaceMethod is { } method ? Rules.GetOrAdd(method, RuleOf) : Access.Anyone;
        if (access == Access.ClusterOnly)
        {
            LogRefused(logger, context.InterfaceName, context.MethodName, context.SourceId, "cluster-internal");
            throw new ProcurementException(ErrorCodes.ClusterInternal,
                $"{context.InterfaceName}.{context.MethodName} is called only from inside the cluster, never by a client.");
        }
        if (access == Access.AuthenticatedClients && _clients == GatewayClients.Unauthenticated)
        {
            LogRefused(logger, context.InterfaceName, context.MethodName, context.SourceId, "unauthenticated client");
            throw new ProcurementException(ErrorCodes.ClientNotAuthenticated,
                $"{context.InterfaceName}.{context.MethodName} needs an authenticated client: the cluster's gateway runs without TLS (Orleans:Tls:Mode=disabled).");
        }
        if (_clients != GatewayClients.MutuallyAuthenticated && RequestContext.Get(RequestActor.Key) is not null)
        {
            // Not believed: the grain records the organisation it acts for instead.
            RequestContext.Remove(RequestActor.Key);
        }
        return context.Invoke();
    }

    /// <summary>A client connected through a gateway: a client id that is not the silo's own hosted client.</summary>
    public static bool IsGatewayClient(GrainId? source) =>
        source is { } id
        && GrainTypePrefix.IsClient(id)
        && !id.Key.ToString().StartsWith(HostedClientPrefix, StringComparison.Ordinal);

    private static Access RuleOf(MethodInfo method)
    {
        var type = method.DeclaringType;
        if (method.IsDefined(typeof(ClusterInternalAttribute), false) || type?.IsDefined(typeof(ClusterInternalAttribute), false) == true)
        {
            return Access.ClusterOnly;
        }
        if (method.IsDefined(typeof(AuthenticatedClientsOnlyAttribute), false) || type?.IsDefined(typeof(AuthenticatedClientsOnlyAttribute), false) == true)
        {
            return Access.AuthenticatedClients;
        }
        return Access.Anyone;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Interface}.{Method} from client {Client}: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string @interface, string method, GrainId? client, string reason);
}
