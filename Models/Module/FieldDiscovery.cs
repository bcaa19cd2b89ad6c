using System.Collections.Concurrent;
using System.Reflection;
using System.Text;

namespace Framework.Models;

/// <summary>
/// Finds the fields of a module class that can hold children, parameters or buffers, and the names PyTorch
/// would give them. Cached per type; values are read on every listing, so reassigning a field is seen.
/// </summary>
internal static class FieldDiscovery
{
    internal readonly record struct Slot(FieldInfo Field, string Name);

    private static readonly ConcurrentDictionary<Type, Slot[]> Cache = new();

    public static Slot[] Slots(Type type) => Cache.GetOrAdd(type, Discover);

    private static Slot[] Discover(Type type)
    {
        // base classes first, then each class's fields in declaration order
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(Module); t = t.BaseType) chain.Add(t);
        chain.Reverse();
        var slots = new List<Slot>();
        foreach (var t in chain)
        {
            var fields = t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .OrderBy(f => f.MetadataToken);
            foreach (var f in fields)
            {
                if (f.IsDefined(typeof(SkipRegistrationAttribute), false)) continue;
                if (typeof(Module).IsAssignableFrom(f.FieldType) || f.FieldType == typeof(Tensor))
                {
                    slots.Add(new Slot(f, PythonName(f.Name)));
                    continue;
                }
                if (HoldsModules(f.FieldType))
                    throw new InvalidOperationException(
                        $"{type.Name}: field '{DisplayName(f.Name)}' is a {Pretty(f.FieldType)}; modules in a plain collection are not registered " +
                        "(their parameters would not be trained or saved). Use ModuleList<T> or ModuleDict<T> instead, as in PyTorch.");
            }
        }
        return [.. slots];
    }

    private static bool HoldsModules(Type t)
    {
        if (typeof(Module).IsAssignableFrom(t)) return false;
        if (t.IsArray) return typeof(Module).IsAssignableFrom(t.GetElementType()!);
        foreach (var i in t.GetInterfaces().Append(t))
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                var arg = i.GetGenericArguments()[0];
                if (typeof(Module).IsAssignableFrom(arg)) return true;
                // dictionaries enumerate KeyValuePair<K, Module>
                if (arg.IsGenericType && arg.GetGenericTypeDefinition() == typeof(KeyValuePair<,>) &&
                    typeof(Module).IsAssignableFrom(arg.GetGenericArguments()[1])) return true;
            }
        return false;
    }

    private static string Pretty(Type t) =>
        t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(Pretty))}>" : t.Name;

    /// <summary>The C# name of a field, with an auto-property's backing field shown as the property.</summary>
    internal static string DisplayName(string fieldName)
    {
        if (fieldName.StartsWith('<'))
        {
            int end = fieldName.IndexOf('>');
            if (end > 1) return fieldName[1..end];
        }
        return fieldName;
    }

    /// <summary>
    /// snake_case without leading underscores: "Fc1" -> "fc1", "_conv1" -> "conv1", "RunningMean" ->
    /// "running_mean", "layer1" -> "layer1", "ASPP" -> "aspp".
    /// </summary>
    internal static string PythonName(string fieldName)
    {
        var n = DisplayName(fieldName).TrimStart('_');
        if (n.Length == 0) return fieldName;
        var sb = new StringBuilder(n.Length + 4);
        for (int i = 0; i < n.Length; i++)
        {
            char c = n[i];
            if (char.IsUpper(c))
            {
                // a word starts at an upper-case letter after a lower-case letter or digit,
                // or at the last capital of an acronym followed by a lower-case letter ("HTTPServer" -> "http_server")
                bool afterLower = i > 0 && (char.IsLower(n[i - 1]) || char.IsDigit(n[i - 1]));
                bool acronymEnd = i > 0 && char.IsUpper(n[i - 1]) && i + 1 < n.Length && char.IsLower(n[i + 1]);
                if ((afterLower || acronymEnd) && sb.Length > 0 && sb[^1] != '_') sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
