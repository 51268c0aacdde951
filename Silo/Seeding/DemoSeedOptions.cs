namespace Procurement.Silo.Seeding;

/// <summary>Bound from <c>Demo</c>: <c>Demo:Seed=false</c> leaves an empty store empty.</summary>
public sealed class DemoSeedOptions
{
    public const string Section = "Demo";

    public bool Seed { get; set; } = true;

    /// <summary>The demo users' password; when empty, one is generated at seeding and printed in the log (never stored in a file).</summary>
    public string? Password { get; set; }
}
