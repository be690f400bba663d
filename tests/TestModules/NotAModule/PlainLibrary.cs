namespace NetServ.TestModules.NotAModule;

public static class PlainLibrary
{
    public static int Answer => 42;
}
