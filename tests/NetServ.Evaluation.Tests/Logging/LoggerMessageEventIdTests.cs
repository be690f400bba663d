using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;

namespace NetServ.Evaluation.Tests.Logging;

/// <summary>
/// The [LoggerMessage] event ids of every assembly the solution builds (artifacts/bin): an id names
/// one message within an assembly (the programs' components log to one category), and the ids from
/// 1000 up — the node's, the container's, the testbed's, the orchestrator's and the evaluation's,
/// which share processes and one numbering by range — name one message across all of them.
/// </summary>
[TestFixture]
public sealed class LoggerMessageEventIdTests
{
    [Test]
    public void EventIds_OfTheSolutionsAssemblies_NameOneMessageEach()
    {
        var messages = BuiltAssemblies().SelectMany(LoggerMessages).Distinct().ToList();
        Assert.That(messages, Has.Count.GreaterThan(100), "the scan found the solution's log messages");

        var withinAnAssembly = messages.GroupBy(m => (m.Assembly, m.EventId)).Where(g => g.Count() > 1);
        var acrossAssemblies = messages.Where(m => m.EventId >= 1000).DistinctBy(m => (m.Type, m.Method))
            .GroupBy(m => m.EventId).Where(g => g.Count() > 1);

        Assert.Multiple(() =>
        {
            Assert.That(withinAnAssembly.Select(Describe), Is.Empty, "event ids used twice in one assembly");
            Assert.That(acrossAssemblies.Select(Describe), Is.Empty, "event ids from 1000 up used twice");
        });
    }

    private static string Describe(IGrouping<int, LoggerMessageId> group) => $"{group.Key}: {string.Join(", ", group.Select(m => $"{m.Assembly} {m.Type}.{m.Method}"))}";

    private static string Describe(IGrouping<(string, int), LoggerMessageId> group) => $"{group.Key}: {string.Join(", ", group.Select(m => $"{m.Type}.{m.Method}"))}";

    /// <summary>The assemblies built from the solution's production projects (with their pdb beside them), once each, with the folder they were built into.</summary>
    private static IEnumerable<(string Folder, string Path)> BuiltAssemblies()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var bin = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.FullName;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in Directory.GetDirectories(bin).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(project);
            var folder = Path.Combine(project, configuration);
            if (name.EndsWith(".Tests", StringComparison.Ordinal) || name.StartsWith("NetServ.TestModules", StringComparison.Ordinal) || !Directory.Exists(folder))
            {
                continue;
            }

            foreach (var dll in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.ChangeExtension(dll, ".pdb")) && seen.Add(Path.GetFileName(dll)))
                {
                    yield return (folder, dll);
                }
            }
        }
    }

    private static List<LoggerMessageId> LoggerMessages((string Folder, string Path) built)
    {
        // Each assembly in a context of its own, resolving its dependencies from the folder it was built into.
        var context = new AssemblyLoadContext(built.Path, isCollectible: true);
        context.Resolving += (c, name) => Path.Combine(built.Folder, name.Name + ".dll") is var path && File.Exists(path) ? c.LoadFromAssemblyPath(path) : null;
        try
        {
            var assembly = context.LoadFromAssemblyPath(built.Path);
            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types;
            }

            var found = new List<LoggerMessageId>();
            foreach (var type in types.OfType<Type>())
            {
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    foreach (var attribute in method.GetCustomAttributesData().Where(a => a.AttributeType.FullName == typeof(LoggerMessageAttribute).FullName))
                    {
                        if (EventIdOf(attribute) is { } id)
                        {
                            found.Add(new LoggerMessageId(Path.GetFileName(built.Path), type.FullName ?? type.Name, method.Name, id));
                        }
                    }
                }
            }

            return found;
        }
        finally
        {
            context.Unload();
        }
    }

    private static int? EventIdOf(CustomAttributeData attribute)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.MemberName == nameof(LoggerMessageAttribute.EventId))
            {
                return (int)named.TypedValue.Value!;
            }
        }

        var parameters = attribute.Constructor.GetParameters();
        return parameters.Length > 0 && parameters[0].ParameterType.FullName == typeof(int).FullName ? (int)attribute.ConstructorArguments[0].Value! : null;
    }

    private sealed record LoggerMessageId(string Assembly, string Type, string Method, int EventId);
}
