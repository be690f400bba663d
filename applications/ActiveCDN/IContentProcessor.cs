namespace NetServ.Apps.ActiveCdn;

/// <summary>The content provider's own processing of an object before it is cached (paper Figure 7, step 11).</summary>
internal interface IContentProcessor
{
    /// <summary>Whether the object at <paramref name="key"/> with media type <paramref name="contentType"/> is to be processed.</summary>
    bool Applies(string key, string contentType);

    /// <summary>Reads the object <paramref name="key"/> from <paramref name="input"/> and writes it processed to <paramref name="output"/>.</summary>
    Task ProcessAsync(string key, string input, string output, CancellationToken cancellationToken);
}
