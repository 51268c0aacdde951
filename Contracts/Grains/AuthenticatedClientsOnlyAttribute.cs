namespace Procurement.Contracts.Grains;

/// <summary>
/// A grain interface that a gateway client may call only when the silo knows who it is: the gateway
/// requires mutual TLS, or it listens on loopback only (one silo on a developer's machine). With TLS
/// turned off on a network address (<c>Orleans:Tls:Mode=disabled</c>) a client's call is refused with
/// <see cref="Errors.ErrorCodes.ClientNotAuthenticated"/>. See docs/SECURITY.md, "Cluster".
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = false)]
public sealed class AuthenticatedClientsOnlyAttribute : Attribute;
