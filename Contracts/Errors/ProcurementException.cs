namespace Procurement.Contracts.Errors;

/// <summary>
/// The one error type every grain method throws for a refused request. <see cref="Code"/> is stable
/// (clients switch on it); <see cref="Field"/> names the offending input, when there is one.
/// </summary>
[GenerateSerializer, Alias("Procurement.ProcurementException")]
public sealed class ProcurementException : Exception
{
    public ProcurementException(string code, string message, string? field = null)
        : base(message)
    {
        Code = code;
        Field = field;
    }

    [Id(0)]
    public string Code { get; }

    [Id(1)]
    public string? Field { get; }

    public static ProcurementException Invalid(string field, string message) =>
        new(ErrorCodes.InvalidField, message, field);

    public static ProcurementException Required(string field) =>
        new(ErrorCodes.RequiredField, $"{field} is required.", field);
}
