using Procurement.Silo.Audit;
using Procurement.Silo.Hosting;

// An offline tool in the same executable; it starts neither Orleans nor the web host.
if (VerifyEventsCommand.IsInvoked(args))
{
    return await VerifyEventsCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddProcurementSilo();

var app = builder.Build();
app.MapProcurementSilo();
app.Run();
return 0;

/// <summary>The entry point, visible to tests that host the silo.</summary>
public partial class Program;
