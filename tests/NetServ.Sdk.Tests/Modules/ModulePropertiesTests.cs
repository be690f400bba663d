namespace NetServ.Sdk.Tests.Modules;

[TestFixture]
public sealed class ModulePropertiesTests
{
    [Test]
    public void TryParse_Pairs_ReadsEveryKey()
    {
        var parsed = ModuleProperties.TryParse("visualizer_ip=198.18.0.1, visualizer_port = 5678", out var properties, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True, error);
            Assert.That(properties!.Count, Is.EqualTo(2));
            Assert.That(properties["visualizer_ip"], Is.EqualTo("198.18.0.1"));
            Assert.That(properties["visualizer_port"], Is.EqualTo("5678"));
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase(",,")]
    public void TryParse_NothingGiven_IsEmpty(string? text)
    {
        var parsed = ModuleProperties.TryParse(text, out var properties, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True);
            Assert.That(properties, Is.Empty);
        }
    }

    [Test]
    public void TryParse_EmptyPairsBetweenCommas_AreSkipped()
    {
        var properties = Parse("a=1,,b=2,");

        Assert.That(properties!.Keys, Is.EquivalentTo(new[] { "a", "b" }));
    }

    [Test]
    public void TryParse_EmptyValue_IsAnEmptyString()
    {
        var properties = Parse("a=");

        Assert.That(properties!["a"], Is.EqualTo(string.Empty));
    }

    [Test]
    public void TryParse_EqualsInValue_BelongsToTheValue()
    {
        var properties = Parse("query=a=b");

        Assert.That(properties!["query"], Is.EqualTo("a=b"));
    }

    [Test]
    public void TryParse_PercentEncoding_IsDecoded()
    {
        var parsed = ModuleProperties.TryParse("list=a%2Cb%3Dc%25d,name=caf%C3%A9", out var properties, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True, error);
            Assert.That(properties!["list"], Is.EqualTo("a,b=c%d"));
            Assert.That(properties["name"], Is.EqualTo("café"));
        }
    }

    [TestCase("k=%2")]
    [TestCase("k=abc%")]
    [TestCase("k=%ZZ")]
    [TestCase("k=%G1")]
    public void TryParse_MalformedPercentEncoding_FailsNamingTheKey(string text)
    {
        var parsed = ModuleProperties.TryParse(text, out var properties, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(properties, Is.Null);
            Assert.That(error, Does.Contain("'k'").And.Contain("percent"));
        }
    }

    [TestCase("novalue")]
    [TestCase("=value")]
    [TestCase("a=1,b")]
    public void TryParse_PairWithoutKeyOrEquals_Fails(string text)
    {
        var parsed = ModuleProperties.TryParse(text, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(error, Does.Contain("key=value"));
        }
    }

    [Test]
    public void TryParse_KeyGivenTwice_FailsNamingIt()
    {
        var parsed = ModuleProperties.TryParse("port=1,host=x,port=2", out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(error, Does.Contain("'port'").And.Contain("twice"));
        }
    }

    [Test]
    public void TryParse_KeysDifferingInCase_AreDifferentKeys()
    {
        var properties = Parse("Port=1,port=2");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(properties["Port"], Is.EqualTo("1"));
            Assert.That(properties["port"], Is.EqualTo("2"));
            Assert.That(properties.ContainsKey("PORT"), Is.False);
        }
    }

    [Test]
    public void Format_SortsKeysAndEncodesSpecialCharacters()
    {
        var properties = new ModuleProperties(new Dictionary<string, string>
        {
            ["b"] = "x,y",
            ["a"] = "1=2%",
            ["c"] = "tab\there",
        });

        Assert.That(properties.Format(), Is.EqualTo("a=1%3D2%25,b=x%2Cy,c=tab%09here"));
    }

    [TestCase("plain")]
    [TestCase("a,b=c%d")]
    [TestCase("%2C already encoded")]
    [TestCase("line\nbreak\r\n")]
    [TestCase("café ☕")]
    [TestCase("")]
    [TestCase(" leading and trailing ")]
    [TestCase("  two  ")]
    [TestCase(" ")]
    [TestCase("\ttabbed\t")]
    public void FormatThenTryParse_GivesTheSameValue(string value)
    {
        var original = new ModuleProperties(new Dictionary<string, string> { ["key"] = value, ["other"] = "1" });

        var parsed = ModuleProperties.TryParse(original.Format(), out var properties, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True, error);
            Assert.That(properties!["key"], Is.EqualTo(value));
            Assert.That(properties["other"], Is.EqualTo("1"));
        }
    }

    [Test]
    public void Format_HasNoLineBreaks_SoItFitsAHeader()
    {
        var properties = new ModuleProperties(new Dictionary<string, string> { ["k"] = "a\r\nb" });

        Assert.That(properties.Format(), Does.Not.Contain("\n").And.Not.Contain("\r"));
    }

    [Test]
    public void GetString_AbsentKey_GivesTheDefault()
    {
        var properties = Parse("a=1");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(properties!.GetString("a"), Is.EqualTo("1"));
            Assert.That(properties.GetString("b"), Is.Null);
            Assert.That(properties.GetString("b", "fallback"), Is.EqualTo("fallback"));
        }
    }

    [Test]
    public void GetInt32_PresentOrAbsent_ParsesOrDefaults()
    {
        var properties = Parse("port=5678,negative=-3");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(properties!.GetInt32("port", 1), Is.EqualTo(5678));
            Assert.That(properties.GetInt32("negative", 1), Is.EqualTo(-3));
            Assert.That(properties.GetInt32("absent", 42), Is.EqualTo(42));
        }
    }

    [TestCase("abc")]
    [TestCase("1.5")]
    [TestCase("99999999999")]
    [TestCase("")]
    public void GetInt32_NotAnInteger_ThrowsNamingKeyAndValue(string value)
    {
        var properties = new ModuleProperties(new Dictionary<string, string> { ["interval"] = value });

        var e = Assert.Throws<FormatException>(() => properties.GetInt32("interval", 1));

        Assert.That(e!.Message, Does.Contain("'interval'").And.Contain($"'{value}'"));
    }

    [TestCase("true", true)]
    [TestCase("TRUE", true)]
    [TestCase("1", true)]
    [TestCase("yes", true)]
    [TestCase("on", true)]
    [TestCase("false", false)]
    [TestCase("0", false)]
    [TestCase("No", false)]
    [TestCase("off", false)]
    public void GetBoolean_KnownSpellings_Parse(string value, bool expected)
    {
        var properties = new ModuleProperties(new Dictionary<string, string> { ["flag"] = value });

        Assert.That(properties.GetBoolean("flag", !expected), Is.EqualTo(expected));
    }

    [Test]
    public void GetBoolean_Absent_GivesTheDefault()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ModuleProperties.Empty.GetBoolean("flag", true), Is.True);
            Assert.That(ModuleProperties.Empty.GetBoolean("flag", false), Is.False);
        }
    }

    [Test]
    public void GetBoolean_NotABoolean_ThrowsNamingKeyAndValue()
    {
        var properties = new ModuleProperties(new Dictionary<string, string> { ["verbose"] = "maybe" });

        var e = Assert.Throws<FormatException>(() => properties.GetBoolean("verbose", false));

        Assert.That(e!.Message, Does.Contain("'verbose'").And.Contain("'maybe'"));
    }

    [Test]
    public void Constructor_CopiesTheValues()
    {
        var values = new Dictionary<string, string> { ["a"] = "1" };
        var properties = new ModuleProperties(values);

        values["a"] = "2";
        values["b"] = "3";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(properties["a"], Is.EqualTo("1"));
            Assert.That(properties.ContainsKey("b"), Is.False);
        }
    }

    private static ModuleProperties Parse(string text)
    {
        Assert.That(ModuleProperties.TryParse(text, out var properties, out var error), Is.True, error);
        return properties!;
    }
}
