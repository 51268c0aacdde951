namespace Procurement.Grains.Storage;

/// <summary>
/// The columns of a prepared multi-row statement (<see cref="PreparedRows"/>), each named beside
/// the value it takes from a row, so a value cannot slip into another column's position.
/// </summary>
public sealed class RowBinding<T>
{
    private readonly Func<T, object?>[] _values;

    public RowBinding(params (string Column, Func<T, object?> Value)[] columns)
    {
        Columns = columns.Select(c => c.Column).ToArray();
        _values = columns.Select(c => c.Value).ToArray();
    }

    /// <summary>The column names, in the order <see cref="Bind"/> fills the values.</summary>
    public string[] Columns { get; }

    public void Bind(T row, object?[] values)
    {
        for (var i = 0; i < _values.Length; i++)
        {
            values[i] = _values[i](row);
        }
    }
}
