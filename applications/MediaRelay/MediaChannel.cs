namespace NetServ.Apps.MediaRelay;

/// <summary>The two flows of a call leg: media on the even port, its control protocol on the next.</summary>
internal enum MediaChannel
{
    Rtp,
    Rtcp,
}
