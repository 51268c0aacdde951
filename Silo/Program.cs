using Procurement.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddProcurementSilo();

var app = builder.Build();
app.MapProcurementSilo();
app.Run();

/// <summary>The entry point, visible to tests that host the silo.</summary>
public partial class Program;
