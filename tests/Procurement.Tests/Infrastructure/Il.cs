using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// What an assembly's code does, read from its IL: the strings each method loads and the methods
/// it calls, for every method, constructor, lambda and compiler-made state machine, each traced
/// back to the type and method it was written in.
/// </summary>
public static partial class Il
{
    private const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>Every method body of the assembly with its IL.</summary>
    public static IEnumerable<(MethodBase Method, byte[] Body)> Bodies(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All))
        let body = method.GetMethodBody()?.GetILAsByteArray()
        where body is not null
        select (method, body);

    /// <summary>The strings the body loads (<c>ldstr</c>).</summary>
    public static IEnumerable<string> LoadedStrings(MethodBase method, byte[] body) =>
        Operands(body, OperandType.InlineString).Select(token => method.Module.ResolveString(token));

    /// <summary>The methods and constructors the body calls or takes a delegate to.</summary>
    public static IEnumerable<MethodBase> CalledMethods(MethodBase method, byte[] body)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var token in Operands(body, OperandType.InlineMethod))
        {
            MethodBase? called;
            try
            {
                called = method.Module.ResolveMethod(token, typeArguments, methodArguments);
            }
            catch (ArgumentException)
            {
                called = null;
            }
            if (called is not null)
            {
                yield return called;
            }
        }
    }

    /// <summary>The type a member was written in: the outermost type around compiler-made closures and state machines.</summary>
    public static Type WrittenIn(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        return type;
    }

    /// <summary>The method a body was written in: a lambda's or state machine's own name names it (<c>&lt;SaveAsync&gt;b__0</c>, <c>&lt;&lt;SaveAsync&gt;b__0&gt;d</c>).</summary>
    public static string WrittenInMethod(MethodBase method)
    {
        for (var member = (MemberInfo?)method; member is not null; member = member.DeclaringType)
        {
            if (GeneratedName().Match(member.Name) is { Success: true } match)
            {
                return match.Groups["name"].Value;
            }
        }
        return method.Name;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static IEnumerable<int> Operands(byte[] il, OperandType wanted)
    {
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[position++]));
            }
            var opCode = OpCodesByValue[value];
            if (opCode.OperandType == wanted)
            {
                yield return BitConverter.ToInt32(il, position);
            }
            position += opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
                _ => 4,
            };
        }
    }

    [GeneratedRegex(@"^<+(?<name>[A-Za-z_]\w*)>")]
    private static partial Regex GeneratedName();
}
