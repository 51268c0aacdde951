using Procurement.Silo.Audit;
using Procurement.Silo.Consumables;
using Procurement.Silo.Hosting;

// Offline tools in the same executable; they start neither Orleans nor the web host.
if (VerifyEventsCommand.IsInvoked(args))
{
    return await VerifyEventsCommand.RunAsync(args[1..], Console.Out, Console.Error);
}
if (ImportConsumableCodesCommand.IsInvoked(args))
{
    return await ImportConsumableCodesCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddProcurementSilo();

var app = builder.Build();
app.MapProcurementSilo();
app.Run();
return 0;

/// <summary>The entry point, visible to tests that host the silo.</summary>
public partial class Program;
